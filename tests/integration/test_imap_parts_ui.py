#!/usr/bin/env python3
"""test_imap_parts_ui.py ENVFILE - the real tmail binary in tmux on a big IMAP message of the
fixture's Dovecot: its text and its attachment list show at once (the attachments listed with
their size as not downloaded), a big text attachment is downloaded and shown when viewed, and a
5 MB attachment is saved with the download's progress in the status line, the file equal to
the original.
"""

import base64
import os
import random
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ui"))
from imap_support import E, HOST, TMAIL, Other  # noqa: E402
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


def start(cwd):
    t = Tmux("while [ ! -e ~/.tmailrc ]; do sleep 0.05; done; exec %s" % TMAIL, cols=120, rows=30,
             cwd=cwd)
    rc = os.path.join(t.home, ".tmailrc")
    with open(rc, "w") as f:
        f.write("account alice\n"
                "  set imap = imaps://%s@%s:%s\n"
                "  set password = \"%s\"\n"
                "  set from = alice@example.test\n"
                "  set tls_ca_file = \"%s\"\n"
                "  set spoolfile = %s\n"
                "end\n" % (E["TM_TEST_USER"], HOST, E["TM_TEST_IMAPS_PORT"], E["TM_TEST_PASS"],
                           E["TM_TEST_CA"], MAILBOX))
    os.chmod(rc, 0o600)
    return t


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
    raw, payload = message()
    o = Other()
    o.delete('"%s"' % MAILBOX)  # a previous run's; an error when there is none
    o.create('"%s"' % MAILBOX)
    o.append('"%s"' % MAILBOX, None, None, raw)
    o.logout()
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
    o = Other()  # alice's account as the other tests expect it
    o.delete('"%s"' % MAILBOX)
    o.logout()


if __name__ == "__main__":
    run_tests(globals())
