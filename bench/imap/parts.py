"""parts.py - what opening a big IMAP message costs, read in parts (the default) or whole.

    python3 bench/imap/parts.py [--tmail build/src/tmail] [--mb 5] [--runs 3] [--keep]

Must run as root (the private Dovecot + Postfix fixture of tests/integration/servers needs it).
Starts that fixture in a fresh /tmp/tmp.XXXX (always stopped at the end), appends to alice's
mailbox "Bench" one message: a short text part and an attachment of --mb MiB of random bytes
(base64). Then, --runs times each, with a fresh HOME (empty cache) and tmail in tmux 120x40
talking to Dovecot through a proxy on 127.0.0.1 that counts the bytes the server sends:

  parts   the defaults (fetch_whole_max = 256K): BODYSTRUCTURE and the header, then the text
  whole   fetch_whole_max = 1G: UID FETCH BODY.PEEK[] as tmail did before

tmail changes to that mailbox, its sync ends, then Enter opens the message: measured are the bytes the
server sent from Enter until the text is on the screen, and that time (the screen is polled every
few milliseconds, so times are +-10 ms). Prints the medians and the ratios whole/parts. Then, in
the parts case, `v`, `j`, `s`, Enter saves the attachment: its download's bytes and time.

Needs tmux and the packages of tests/integration/servers/README.md; Python 3 standard library only;
talks to 127.0.0.1 only. The machines are shared and noisy: compare the ratios."""

import argparse
import base64
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.dirname(os.path.dirname(HERE))
SERVERS = os.path.join(SRCDIR, "tests", "integration", "servers")
TEXT = "Opening this message should not wait for its attachment."


def make_message(mb):
    rnd = random.Random(42)
    payload = bytes(rnd.getrandbits(8) for _ in range(mb * 1024 * 1024))
    b64 = base64.b64encode(payload).decode()
    lines = "\r\n".join(b64[i:i + 76] for i in range(0, len(b64), 76))
    raw = ("From: Bench <bench@example.test>\r\nTo: alice@example.test\r\nSubject: big bench\r\n"
           "Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"bb\"\r\n\r\n--bb\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n--bb\r\n"
           "Content-Type: application/octet-stream; name=\"blob.bin\"\r\n"
           "Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; "
           "filename=\"blob.bin\"\r\n\r\n%s\r\n--bb--\r\n" % (TEXT, lines))
    return raw.encode(), payload


def wait_screen(t, needle, timeout):
    """Polls the pane until needle shows; returns the time it was seen."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in t.text():
            return time.monotonic()
        time.sleep(0.003)
    raise RuntimeError("timed out waiting for %r\n%s" % (needle, t.dump()))


def one_run(args, E, Proxy, Tmux, whole):
    counted = [0]

    def count(data):
        counted[0] += len(data)
        return data

    proxy = Proxy(E["TM_TEST_IMAPS_PORT"], server_filter=count)
    work = tempfile.mkdtemp(prefix="tmbp.")
    try:
        t = Tmux("while [ ! -e ~/.tmailrc ]; do sleep 0.05; done; exec %s" % args.tmail,
                 cols=120, rows=40, cwd=work)
        with t:
            with open(os.path.join(t.home, ".tmailrc"), "w") as f:
                f.write("account alice\n  set imap = imaps://%s@%s:%d\n  set password = \"%s\"\n"
                        "  set from = alice@example.test\n"
                        "  set tls_ca_file = \"%s\"\n  set spoolfile = Bench\n"
                        "  set imap_deflate = no\n%s"
                        "end\n" % (E["TM_TEST_USER"], E["TM_TEST_HOST"], proxy.port,
                                   E["TM_TEST_PASS"], E["TM_TEST_CA"],
                                   "  set fetch_whole_max = 1G\n" if whole else ""))
            wait_screen(t, "Msgs:", 60)
            t.send_keys("c")  # tmail opens INBOX: change to the bench's mailbox
            wait_screen(t, "Open mailbox:", 10)
            t.type("Bench")
            t.send_keys("Enter")
            wait_screen(t, "big bench", 60)
            deadline = time.monotonic() + 60
            while "Syncing" in t.text() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.5)
            before = counted[0]
            t0 = time.monotonic()
            t.send_keys("Enter")
            t1 = wait_screen(t, TEXT, 60)
            opened = counted[0] - before
            result = {"open_bytes": opened, "open_s": t1 - t0}
            if not whole:
                t.send_keys("v")
                wait_screen(t, "blob.bin", 10)
                t.send_keys("j", "s")
                wait_screen(t, "Save to file: blob.bin", 10)
                before = counted[0]
                t0 = time.monotonic()
                t.send_keys("Enter")
                t1 = wait_screen(t, "Saved", 120)
                result.update(save_bytes=counted[0] - before, save_s=t1 - t0)
            t.send_keys("q", "q", "q")
            t.wait_exit(20)
        return result
    finally:
        proxy.close()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tmail", default=os.path.join(SRCDIR, "build", "src", "tmail"))
    ap.add_argument("--mb", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.tmail = os.path.abspath(args.tmail)
    fixture = tempfile.mkdtemp(prefix="tmp.", dir="/tmp")
    try:
        subprocess.run(["bash", os.path.join(SERVERS, "start.sh"), fixture], check=True,
                       stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        os.environ["TM_TEST_ENV"] = os.path.join(fixture, "env")
        sys.argv[1:] = []
        sys.path.insert(0, os.path.join(SRCDIR, "tests", "integration"))
        sys.path.insert(0, os.path.join(SRCDIR, "tests", "ui"))
        from imap_support import E, Other, Proxy  # noqa: E402
        from tmux_driver import Tmux  # noqa: E402
        raw, _ = make_message(args.mb)
        o = Other()
        o.create('"Bench"')
        o.append('"Bench"', None, None, raw)
        o.logout()
        results = {"parts": [], "whole": []}
        for _ in range(args.runs):
            for name in ("parts", "whole"):
                results[name].append(one_run(args, E, Proxy, Tmux, name == "whole"))
        med = {name: {k: statistics.median(r[k] for r in rs) for k in rs[0]}
               for name, rs in results.items()}
        print("message: %d bytes (attachment %d MiB, base64); %d runs each, medians"
              % (len(raw), args.mb, args.runs))
        for name in ("parts", "whole"):
            m = med[name]
            print("  %-6s open: %9d bytes from the server, %6.0f ms to the text"
                  % (name, m["open_bytes"], m["open_s"] * 1000))
        p, w = med["parts"], med["whole"]
        print("  ratio whole/parts: %.0fx the bytes, %.1fx the time to the text"
              % (w["open_bytes"] / max(p["open_bytes"], 1), w["open_s"] / max(p["open_s"], 1e-6)))
        print("  parts, saving the attachment afterwards: %d bytes (BINARY: decoded), %.0f ms"
              % (p["save_bytes"], p["save_s"] * 1000))
    finally:
        subprocess.run(["bash", os.path.join(SERVERS, "stop.sh"), fixture],
                       stdin=subprocess.DEVNULL) if not args.keep else None


if __name__ == "__main__":
    main()
