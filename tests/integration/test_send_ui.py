#!/usr/bin/env python3
"""test_send_ui.py ENVFILE - replying from the real tmail binary in tmux on alice's IMAP account,
with a scripted EDITOR that writes the reply text, a file attached from the compose screen, and
the message sent through the fixture's Postfix submission server: bob gets it with the quote,
the text and the attachment, alice's Sent folder has the copy (\\Seen), and the original is
marked \\Answered. Then a message queued while the SMTP server is unreachable is sent by the
worker once it is reachable again (the outbox retried from its view with r)."""

import email
import email.policy
import os
import re
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ui"))
from imap_support import E, HOST, TMAIL, Other, Proxy  # noqa: E402
from test_tag import cursor_number, rows  # noqa: E402
from tmux_driver import Tmux, run_tests  # noqa: E402

ALICE, BOB = E["TM_TEST_ADDR"], E["TM_TEST_ADDR2"]

EDITOR = """#!/bin/sh
printf 'Thanks, this is my answer from the scripted editor.\\n' > "$1.new"
cat "$1" >> "$1.new"
mv "$1.new" "$1"
"""


def start(smtp_port=None):
    t = Tmux("while [ ! -e ~/.tmailrc ]; do sleep 0.05; done; exec %s" % TMAIL, cols=120,
             rows=30)
    editor = os.path.join(t.home, "editor.sh")
    with open(editor, "w") as f:
        f.write(EDITOR)
    os.chmod(editor, 0o755)
    with open(os.path.join(t.home, "notes.txt"), "w") as f:
        f.write("attached notes\n")
    rc = os.path.join(t.home, ".tmailrc")
    with open(rc, "w") as f:
        f.write("set editor = \"%s\"\n"
                "account alice\n"
                "  set imap = imaps://%s@%s:%s\n"
                "  set smtp = smtp://%s@%s:%d\n"
                "  set from = \"Alice Test <%s>\"\n"
                "  set password = \"%s\"\n"
                "  set tls_ca_file = \"%s\"\n"
                "end\n" % (editor, E["TM_TEST_USER"], HOST, E["TM_TEST_IMAPS_PORT"],
                           E["TM_TEST_USER"], HOST,
                           smtp_port or int(E["TM_TEST_SUBMISSION_PORT"]), ALICE,
                           E["TM_TEST_PASS"], E["TM_TEST_CA"]))
    os.chmod(rc, 0o600)
    return t


def fetch(user, password, mailbox, subject, wait=20):
    deadline = time.time() + wait
    while True:
        o = Other(user, password)
        o.select('"%s"' % mailbox)
        typ, data = o.search(None, "SUBJECT", '"%s"' % subject)
        found = []
        for num in data[0].split():
            typ, msg = o.fetch(num, "(FLAGS BODY.PEEK[])")
            found.append((msg[0][1], msg[0][0].decode()))
        o.logout()
        if found or time.time() > deadline:
            return found
        time.sleep(0.3)


def seed(subject):
    o = Other()
    o.append("INBOX", None, None,
             ("From: Bob <%s>\r\nTo: Alice <%s>\r\nSubject: %s\r\n"
              "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\nMessage-ID: <%s@example.test>\r\n\r\n"
              "Can you send me the notes?\r\n" % (BOB, ALICE, subject, subject.replace(" ", "."))
              ).encode())
    o.logout()


def open_message(t, subject):
    """Puts the cursor on the message (the INBOX may hold many from earlier tests). The message
    must be in the index and the sync over before the search: a search of the cache before the
    sync finds nothing, and the sync's end then puts the cursor on the first unread message."""
    t.wait_for(subject, timeout=60)
    t.wait_gone(r"Syncing", timeout=60)
    t.send_keys("/")
    t.type(subject)
    t.send_keys("Enter")
    deadline = time.monotonic() + 30
    while subject not in rows(t).get(cursor_number(t), ""):
        if time.monotonic() > deadline:
            raise AssertionError("the cursor is not on %r\n%s" % (subject, t.dump()))
        time.sleep(0.05)


def test_reply_with_attachment_is_sent_and_copied():
    subject = "notes please %s" % uuid.uuid4().hex[:8]
    seed(subject)
    with start() as t:
        open_message(t, subject)
        t.send_keys("r")
        t.wait_for("Include message in reply?", timeout=10)
        t.send_keys("y")
        t.wait_for("To: Bob <%s>" % BOB, timeout=10)  # as mutt: the recipients to confirm
        t.send_keys("Enter")
        t.wait_for("Subject: Re: " + subject, timeout=10)
        t.send_keys("Enter")
        t.wait_for("y:Send", timeout=20)
        t.send_keys("a")
        t.wait_for(re.compile(r"(?m)^Attach file"), timeout=10)
        t.type(os.path.join(t.home, "notes.txt"))
        t.send_keys("Enter")
        t.wait_for("notes.txt", timeout=10)
        t.send_keys("y")
        t.wait_for(re.compile(r'Sent "Re: %s"' % re.escape(subject)), timeout=60)
        t.send_keys("q")
        t.wait_exit(15)
    got = fetch(E["TM_TEST_USER2"], E["TM_TEST_PASS2"], "INBOX", "Re: " + subject)
    assert len(got) == 1, got
    msg = email.message_from_bytes(got[0][0], policy=email.policy.default)
    assert msg["In-Reply-To"] == "<%s@example.test>" % subject.replace(" ", "."), msg["In-Reply-To"]
    parts = list(msg.iter_parts())
    assert len(parts) == 2, [p.get_content_type() for p in parts]
    text = parts[0].get_content()
    assert "my answer from the scripted editor" in text, text
    assert "> Can you send me the notes?" in text, text
    assert parts[1].get_filename() == "notes.txt"
    assert parts[1].get_payload(decode=True).replace(b"\r\n", b"\n") == b"attached notes\n"
    sent = fetch(E["TM_TEST_USER"], E["TM_TEST_PASS"], "Sent", "Re: " + subject, wait=10)
    assert len(sent) == 1 and "\\Seen" in sent[0][1], sent
    orig = fetch(E["TM_TEST_USER"], E["TM_TEST_PASS"], "INBOX", subject, wait=5)
    flags = [f for raw, f in orig if b"Re: " not in raw.split(b"\r\n\r\n")[0]]
    deadline = time.time() + 10
    while not any("\\Answered" in f for f in flags) and time.time() < deadline:
        time.sleep(0.5)
        orig = fetch(E["TM_TEST_USER"], E["TM_TEST_PASS"], "INBOX", subject, wait=1)
        flags = [f for raw, f in orig if b"Re: " not in raw.split(b"\r\n\r\n")[0]]
    assert any("\\Answered" in f for f in flags), orig


def test_message_queued_while_smtp_is_down_is_sent_when_it_is_back():
    proxy = Proxy(int(E["TM_TEST_SUBMISSION_PORT"]), src="127.0.0.1")
    proxy.close()  # the SMTP server is unreachable for now
    subject = "queued %s" % uuid.uuid4().hex[:8]
    with start(smtp_port=proxy.port) as t:
        t.wait_gone(r"Syncing", timeout=60)
        t.wait_for("Msgs:", timeout=30)
        t.send_keys("m")
        t.wait_for(re.compile(r"(?m)^To:"), timeout=10)
        t.type(BOB)
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^Subject:"), timeout=10)
        t.type(subject)
        t.send_keys("Enter")
        t.wait_for("y:Send", timeout=20)
        t.send_keys("y")
        t.wait_for("1 unsent", timeout=30)
        t.wait_for(re.compile(r"[Nn]ot sent"), timeout=30)
        proxy.reopen()
        t.send_keys("C-o")
        t.wait_for(subject, timeout=10)
        t.send_keys("r")
        t.wait_for(re.compile(r'Sent "%s"' % re.escape(subject)), timeout=60)
        t.wait_gone("1 unsent", timeout=10)
        t.send_keys("q")
        t.send_keys("q")
        t.wait_exit(15)
    proxy.close()
    got = fetch(E["TM_TEST_USER2"], E["TM_TEST_PASS2"], "INBOX", subject)
    assert len(got) == 1, got


if __name__ == "__main__":
    run_tests(globals())
