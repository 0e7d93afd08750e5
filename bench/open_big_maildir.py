"""open_big_maildir.py - how fast tmail opens a huge Maildir, next to neomutt on the same folder.

    python3 bench/open_big_maildir.py [--messages 100000] [--tmail build/src/tmail]

Makes a Maildir of N messages (threads of five, 1-3 KiB each) under /tmp, then measures, each in a
fresh tmux pane of 120x40 and with the folder already in the page cache:
  tmail cold   first run, empty cache: time to the first index screen, and until the scan is done
  tmail warm   second run, cache filled: time to the first full index screen (the cached index is
               shown before the background rescan finishes)
  neomutt cold open and quit with no header cache (sleep_time=0, mark_old=no)
  neomutt warm open and quit with a filled header_cache
and prints seconds, peak memory and the ratios. The machines are shared and noisy: compare the
ratios, not the absolute figures. Needs tmux and neomutt (apt-get install neomutt)."""

import argparse
import json
import os
import re
import shutil
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(SRCDIR, "tests", "ui"))
from tmux_driver import Tmux  # noqa: E402

WORDS = ("mail terminal thread index pager header cache sync folder server message client "
         "keyboard screen flag reply forward draft archive filter search quote signature").split()


def make_maildir(path, n):
    if os.path.isdir(os.path.join(path, "cur")) and \
            len(os.listdir(os.path.join(path, "cur"))) == n:
        return
    shutil.rmtree(path, ignore_errors=True)
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(path, d))
    base = 1790000000
    for i in range(n):
        root = i - i % 5
        subject = "Topic %d: %s %s" % (root, WORDS[root % len(WORDS)], WORDS[(root * 7) % 23])
        refs = ""
        if i != root:
            subject = "Re: " + subject
            refs = "In-Reply-To: <m%d@bench>\nReferences: <m%d@bench>\n" % (i - 1, root)
        body = "\n".join(" ".join(WORDS[(i + j + k) % len(WORDS)] for k in range(9))
                         for j in range(10 + i % 30))
        t = base + i * 60
        msg = ("From: Sender %d <s%d@example.org>\nTo: you@example.org\nSubject: %s\n"
               "Date: %s\nMessage-ID: <m%d@bench>\n%s\n%s\n"
               % (i % 97, i % 97, subject,
                  time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t)), i, refs, body))
        flags = "S" if i % 3 else ""
        with open(os.path.join(path, "cur", "%d.M%dP1.bench:2,%s" % (t, i, flags)), "w") as f:
            f.write(msg)


def warm_page_cache(maildir):
    """Reads every file once so each program starts with the folder in the page cache: the
    comparison is of the programs, not of the disk."""
    for d in ("cur", "new"):
        for name in os.listdir(os.path.join(maildir, d)):
            with open(os.path.join(maildir, d, name), "rb") as f:
                f.read()


def wait_screen(t, pred, timeout):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if pred(t.text()):
            return time.monotonic()
        time.sleep(0.01)
    raise RuntimeError("timed out; screen:\n" + t.dump())


def run_tmail(tmail, maildir, n, home):
    """Returns (first screen s, all scanned s, peak KiB) for one run with cache dir home. With a
    warm cache the rescan shows no progress, so its end cannot be seen on screen: the
    second figure only means something for a cold run (the log has the worker's timing)."""
    stats = os.path.join(home, "rusage.json")
    warm_page_cache(maildir)
    env = {"XDG_CACHE_HOME": os.path.join(home, "cache"),
           "XDG_STATE_HOME": os.path.join(home, "state")}
    start = time.monotonic()
    with Tmux([sys.executable, os.path.join(HERE, "rusage.py"), stats, tmail, "-f", maildir],
              cols=120, rows=40, env=env) as t:
        first = wait_screen(t, lambda s: "Msgs:" in s and not re.search(r"Msgs:0[ \]]", s) and
                            s.count("\n") >= 3, 120)
        done = wait_screen(t, lambda s: re.search(r"Msgs:%d[ \]]" % n, s) and
                           "Syncing" not in s, 600)
        t.send_keys("q")
        t.wait_exit(60)
    with open(stats) as f:
        rss = json.load(f)["maxrss_kib"]
    return first - start, done - start, rss


def run_neomutt(maildir, home, header_cache):
    stats = os.path.join(home, "rusage.json")
    warm_page_cache(maildir)
    rc = os.path.join(home, "neomuttrc")
    with open(rc, "w") as f:
        f.write("set sleep_time=0\nset mark_old=no\nset sort=threads\nset sort_aux=date\n"
                "set folder=%s\nset spoolfile=%s\nset mbox_type=Maildir\n"
                "set header_cache=%s\n"
                % (os.path.dirname(maildir), maildir,
                   os.path.join(home, "hcache/") if header_cache else ""))
    os.makedirs(os.path.join(home, "hcache"), exist_ok=True)
    with Tmux([sys.executable, os.path.join(HERE, "rusage.py"), stats, "neomutt", "-n", "-F", rc,
               "-f", maildir, "-e", "push <quit>"], cols=120, rows=40) as t:
        t.wait_exit(900)
    with open(stats) as f:
        r = json.load(f)
    return r["seconds"], r["maxrss_kib"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--tmail", default=os.path.join(SRCDIR, "build", "src", "tmail"))
    ap.add_argument("--dir", default="/tmp/tmbench")
    a = ap.parse_args()
    tmail = os.path.abspath(a.tmail)
    maildir = os.path.join(a.dir, "maildir-%d" % a.messages)
    print("making %d messages in %s ..." % (a.messages, maildir), flush=True)
    make_maildir(maildir, a.messages)
    home = os.path.join(a.dir, "home")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(home)
    cold_first, cold_done, cold_rss = run_tmail(tmail, maildir, a.messages, home)
    warm_first, _, warm_rss = run_tmail(tmail, maildir, a.messages, home)
    nm_home = os.path.join(a.dir, "neomutt")
    shutil.rmtree(nm_home, ignore_errors=True)
    os.makedirs(nm_home)
    nm_cold, nm_cold_rss = run_neomutt(maildir, nm_home, False)
    run_neomutt(maildir, nm_home, True)  # fills the header cache
    nm_warm, nm_warm_rss = run_neomutt(maildir, nm_home, True)
    print("%d messages" % a.messages)
    print("%-34s %9s %10s" % ("", "seconds", "peak MiB"))
    print("%-34s %9.2f %10.1f" % ("tmail cold: first index screen", cold_first, cold_rss / 1024))
    print("%-34s %9.2f %10s" % ("tmail cold: whole folder scanned", cold_done, ""))
    print("%-34s %9.2f %10.1f" % ("tmail warm: first index screen", warm_first, warm_rss / 1024))
    print("%-34s %9.2f %10.1f" % ("neomutt cold: open and quit", nm_cold, nm_cold_rss / 1024))
    print("%-34s %9.2f %10.1f" % ("neomutt warm (hcache): open+quit", nm_warm, nm_warm_rss / 1024))
    print("ratio neomutt/tmail, cold, until the index is usable: %.1fx" % (nm_cold / cold_first))
    print("ratio neomutt/tmail, cold, whole folder loaded:       %.1fx" % (nm_cold / cold_done))
    print("ratio neomutt/tmail, warm, until the index is usable: %.1fx" % (nm_warm / warm_first))


if __name__ == "__main__":
    main()
