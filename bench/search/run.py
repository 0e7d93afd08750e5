"""run.py - how fast tmail's body search (~b) is over 10,000 local messages, next to grep -r over
the same Maildir in the same run.

    python3 bench/search/run.py [--messages 10000] [--build build] [--dir /tmp/tmbs]

Makes the Maildir with gen_maildir.py (kept in --dir between runs), reads it once so every
program finds it in the page cache, then times:
  tmail first   the first body search on an empty cache: the folder scan is timed apart; the
                search indexes every message (decoding QP, base64, charsets, HTML) and searches
  tmail warm    later searches (best of 3 processes, each on the filled cache)
  grep          grep -rli (or -rliE for a regex) over the Maildir's files, best of 3
and prints milliseconds, what each found and the ratio grep / tmail (above 1: tmail faster).
grep reads raw files: it misses words in base64 or quoted-printable bodies and finds words in
headers, attachment names and HTML tags, so its counts differ from tmail's (decoded text only).
Needs a build with tests (bench_search): `meson setup build -Dbuildtype=release`."""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.dirname(os.path.dirname(HERE))

QUERIES = [  # (tmail pattern, grep options, grep pattern, what it shows)
    ("~b zebrafinch", ["-rliF"], "zebrafinch", "a rare word"),
    ("~b ebrafin", ["-rliF"], "ebrafin", "inside a word"),
    ("~b 'zebra.?finch'", ["-rliE"], "zebra.?finch", "a regex with literals"),
    ("~b tomorrow", ["-rliF"], "tomorrow", "a word in most messages"),
    ("~b 'meeting budget'", ["-rliF"], "meeting budget", "two words"),
    ("~b 'z.b.r'", ["-rliE"], "z.b.r", "no literal: every text"),
]


def run_bench(binary, maildir, cache, patterns):
    out = subprocess.run([binary, maildir, cache] + patterns, capture_output=True, text=True,
                         timeout=1800)
    if out.returncode != 0:
        sys.exit("bench_search failed: %s" % out.stderr.strip())
    scan, rows = None, []
    for line in out.stdout.splitlines():
        parts = line.split(" ", 4)
        if parts[0] == "scan":
            scan = float(parts[1])
        elif parts[0] == "search":
            rows.append((float(parts[1]), int(parts[2]), int(parts[3]), parts[4]))
    return scan, rows


def grep(options, pattern, maildir):
    best, found = None, 0
    for _ in range(3):
        t0 = time.monotonic()
        p = subprocess.run(["grep"] + options + [pattern, os.path.join(maildir, "cur")],
                           capture_output=True, text=True)
        ms = (time.monotonic() - t0) * 1000
        found = len(p.stdout.splitlines())
        best = ms if best is None or ms < best else best
    return best, found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--build", default=os.path.join(SRCDIR, "build"))
    ap.add_argument("--dir", default="/tmp/tmbs")
    a = ap.parse_args()
    binary = os.path.join(a.build, "tests", "unit", "core", "bench_search")
    if not os.access(binary, os.X_OK):
        sys.exit("%s is missing: build with tests first" % binary)
    maildir = os.path.join(a.dir, "maildir-%d" % a.messages)
    cur = os.path.join(maildir, "cur")
    if not os.path.isdir(cur) or len(os.listdir(cur)) != a.messages:
        shutil.rmtree(maildir, ignore_errors=True)
        subprocess.run([sys.executable, os.path.join(HERE, "gen_maildir.py"), maildir,
                        "--messages", str(a.messages)], check=True)
    size = 0
    for name in os.listdir(cur):  # into the page cache, for everyone
        with open(os.path.join(cur, name), "rb") as f:
            size += len(f.read())
    work = tempfile.mkdtemp(prefix="tmbs.", dir=a.dir)
    cache = os.path.join(work, "cache.sqlite")
    try:
        patterns = [q[0] for q in QUERIES]
        scan, first = run_bench(binary, maildir, cache, patterns[:1])
        warm = None
        for _ in range(3):
            _, rows = run_bench(binary, maildir, cache, patterns)
            warm = rows if warm is None else [min(x, y) for x, y in zip(warm, rows)]
        db = sum(os.path.getsize(os.path.join(work, n)) for n in os.listdir(work))
        print("%d messages, %.1f MiB in the Maildir; tmail's cache with the index: %.1f MiB"
              % (a.messages, size / 2**20, db / 2**20))
        print("tmail first search: scan %.0f ms, then index + search %.0f ms (%d found)"
              % (scan, first[0][0], first[0][1]))
        print("%-24s %-24s %10s %7s %10s %7s %7s" % ("query", "what", "tmail ms", "found",
                                                    "grep ms", "found", "ratio"))
        for (pattern, options, gp, what), row in zip(QUERIES, warm):
            gms, gfound = grep(options, gp, maildir)
            print("%-24s %-24s %10.1f %7d %10.1f %7d %6.1fx"
                  % (pattern, what, row[0], row[1], gms, gfound, gms / row[0]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
