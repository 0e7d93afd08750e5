#!/usr/bin/env python3
"""test_imap_parts_ui.py ENVFILE - the real tmail binary in tmux on a big IMAP message of the
fixture's Dovecot: its text and its attachment list show at once (the attachments listed with
their size as not downloaded), a big text attachment is downloaded and shown when viewed, and a
5 MB attachment is saved with the download's progress in the status line, the file equal to
the original. Through a proxy that counts what the server sends: the attachment list opened
from the index, a reply (its quote naming the attachments with their size) and an inline
forward all read the message's skeleton, never the whole message; and through a slow proxy, a
download stopped with Ctrl-G says so, keeps what came, and resumes from there when asked again.
"""

import base64
import os
import random
import re
import shutil
import sqlite3
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ui"))
from imap_support import E, HOST, TMAIL, Other, Proxy  # noqa: E402
from tmux_driver import Tmux, run_tests  # noqa: E402

MAILBOX = "PartsUI"


def message():
    rnd = random.Random(7)
    payload = bytes(rnd.getrandbits(8) for _ in range(5 * 1024 * 1024))
    b64 = base64.b64encode(payload).decode()
    lines = "\r\n".join(b64[i:i + 76] for i in range(0, len(b64), 76))
    log = "".join("log line %06d: nothing happened\r\n" % i for i in range(60000))  # ~2 MB
    raw = ("From: Erin <erin@example.test>\r\nTo: alice@example.test\r\nSubject: quarterly "
           "report\r\nDate: Tue, 3 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
           "--outer\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n"
           "--alt\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nThe report is attached.\r\n"
           "--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>The report is attached"
           " (html).</p>\r\n--alt--\r\n"
           "--outer\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\n"
           "Content-Transfer-Encoding: base64\r\n"
           "Content-Disposition: attachment; filename=\"report.pdf\"\r\n\r\n%s\r\n"
           "--outer\r\nContent-Type: text/plain; charset=us-ascii; name=\"run.log\"\r\n"
           "Content-Disposition: attachment; filename=\"run.log\"\r\n\r\n%s"
           "--outer--\r\n" % (lines, log))
    return raw.encode(), payload


_message = None


def big_message():
    """message(), made once: 7 MB of random bytes take a while."""
    global _message
    if _message is None:
        _message = message()
    return _message


def fill_mailbox():
    """MAILBOX anew, holding the big message; returns it and its attachment's payload."""
    raw, payload = big_message()
    o = Other()
    o.delete('"%s"' % MAILBOX)  # a previous run's; an error when there is none
    o.create('"%s"' % MAILBOX)
    o.append('"%s"' % MAILBOX, None, None, raw)
    o.logout()
    return raw, payload


# An editor that keeps a copy of the draft it is given and changes nothing: tmail then drops the
# unmodified message, and the test reads what the draft held.
EDITOR = """#!/bin/sh
cp "$1" "%s"
"""


def start(cwd, port=None, extra=""):
    t = Tmux("while [ ! -e ~/.tmailrc ]; do sleep 0.05; done; exec %s" % TMAIL, cols=120, rows=30,
             cwd=cwd)
    editor = os.path.join(t.home, "editor.sh")
    with open(editor, "w") as f:
        f.write(EDITOR % os.path.join(cwd, "draft.txt"))
    os.chmod(editor, 0o755)
    rc = os.path.join(t.home, ".tmailrc")
    with open(rc, "w") as f:
        f.write("set editor = \"%s\"\n"
                "account alice\n"
                "  set imap = imaps://%s@%s:%s\n"
                "  set password = \"%s\"\n"
                "  set from = alice@example.test\n"
                "  set tls_ca_file = \"%s\"\n"
                "  set spoolfile = %s\n%s"
                "end\n" % (editor, E["TM_TEST_USER"], HOST, port or E["TM_TEST_IMAPS_PORT"],
                           E["TM_TEST_PASS"], E["TM_TEST_CA"], MAILBOX, extra))
    os.chmod(rc, 0o600)
    return t


class Throttle:
    """A proxy's server filter: counts the bytes the server sends and, while rate (bytes per
    second) is set, passes them no faster."""

    def __init__(self, rate=None):
        self.rate, self.bytes = rate, 0

    def __call__(self, data):
        self.bytes += len(data)
        if self.rate:
            time.sleep(len(data) / self.rate)
        return data


def cached(t):
    """(whole bodies, skeletons, parts complete, bytes of chunks) of the cache."""
    db = os.path.join(t.home, ".cache", "tmail", "cache.sqlite")
    with sqlite3.connect(db) as c:
        return tuple(c.execute(q).fetchone()[0] for q in (
            "SELECT count(*) FROM bodies",
            "SELECT count(*) FROM partial_bodies",
            "SELECT count(*) FROM body_parts WHERE complete",
            "SELECT coalesce(sum(length(data)), 0) FROM part_chunks"))


def read_draft(work):
    path = os.path.join(work, "draft.txt")
    with open(path, encoding="utf-8") as f:
        text = f.read()
    os.remove(path)
    return text


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


def test_text_and_attachment_list_at_once_then_view_and_save():
    raw, payload = fill_mailbox()
    work = tempfile.mkdtemp(prefix="tmpartsui.")
    with start(work) as t:
        open_mailbox(t, MAILBOX, 1)
        t.wait_for("quarterly report", timeout=20)
        t.send_keys("Enter")
        # the text at once, the attachments listed but not downloaded
        t.wait_for("The report is attached.", timeout=20)
        t.wait_for(re.compile(r"\[-- Attachment #\d: report\.pdf \(application/pdf, 5\.0M, not "
                              r"downloaded\) --\]"), timeout=5)
        t.wait_for(re.compile(r"\[-- Attachment #\d: run\.log \(text/plain, [0-9.]+M, not "
                              r"downloaded\) --\]"), timeout=5)
        t.send_keys("v")
        t.wait_for(re.compile(r"report\.pdf +\[application/pdf, base64, [0-9.]+M, not "
                              r"downloaded\]"), timeout=5)
        t.wait_for(re.compile(r"run\.log +\[text/plain, 7bit, us-ascii, [0-9.]+M, not "
                              r"downloaded\]"), timeout=5)
        screen = t.text()
        # parts: 0 the message, 1 the alternative, 2 and 3 its texts, 4 the pdf, 5 the log
        assert "text/html" in screen, screen
        # view the big text attachment: downloaded, then shown in the pager
        t.send_keys("End", "Enter")
        t.wait_for("log line 000000: nothing happened", timeout=60)
        t.send_keys("q")
        t.wait_for(re.compile(r"run\.log +\[text/plain, 7bit, us-ascii, [0-9.]+M, "
                              r"downloaded\]"), timeout=5)
        # save the pdf: the status line follows the download, then the file is written
        t.send_keys("k", "s")
        t.wait_for("Save to file: report.pdf", timeout=5)
        t.send_keys("Enter")
        t.wait_for(re.compile(r"Downloading part 2|downloading part 2|Saved \d+ bytes"),
                   timeout=20)
        t.wait_for("Saved %d bytes to report.pdf" % len(payload), timeout=60)
        with open(os.path.join(work, "report.pdf"), "rb") as f:
            assert f.read() == payload, "the saved attachment differs from the original"
        t.wait_for(re.compile(r"report\.pdf +\[application/pdf, base64, [0-9.]+M, "
                              r"downloaded\]"), timeout=5)
        # back in the pager, the list of attachments says what is here now
        t.send_keys("q")
        t.wait_for("The report is attached.", timeout=5)
        t.wait_for(re.compile(r"\[-- Attachment #\d: report\.pdf \(application/pdf, 5\.0M, "
                              r"downloaded\) --\]"), timeout=5)
        t.send_keys("q")
        t.wait_for("q:Quit", timeout=5)
        t.send_keys("q")
        t.wait_exit(20)
    shutil.rmtree(work, ignore_errors=True)


def test_parts_reply_forward_and_list_from_the_index_read_the_skeleton():
    fill_mailbox()
    counter = Throttle()
    proxy = Proxy(E["TM_TEST_IMAPS_PORT"], server_filter=counter)
    work = tempfile.mkdtemp(prefix="tmpartsui.")
    try:
        with start(work, proxy.port) as t:
            open_mailbox(t, MAILBOX, 1)
            t.wait_for("quarterly report", timeout=20)
            time.sleep(0.5)
            before = counter.bytes
            # r from the index (the message never opened): the quote comes from the skeleton
            t.send_keys("r")
            t.wait_for("Include message in reply?", timeout=20)
            t.send_keys("y")
            t.wait_for("To: Erin <erin@example.test>", timeout=10)
            t.send_keys("Enter")
            t.wait_for("Subject: Re: quarterly report", timeout=10)
            t.send_keys("Enter")
            t.wait_for("Aborted unmodified message.", timeout=20)
            quote = read_draft(work)
            assert "> The report is attached." in quote, quote
            # the attachments named as a whole message names them: their size, no download state
            assert re.search(r"> \[-- Attachment #\d: report\.pdf \(application/pdf, 5\.0M\) --\]",
                             quote), quote
            assert re.search(r"> \[-- Attachment #\d: run\.log \(text/plain, [0-9.]+M\) --\]",
                             quote), quote
            assert "downloaded" not in quote, quote
            got = counter.bytes - before
            assert got < len(big_message()[1]) // 50, "the reply took %d bytes" % got
            # v from the index: the list at once, the attachments not downloaded
            t.send_keys("v")
            t.wait_for(re.compile(r"report\.pdf +\[application/pdf, base64, [0-9.]+M, not "
                                  r"downloaded\]"), timeout=20)
            t.send_keys("q")
            t.wait_for("q:Quit", timeout=5)
            # f (inline: mime_forward is no): the text, not the attachments
            t.send_keys("f")
            t.wait_for(re.compile(r"(?m)^To: *$"), timeout=10)
            t.type("bob@example.test")
            t.send_keys("Enter")
            t.wait_for("Subject: ", timeout=10)
            t.send_keys("Enter")
            t.wait_for("Aborted unmodified message.", timeout=20)
            forward = read_draft(work)
            assert "Forwarded message from Erin" in forward, forward
            assert "The report is attached." in forward, forward
            assert re.search(r"\[-- Attachment #\d: report\.pdf \(application/pdf, 5\.0M\) --\]",
                             forward), forward
            got = counter.bytes - before
            assert got < len(big_message()[1]) // 50, "%d bytes came from the server" % got
            whole, skeletons, _, _ = cached(t)
            assert (whole, skeletons) == (0, 1), "cache: %r" % (cached(t),)
            t.send_keys("q")
            t.wait_exit(20)
    finally:
        proxy.close()
        shutil.rmtree(work, ignore_errors=True)


def test_parts_download_stopped_with_ctrl_g_resumes_when_asked_again():
    _, payload = fill_mailbox()
    slow = Throttle(512 * 1024)  # the 5 MB attachment would take 10 s
    proxy = Proxy(E["TM_TEST_IMAPS_PORT"], server_filter=slow)
    work = tempfile.mkdtemp(prefix="tmpartsui.")
    saved = os.path.join(work, "report.pdf")
    try:
        with start(work, proxy.port) as t:
            open_mailbox(t, MAILBOX, 1)
            t.wait_for("quarterly report", timeout=20)
            t.send_keys("Enter")
            t.wait_for("The report is attached.", timeout=30)
            t.send_keys("v")
            t.wait_for("report.pdf", timeout=10)
            # parts: 0 the message, 1 the alternative, 2 and 3 its texts, 4 the pdf, 5 the log
            t.send_keys("End", "k", "s")
            t.wait_for("Save to file: report.pdf", timeout=5)
            t.send_keys("Enter")
            t.wait_for(re.compile(r"downloading part 2, [0-9.]+M of 5\.0M"), timeout=30)
            t.wait_for("^G:Stop download", timeout=5)
            t.send_keys("C-g")
            t.wait_for(re.compile(r"Download of part 2 stopped at [0-9.]+M of 5\.0M: asking again "
                                  r"resumes it\."), timeout=20)
            t.wait_for(re.compile(r"report\.pdf +\[application/pdf, base64, [0-9.]+M, partly "
                                  r"downloaded\]"), timeout=5)
            assert "^G:Stop" not in t.text(), t.text()
            assert not os.path.exists(saved), "saved before the download ended"
            whole, _, complete, held = cached(t)
            assert (whole, complete) == (0, 0), "cache: %r" % (cached(t),)
            assert 0 < held < len(payload), "%d bytes held" % held
            # asked again: only the rest comes, and the file is the original
            slow.rate = None
            before = slow.bytes
            t.send_keys("s")
            t.wait_for("Save to file: report.pdf", timeout=5)
            t.send_keys("Enter")
            t.wait_for("Saved %d bytes to report.pdf" % len(payload), timeout=60)
            with open(saved, "rb") as f:
                assert f.read() == payload, "the saved attachment differs from the original"
            rest = slow.bytes - before
            assert rest < len(payload) - held + 256 * 1024, \
                "%d bytes came for the %d missing" % (rest, len(payload) - held)
            assert cached(t)[2] == 1, "cache: %r" % (cached(t),)
            t.send_keys("q", "q")
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
