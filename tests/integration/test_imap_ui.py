#!/usr/bin/env python3
"""test_imap_ui.py ENVFILE - the real tmail binary in tmux on bob's IMAP account of the fixture's
Dovecot: the index shows and keys keep working while a 5,000-message first sync runs, a message
opens (its body fetched and cached), and a message sent through the submission server shows up
by IDLE without a key press, and folders: the mailbox browser with the server's mailboxes and
counts, a mailbox created from it, a message saved there and opened with change-folder.
"""

import os
import re
import smtplib
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ui"))
from imap_support import E, HOST, TMAIL, Other, Proxy, tls_context  # noqa: E402
from tmux_driver import Tmux, run_tests  # noqa: E402

BOB_MESSAGES = 5000  # what bob's INBOX holds once the first test has filled it


def bob_count():
    o = Other(E["TM_TEST_USER2"], E["TM_TEST_PASS2"])
    n = len(o.uids())
    o.logout()
    return n


def write_rc(t, with_password=True, port=None, debug=False):
    rc = os.path.join(t.home, ".tmailrc")
    password = "  set password = \"%s\"\n" % E["TM_TEST_PASS2"] if with_password else ""
    with open(rc + ".new", "w") as f:
        f.write("set log_level = debug\n" if debug else "")
        f.write("account bob\n"
                "  set imap = imaps://%s@%s:%s\n"
                "%s"
                "  set tls_ca_file = \"%s\"\n"
                "end\n" % (E["TM_TEST_USER2"], HOST, port or E["TM_TEST_IMAPS_PORT"], password,
                           E["TM_TEST_CA"]))
    os.chmod(rc + ".new", 0o600)
    os.rename(rc + ".new", rc)  # whole when tmail sees it
    return rc


def fill_bob_maildir(n):
    """Writes n messages straight into bob's Maildir (as the vmail user owns it)."""
    cur = os.path.join(E["TM_TEST_MAILDIR2"], "cur")
    os.makedirs(cur, exist_ok=True)
    uid, gid = int(E["TM_TEST_VMAIL_UID"]), int(E["TM_TEST_VMAIL_GID"])
    now = int(time.time())
    for i in range(n):
        path = os.path.join(cur, "%d.M%dP1.uitest:2,%s" % (now - n + i, i, "S" if i % 3 else ""))
        with open(path, "w") as f:
            f.write("From: Writer %d <w%d@example.test>\nTo: bob@example.test\n"
                    "Subject: bulk message %04d\nDate: Mon, 2 Nov 2026 %02d:%02d:00 +0000\n"
                    "Message-ID: <bulk%d@example.test>\n\nLine one of %d.\n"
                    % (i % 50, i % 50, i, (i // 60) % 24, i % 60, i, i))
        os.chown(path, uid, gid)


def start(cols=120, rows=30, with_password=True, port=None, debug=False):
    # tmail starts once the test has written the tmailrc into the pane's fresh HOME
    t = Tmux("while [ ! -e ~/.tmailrc ]; do sleep 0.05; done; exec %s" % TMAIL, cols=cols,
             rows=rows)
    write_rc(t, with_password, port, debug)
    return t


def test_index_shows_and_keys_work_during_a_big_sync():
    global BOB_MESSAGES
    fill_bob_maildir(BOB_MESSAGES)
    BOB_MESSAGES = bob_count()  # more when the fixture was used before
    with start() as t:
        t.wait_for(r"Syncing INBOX", timeout=20)
        # Keys work while the sync runs: move down, and the cursor row changes.
        t.send_keys("j", "j", "j")
        t.wait_for("bulk message", timeout=20)
        t.wait_gone(r"Syncing", timeout=120)
        t.wait_for(r"Msgs:%d" % BOB_MESSAGES, timeout=20)
        t.send_keys("End")
        t.wait_for(re.compile(r"(?m)^\s*%d " % BOB_MESSAGES), timeout=10)
        t.send_keys("q")
        t.wait_exit(10)


def test_message_opens_and_its_body_is_cached():
    with start() as t:
        t.wait_for(r"Msgs:%d" % BOB_MESSAGES, timeout=60)
        t.wait_gone(r"Syncing", timeout=60)
        t.send_keys("Home", "Enter")
        t.wait_for(r"Line one of", timeout=20)
        t.send_keys("q")
        t.wait_for(r"Msgs:", timeout=10)
        t.send_keys("q")
        t.wait_exit(10)


def send_to_bob(subject):
    ctx = tls_context()
    ctx.check_hostname = False
    with smtplib.SMTP(HOST, int(E["TM_TEST_SUBMISSION_PORT"]), timeout=20) as s:
        s.starttls(context=ctx)
        s.login(E["TM_TEST_USER"], E["TM_TEST_PASS"])
        s.sendmail(E["TM_TEST_ADDR"], [E["TM_TEST_ADDR2"]],
                   "From: %s\r\nTo: %s\r\nSubject: %s\r\n\r\nhello\r\n"
                   % (E["TM_TEST_ADDR"], E["TM_TEST_ADDR2"], subject))


def test_new_mail_arrives_by_idle_without_a_key():
    with start() as t:
        t.wait_for(r"Msgs:%d" % BOB_MESSAGES, timeout=60)
        t.wait_gone(r"Syncing", timeout=60)
        time.sleep(1)  # let tmail enter IDLE
        subject = "pushed by idle %d" % os.getpid()
        send_to_bob(subject)
        t.wait_for(r"Msgs:%d" % (BOB_MESSAGES + 1), timeout=15)
        t.send_keys("End")
        t.wait_for(subject, timeout=5)
        t.send_keys("q")
        t.wait_exit(10)


def bob_imap():
    return Other(E["TM_TEST_USER2"], E["TM_TEST_PASS2"])


def subjects_in(o, mailbox):
    """The subjects of the messages in one of bob's mailboxes, as the server has them."""
    typ, _ = o.select('"%s"' % mailbox)
    assert typ == "OK", (mailbox, typ)
    typ, data = o.uid("SEARCH", None, "ALL")
    uids = data[0].split()
    found = []
    for uid in uids:
        typ, parts = o.uid("FETCH", uid, "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        header = parts[0][1].decode(errors="replace")
        found.append(header.split(":", 1)[1].strip() if ":" in header else "")
    return found


def test_browser_create_save_and_change_folder():
    subject = "folder test %d" % os.getpid()
    o = bob_imap()
    o.delete('"Projects"')  # a previous run's; an error when there is none
    o.select("INBOX")
    o.store("1:*", "-FLAGS.SILENT", r"(\Deleted)")  # nothing to purge when changing folders
    # Dated in the future, so that it is the last message of the index (End).
    o.append("INBOX", None, None,
             ("From: Carol <carol@example.test>\r\nTo: %s\r\nSubject: %s\r\n"
              "Date: Fri, 1 Jan 2100 10:00:00 +0000\r\nMessage-ID: <folder%d@example.test>\r\n"
              "\r\nmove me\r\n" % (E["TM_TEST_ADDR2"], subject, os.getpid())).encode())
    inbox = len(o.uids())
    o.logout()
    with start(cols=120, rows=30) as t:
        t.wait_for(r"Msgs:%d" % inbox, timeout=120)
        t.wait_gone(r"Syncing", timeout=120)
        t.send_keys("y")  # the mailbox browser, with the server's counts once listed
        t.wait_for("Mailboxes:", timeout=10)
        for name in ("INBOX", "Drafts", "Sent", "Trash", "Junk"):
            t.wait_for(re.compile(r"(?m)\d+/\d+ +(\[\w+\] +)?%s$" % name), timeout=20)
        t.wait_for(re.compile(r"(?m)\d+/%d +INBOX$" % inbox), timeout=10)
        t.wait_for(re.compile(r"(?m)\[Sent\] +Sent$"), timeout=10)
        t.wait_for(re.compile(r"(?m)\[Trash\] +Trash$"), timeout=10)
        t.send_keys("C")
        t.wait_for("Create mailbox:")
        t.type("Projects")
        t.send_keys("Enter")
        t.wait_for("Created Projects.", timeout=20)
        t.wait_for(re.compile(r"(?m)0/0 +Projects$"), timeout=10)
        t.send_keys("q")
        t.wait_for("q:Quit")
        t.send_keys("End")
        t.wait_for(subject)
        t.send_keys("s")
        t.wait_for("Save to mailbox:")
        t.type("Proj")
        t.send_keys("Tab")  # completes the name
        t.wait_for("Save to mailbox: Projects")
        t.send_keys("Enter")
        t.wait_for("Saved to Projects.", timeout=20)
        t.wait_for(r"Msgs:%d" % (inbox - 1), timeout=10)
        t.wait_gone(subject)
        t.send_keys("c")
        t.wait_for("Open mailbox:")
        t.type("Projects")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"/Projects \[Msgs:1"), timeout=20)
        t.wait_for(subject, timeout=20)
        t.send_keys("q")
        t.wait_exit(10)
    o = bob_imap()
    try:
        assert subjects_in(o, "Projects") == [subject], subjects_in(o, "Projects")
        assert subject not in subjects_in(o, "INBOX")
    finally:
        o.logout()


def test_tagged_messages_move_with_one_uid_move():
    tag = "bulktag%d" % os.getpid()
    o = bob_imap()
    o.delete('"Bulk"')  # a previous run's; an error when there is none
    o.create('"Bulk"')
    o.select("INBOX")
    for i in range(3):
        o.append("INBOX", None, None,
                 ("From: Carol <carol@example.test>\r\nTo: %s\r\nSubject: %s %d\r\n"
                  "Date: Fri, 1 Jan 2100 10:0%d:00 +0000\r\n"
                  "Message-ID: <bulk%d.%d@example.test>\r\n\r\nmove us\r\n"
                  % (E["TM_TEST_ADDR2"], tag, i, i, os.getpid(), i)).encode())
    inbox = len(o.uids())
    o.logout()
    with start(debug=True) as t:
        t.wait_for(r"Msgs:%d" % inbox, timeout=120)
        t.wait_gone(r"Syncing", timeout=120)
        t.send_keys("T")
        t.wait_for("Tag messages matching:")
        t.type("~s %s" % tag)
        t.send_keys("Enter")
        t.wait_for("3 messages tagged.", timeout=10)
        t.send_keys("\\;", "s")
        t.wait_for("Save to mailbox:")
        t.type("Bulk")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"Saved to Bulk\.|Create Bulk\?"), timeout=20)
        if "Create Bulk?" in t.screen():  # not listed yet: it exists, so nothing is created
            t.send_keys("y")
            t.wait_for("Saved to Bulk.", timeout=20)
        t.wait_for(r"Msgs:%d" % (inbox - 3), timeout=10)
        t.wait_gone("Tag:")
        t.send_keys("q")
        t.wait_exit(10)
        log = open(os.path.join(t.home, ".local", "state", "tmail", "tmail.log"),
                   errors="replace").read()
    moves = re.findall(r"> \S+ UID MOVE (\S+) ", log)
    copies = re.findall(r"> \S+ UID COPY ", log)
    assert len(moves) == 1 and not copies, (moves, copies)
    assert re.fullmatch(r"\d+(:\d+)?(,\d+(:\d+)?)*", moves[0]) and (
        ":" in moves[0] or moves[0].count(",") == 2), moves
    o = bob_imap()
    try:
        moved = sorted(subjects_in(o, "Bulk"))
        assert moved == ["%s %d" % (tag, i) for i in range(3)], moved
        assert not [x for x in subjects_in(o, "INBOX") if x.startswith(tag)]
    finally:
        o.logout()


def test_password_is_asked_without_echo_when_the_account_has_none():
    with start(with_password=False) as t:
        t.wait_for("Password for bob:", timeout=20)
        t.type(E["TM_TEST_PASS2"])
        time.sleep(0.2)
        assert E["TM_TEST_PASS2"] not in t.text(), "the password is shown while typed"
        t.send_keys("Enter")
        t.wait_for(re.compile(r"Msgs:\d+"), timeout=30)
        t.wait_gone("Password for", timeout=10)
        assert E["TM_TEST_PASS2"] not in t.text()
        t.send_keys("q")
        t.wait_exit(10)


def test_flag_changed_offline_is_replayed_when_the_server_is_back():
    o = Other(E["TM_TEST_USER2"], E["TM_TEST_PASS2"])
    o.select("INBOX")
    o.uid("STORE", "1:*", "-FLAGS.SILENT", r"(\Flagged)")
    o.logout()
    proxy = Proxy(E["TM_TEST_IMAPS_PORT"], src="127.0.0.1")
    try:
        with start(port=proxy.port) as t:
            t.wait_for(re.compile(r"Msgs:[1-9]"), timeout=60)
            t.wait_gone("Syncing", timeout=60)
            proxy.close()  # the network is gone: IDLE breaks, nothing reaches the server
            time.sleep(1)
            t.send_keys("F")  # flag the first message while offline
            t.wait_for(re.compile(r"(?m)^\s*\d+ .!"), timeout=10)  # the cache shows it at once
            o = Other(E["TM_TEST_USER2"], E["TM_TEST_PASS2"])
            o.select("INBOX")
            typ, data = o.uid("SEARCH", None, "FLAGGED")
            o.logout()
            assert data[0].split() == [], "flag reached the server while offline: %r" % data
            proxy.reopen()
            time.sleep(3)  # past the first reconnect backoff
            t.send_keys("$")  # sync now
            deadline = time.time() + 20
            flagged = []
            while time.time() < deadline and not flagged:
                time.sleep(0.5)
                o = Other(E["TM_TEST_USER2"], E["TM_TEST_PASS2"])
                o.select("INBOX")
                flagged = o.uid("SEARCH", None, "FLAGGED")[1][0].split()
                o.logout()
            assert len(flagged) == 1, "the queued flag change was not replayed: %r" % flagged
            t.send_keys("x")
            t.wait_exit(10)
    finally:
        proxy.close()


def test_dropped_idle_connection_is_made_again_and_new_mail_still_arrives():
    proxy = Proxy(E["TM_TEST_IMAPS_PORT"], src="127.0.0.1")
    try:
        with start(port=proxy.port) as t:
            m = t.wait_for(re.compile(r"Msgs:([1-9]\d*)"), timeout=60)
            t.wait_gone("Syncing", timeout=60)
            count = bob_count()
            t.wait_for("Msgs:%d" % count, timeout=20)
            time.sleep(1)
            proxy.drop()  # IDLE's connection is cut under tmail's feet
            time.sleep(1)
            send_to_bob("after the drop %d" % os.getpid())
            t.wait_for("Msgs:%d" % (count + 1), timeout=20)
            t.send_keys("x")
            t.wait_exit(10)
            assert m
    finally:
        proxy.close()


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
