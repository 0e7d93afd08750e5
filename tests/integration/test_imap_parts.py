#!/usr/bin/env python3
"""test_imap_parts.py ENVFILE - big messages read in parts against the fixture's Dovecot (which
offers BINARY), through a proxy that counts what the server sends: opening a message with a text
part and a 5 MB attachment downloads a small fraction of it (the skeleton is cached, the whole
message is not); saving the attachment downloads it once, decoded (BINARY: less than its base64),
and the saved file is the original byte for byte; offline the message still reads, the saved
attachment saves again, and one never downloaded says so; piping the message fetches it whole,
which replaces the skeleton in the cache, and the pager shows it whole.
"""

import os
import random
import re
import shutil
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ui"))
from imap_support import E, HOST, TMAIL, Other, Proxy  # noqa: E402
from tmux_driver import Tmux, run_tests  # noqa: E402

MAILBOX = "Parts"
ATTACHMENT = 5 * 1024 * 1024


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def b64_lines(data):
    import base64
    text = base64.b64encode(data).decode()
    return "\r\n".join(text[i:i + 76] for i in range(0, len(text), 76)) + "\r\n"


def big_message(seed, subject, text, name):
    """A text part and a random binary attachment of ATTACHMENT bytes (returned too)."""
    rnd = random.Random(seed)
    payload = bytes(rnd.getrandbits(8) for _ in range(ATTACHMENT))
    raw = ("From: Dora <dora@example.test>\r\nTo: alice@example.test\r\nSubject: %s\r\n"
           "Date: Mon, 2 Nov 2026 10:00:%02d +0000\r\nMessage-ID: <parts%d.%d@example.test>\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_b%d\"\r\n\r\n"
           "--=_b%d\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n"
           "--=_b%d\r\nContent-Type: application/octet-stream; name=\"%s\"\r\n"
           "Content-Transfer-Encoding: base64\r\n"
           "Content-Disposition: attachment; filename=\"%s\"\r\n\r\n%s"
           "--=_b%d--\r\n" % (subject, seed, seed, os.getpid(), seed, seed, text, seed, name, name,
                              b64_lines(payload), seed))
    return raw.encode(), payload


class Counter:
    """Counts the bytes the server sends through the proxy."""

    def __init__(self):
        self.bytes = 0

    def __call__(self, data):
        self.bytes += len(data)
        return data


def fill_mailbox():
    o = Other()
    o.delete('"%s"' % MAILBOX)  # a previous run's; an error when there is none
    o.create('"%s"' % MAILBOX)
    first, payload1 = big_message(1, "big one", "Hello from the parts test.", "big.bin")
    second, payload2 = big_message(2, "big two", "The second big message.", "other.bin")
    o.append('"%s"' % MAILBOX, None, None, first)
    o.append('"%s"' % MAILBOX, None, None, second)
    o.logout()
    return first, payload1, second, payload2


def start(port, cwd, extra=""):
    t = Tmux("while [ ! -e ~/.tmailrc ]; do sleep 0.05; done; exec %s" % TMAIL, cols=120, rows=30,
             cwd=cwd)
    rc = os.path.join(t.home, ".tmailrc")
    with open(rc, "w") as f:
        f.write("set log_level = info\n"
                "account alice\n"
                "  set imap = imaps://%s@%s:%s\n"
                "  set password = \"%s\"\n"
                "  set from = alice@example.test\n"
                "  set tls_ca_file = \"%s\"\n"
                "  set spoolfile = %s\n"
                "  set imap_deflate = no\n%s"
                "end\n" % (E["TM_TEST_USER"], HOST, port, E["TM_TEST_PASS"], E["TM_TEST_CA"],
                           MAILBOX, extra))
    os.chmod(rc, 0o600)
    return t


def cache(t):
    import sqlite3
    return sqlite3.connect(os.path.join(t.home, ".cache", "tmail", "cache.sqlite"))


def cached_state(t, subject):
    """(whole bodies, skeletons, parts, parts complete, bytes of chunks) of one message."""
    with cache(t) as c:
        mid = c.execute("SELECT id FROM messages WHERE subject = ?", (subject,)).fetchone()[0]
        return (c.execute("SELECT count(*) FROM bodies WHERE message_id = ?", (mid,)).fetchone()[0],
                c.execute("SELECT count(*) FROM partial_bodies WHERE message_id = ?",
                          (mid,)).fetchone()[0],
                c.execute("SELECT count(*) FROM body_parts WHERE message_id = ?", (mid,)).fetchone()[0],
                c.execute("SELECT count(*) FROM body_parts WHERE message_id = ? AND complete",
                          (mid,)).fetchone()[0],
                c.execute("SELECT coalesce(sum(length(data)), 0) FROM part_chunks WHERE "
                          "message_id = ?", (mid,)).fetchone()[0])


def cache_report(t, subject):
    """For a failure message: every cached row of that subject with what is stored of it, and
    the end of tmail's log."""
    lines = []
    with cache(t) as c:
        for mid, mailbox, uid in c.execute("SELECT id, mailbox_id, uid FROM messages WHERE "
                                           "subject = ?", (subject,)):
            counts = [c.execute("SELECT count(*) FROM %s WHERE message_id = ?" % table,
                                (mid,)).fetchone()[0]
                      for table in ("bodies", "partial_bodies", "body_parts", "part_chunks")]
            lines.append("message %d (mailbox %d, uid %d): bodies %d, partial_bodies %d, "
                         "body_parts %d, part_chunks %d" % ((mid, mailbox, uid) + tuple(counts)))
    log = os.path.join(t.home, ".local", "state", "tmail", "tmail.log")
    try:
        with open(log, errors="replace") as f:
            lines += ["tmail.log:"] + ["  " + l.rstrip() for l in f.readlines()[-30:]]
    except OSError as e:
        lines.append("no tmail.log: %s" % e)
    return "\n".join(lines)


def open_mailbox(t, name, count, timeout=60):
    """Changes to mailbox name (c: tmail opens INBOX) and waits for its count and the sync's end."""
    t.wait_for("Msgs:", timeout=timeout)
    if not re.search(r"/%s \[Msgs:%d" % (re.escape(name), count), t.text()):
        t.send_keys("c")
        t.wait_for("Open mailbox:", timeout=10)
        t.type(name)
        t.send_keys("Enter")
    t.wait_for(re.compile(r"/%s \[Msgs:%d" % (re.escape(name), count)), timeout=timeout)
    t.wait_gone("Syncing", timeout=timeout)


def open_message(t, subject):
    """From the index: opens "big one" (the first by date) or "big two" (the second)."""
    t.wait_for(subject, timeout=10)
    t.send_keys("Home")
    if subject == "big two":
        t.send_keys("j")
    t.send_keys("Enter")


def test_open_downloads_a_fraction_and_save_fetches_the_attachment_once():
    first, payload, second, _ = fill_mailbox()
    counter = Counter()
    proxy = Proxy(E["TM_TEST_IMAPS_PORT"], server_filter=counter)
    work = tempfile.mkdtemp(prefix="tmparts.")
    try:
        with start(proxy.port, work) as t:
            open_mailbox(t, MAILBOX, 2)
            time.sleep(0.5)
            before = counter.bytes
            open_message(t, "big one")
            t.wait_for("Hello from the parts test.", timeout=20)
            t.wait_for(re.compile(r"Attachment #2: big\.bin \(application/octet-stream, 5\.0M, "
                                  r"not downloaded\)"), timeout=5)
            opened = counter.bytes - before
            check(opened < ATTACHMENT // 50, "opening downloaded %d bytes" % opened)
            whole, skeletons, parts, complete, held = cached_state(t, "big one")
            check((whole, skeletons, parts, complete, held) == (0, 1, 1, 0, 0),
                  "cache after opening: %r" % ((whole, skeletons, parts, complete, held),))
            # the attachment list at once, then save the attachment (the suggested name)
            t.send_keys("v")
            t.wait_for(re.compile(r"big\.bin +\[application/octet-stream, base64, [0-9.]+M, not "
                                  r"downloaded\]"), timeout=5)
            t.send_keys("j")
            before = counter.bytes
            t.send_keys("s")
            t.wait_for("Save to file: big.bin", timeout=5)
            t.send_keys("Enter")
            t.wait_for("Saved %d bytes to big.bin" % ATTACHMENT, timeout=60)
            saved = counter.bytes - before
            with open(os.path.join(work, "big.bin"), "rb") as f:
                check(f.read() == payload, "the saved attachment differs from the original")
            # BINARY: the decoded bytes came, not the base64 (a third more)
            check(ATTACHMENT <= saved < ATTACHMENT * 11 // 10,
                  "saving downloaded %d bytes for %d" % (saved, ATTACHMENT))
            with cache(t) as c:
                decoded = c.execute("SELECT decoded FROM body_parts").fetchall()
            check(decoded == [(1,)], "parts cached: %r" % decoded)
            whole, skeletons, parts, complete, held = cached_state(t, "big one")
            check((whole, skeletons, complete, held) == (0, 1, 1, ATTACHMENT),
                  "cache after saving: %r" % ((whole, skeletons, parts, complete, held),))
            t.wait_for(re.compile(r"big\.bin +\[application/octet-stream, base64, [0-9.]+M, "
                                  r"downloaded\]"), timeout=5)
            # saving again comes from the cache: nothing more from the server
            os.remove(os.path.join(work, "big.bin"))
            before = counter.bytes
            t.send_keys("s")
            t.wait_for("Save to file: big.bin", timeout=5)
            t.send_keys("Enter")
            t.wait_for("Saved %d bytes to big.bin" % ATTACHMENT, timeout=20)
            check(counter.bytes - before < 4096, "saved again with %d bytes from the server"
                  % (counter.bytes - before))
            t.send_keys("q", "q")
            t.wait_for("q:Quit", timeout=5)
            t.send_keys("q")
            t.wait_exit(20)
    finally:
        proxy.close()
        shutil.rmtree(work, ignore_errors=True)


def test_offline_reads_the_skeleton_and_says_what_is_not_downloaded():
    """A first run caches the skeleton of "big two" (the server reachable); a second run on the
    same HOME with the proxy closed reads it, and its attachment, never downloaded, says so."""
    fill_mailbox()
    proxy = Proxy(E["TM_TEST_IMAPS_PORT"])
    work = tempfile.mkdtemp(prefix="tmparts.")
    try:
        with start(proxy.port, work) as t:
            open_mailbox(t, MAILBOX, 2)
            open_message(t, "big two")
            t.wait_for("The second big message.", timeout=20)
            t.send_keys("q")
            t.wait_for("q:Quit", timeout=5)
            t.send_keys("q")
            t.wait_exit(20)
            home = t.home
            proxy.close()  # the server is gone: connections are refused
            env = {k: t.env[k] for k in ("HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                                         "XDG_DATA_HOME", "XDG_STATE_HOME")}
            with Tmux("exec %s" % TMAIL, cols=120, rows=30, cwd=work, env=env) as t2:
                check(t2.home != home, "a new pane")
                open_mailbox(t2, MAILBOX, 2, timeout=30)
                open_message(t2, "big two")
                t2.wait_for("The second big message.", timeout=10)
                t2.wait_for("not downloaded", timeout=5)
                t2.send_keys("v")
                t2.wait_for("other.bin", timeout=5)
                t2.send_keys("j", "s")
                t2.wait_for("Save to file: other.bin", timeout=5)
                t2.send_keys("Enter")
                t2.wait_for(re.compile(r"The attachment is not downloaded yet and \S+ cannot be "
                                       r"reached"), timeout=30)
                check(not os.path.exists(os.path.join(work, "other.bin")), "a file was written")
                t2.send_keys("q", "q")
                t2.wait_for("q:Quit", timeout=5)
                t2.send_keys("q")
                t2.wait_exit(20)
    finally:
        proxy.close()
        shutil.rmtree(work, ignore_errors=True)


def test_pipe_fetches_the_whole_message_and_replaces_the_skeleton():
    first, payload, _, _ = fill_mailbox()
    proxy = Proxy(E["TM_TEST_IMAPS_PORT"])
    work = tempfile.mkdtemp(prefix="tmparts.")
    out = os.path.join(work, "piped")
    try:
        with start(proxy.port, work) as t:
            open_mailbox(t, MAILBOX, 2)
            open_message(t, "big one")
            t.wait_for("Hello from the parts test.", timeout=20)
            t.wait_for("not downloaded", timeout=5)
            check(cached_state(t, "big one")[:2] == (0, 1),
                  "no skeleton cached\n" + cache_report(t, "big one"))
            t.send_keys("|")
            t.wait_for("Pipe to command:", timeout=5)
            t.type("cat > %s" % out)
            t.send_keys("Enter")
            t.wait_for("Press any key", timeout=60)
            t.send_keys("Enter")
            with open(out, "rb") as f:
                got = f.read()
            check(got.replace(b"\r\n", b"\n") == first.replace(b"\r\n", b"\n"),
                  "piped %d bytes, the message has %d" % (len(got), len(first)))
            whole, skeletons, parts, _, held = cached_state(t, "big one")
            check((whole, skeletons, parts, held) == (1, 0, 0, 0),
                  "cache after the whole fetch: %r\n%s"
                  % ((whole, skeletons, parts, held), cache_report(t, "big one")))
            # the pager shows the whole message now: nothing is said to be missing
            t.wait_for("Hello from the parts test.", timeout=5)
            t.wait_gone("not downloaded", timeout=5)
            t.send_keys("q")
            t.wait_for("q:Quit", timeout=5)
            t.send_keys("q")
            t.wait_exit(20)
    finally:
        proxy.close()
        shutil.rmtree(work, ignore_errors=True)


def test_zz_cleanup():
    """Leaves alice's account as the other tests expect it: no mailbox of ours."""
    o = Other()
    o.delete('"%s"' % MAILBOX)
    o.logout()


if __name__ == "__main__":
    run_tests(globals())
