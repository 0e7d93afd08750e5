"""test_send.py - sending through the fixture's Postfix submission server with `tmail -s`: what
arrives at bob over IMAP (decoded byte for byte, attachments, UTF-8, Bcc invisible), the Sent
copy, a wrong password, STARTTLS stripped by a proxy, a connection cut in the middle of DATA
(the message stays in the outbox and `tmail --sync` sends it once), a connection that dies after
the final dot, and a refused recipient. Python 3 standard library only."""

import email
import email.policy
import os
import re
import socket
import sqlite3
import struct
import subprocess
import sys
import threading
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imap_support import E, HOST, TMAIL, FakeServer, Home, Other, Proxy, run_tests  # noqa: E402

SUBMISSION = int(E["TM_TEST_SUBMISSION_PORT"])
SUBMISSIONS = int(E["TM_TEST_SUBMISSIONS_PORT"])
ALICE, BOB = E["TM_TEST_ADDR"], E["TM_TEST_ADDR2"]


def home(smtp=None, extra="", password=None):
    smtp = smtp or "smtp://%s@%s:%d" % (E["TM_TEST_USER"], HOST, SUBMISSION)
    return Home(password=password,
                extra="  set smtp = %s\n  set from = \"Alice Test <%s>\"\n%s" % (smtp, ALICE, extra))


def send(h, args, body=b"Hello Bob.\n", timeout=120):
    p = subprocess.run([TMAIL, "-F", h.rc] + args, env=h.env(), input=body, capture_output=True,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def find(user, password, subject, mailbox="INBOX", wait=20, count=1):
    """The raw messages of mailbox whose Subject contains subject, waiting up to wait seconds for
    count of them (Postfix delivers asynchronously)."""
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
        if len(found) >= count or time.time() > deadline:
            return found
        time.sleep(0.3)


def at_bob(subject, **kw):
    return find(E["TM_TEST_USER2"], E["TM_TEST_PASS2"], subject, **kw)


def outbox(h):
    with h.db() as c:
        return c.execute("SELECT state, attempts, maybe_sent, last_reply, rcpts FROM outbox"
                         ).fetchall()


def tag():
    return uuid.uuid4().hex[:10]


def test_plain_message_arrives_and_sent_copy_is_seen():
    h = home()
    t = tag()
    rc, out, err = send(h, ["-s", "plain " + t, "--", BOB])
    assert rc == 0, err
    got = at_bob("plain " + t)
    assert len(got) == 1, got
    msg = email.message_from_bytes(got[0][0], policy=email.policy.default)
    assert msg["From"] == "Alice Test <%s>" % ALICE, msg["From"]
    assert msg.get_content().replace("\r\n", "\n") == "Hello Bob.\n"
    assert msg["Message-ID"] and msg["Date"]
    sent = find(E["TM_TEST_USER"], E["TM_TEST_PASS"], "plain " + t, mailbox="Sent", wait=5)
    assert len(sent) == 1 and "\\Seen" in sent[0][1], sent
    assert outbox(h) == [], outbox(h)
    h.cleanup()


def test_utf8_and_two_attachments_decode_to_the_same_bytes():
    h = home()
    t = tag()
    binary = bytes(range(256)) * 300 + b"\x00end"
    text = "Zeile mit Umlauten: äöü\nsecond line\n".encode()
    d = h.dir
    with open(os.path.join(d, "blob.bin"), "wb") as f:
        f.write(binary)
    with open(os.path.join(d, "notes.txt"), "wb") as f:
        f.write(text)
    body = "Grüße aus Köln — ☕ and 日本語\n".encode()
    subject = "Übergrößenträger ☕ " + t
    rc, out, err = send(h, ["-s", subject, "-a", os.path.join(d, "blob.bin"),
                            os.path.join(d, "notes.txt"), "--", BOB], body=body)
    assert rc == 0, err
    got = at_bob(t)
    assert len(got) == 1, got
    msg = email.message_from_bytes(got[0][0], policy=email.policy.default)
    assert msg["Subject"] == subject, msg["Subject"]
    parts = list(msg.iter_parts())
    assert len(parts) == 3, [p.get_content_type() for p in parts]
    assert parts[0].get_content().replace("\r\n", "\n") == body.decode()
    assert parts[1].get_filename() == "blob.bin"
    assert parts[1].get_payload(decode=True) == binary
    assert parts[2].get_filename() == "notes.txt"
    assert parts[2].get_content_type() == "text/plain"
    assert parts[2].get_payload(decode=True).replace(b"\r\n", b"\n") == text
    h.cleanup()


def test_bcc_is_delivered_and_invisible():
    h = home()
    t = tag()
    rc, out, err = send(h, ["-s", "bcc " + t, "-b", BOB, "--", ALICE])
    assert rc == 0, err
    got = at_bob("bcc " + t)
    assert len(got) == 1, got
    assert b"\nBcc:" not in got[0][0] and BOB.encode() not in got[0][0].split(b"\r\n\r\n")[0]
    mine = find(E["TM_TEST_USER"], E["TM_TEST_PASS"], "bcc " + t)
    assert len(mine) == 1 and b"Bcc:" not in mine[0][0]
    h.cleanup()


def test_implicit_tls_port_465_style():
    h = home(smtp="smtps://%s@%s:%d" % (E["TM_TEST_USER"], HOST, SUBMISSIONS))
    t = tag()
    rc, out, err = send(h, ["-s", "smtps " + t, "--", BOB])
    assert rc == 0, err
    assert len(at_bob("smtps " + t)) == 1
    h.cleanup()


def test_refused_recipient_is_named_and_nothing_is_sent():
    h = home()
    t = tag()
    nobody = "nobody-%s@%s" % (t, E["TM_TEST_DOMAIN"])
    rc, out, err = send(h, ["-s", "refused " + t, "--", BOB, nobody])
    assert rc == 1, (rc, err)
    assert nobody in err and "5" in err, err
    rows = outbox(h)
    assert len(rows) == 1 and rows[0][0] == 2, rows  # held for the person
    assert at_bob("refused " + t, wait=2, count=1) == []
    h.cleanup()


def test_starttls_stripped_is_refused_before_any_credential():
    strip = lambda data: data.replace(b"STARTTLS", b"XXXXXXXX")  # noqa: E731
    proxy = Proxy(SUBMISSION, server_filter=strip)
    h = home(smtp="smtp://%s@%s:%d" % (E["TM_TEST_USER"], HOST, proxy.port))
    rc, out, err = send(h, ["-s", "stripped", "--", BOB])
    proxy.close()
    assert rc == 1, err
    assert "STARTTLS" in err, err
    assert b"AUTH" not in bytes(proxy.client_bytes) and b"MAIL" not in bytes(proxy.client_bytes)
    assert len(outbox(h)) == 1  # kept
    h.cleanup()


def test_cut_mid_data_keeps_the_message_and_sync_sends_it_once():
    proxy = CuttingProxy(SUBMISSIONS, cut_client_after=150000)
    h = home(smtp="smtps://%s@%s:%d" % (E["TM_TEST_USER"], HOST, proxy.port))
    t = tag()
    big = os.path.join(h.dir, "big.bin")
    with open(big, "wb") as f:
        f.write(os.urandom(6 * 1024 * 1024))  # more than the kernel buffers hold
    rc, out, err = send(h, ["-s", "cut " + t, "-a", big, "--", BOB])
    assert rc == 1, err
    rows = outbox(h)
    assert len(rows) == 1 and rows[0][0] == 0 and rows[0][1] == 1, rows  # queued, one try
    assert rows[0][2] == 0, rows  # the dot never went: no duplicate possible
    proxy.cut_client_after = None
    p = subprocess.run([TMAIL, "-F", h.rc, "--sync"], env=h.env(), capture_output=True, text=True,
                       timeout=120, stdin=subprocess.DEVNULL)
    assert "1 queued messages sent" in p.stdout, (p.stdout, p.stderr)
    assert outbox(h) == []
    got = at_bob("cut " + t, count=2, wait=4)
    assert len(got) == 1, len(got)
    proxy.close()
    h.cleanup()


def test_wrong_password_is_a_clear_error():
    h = home(password="not-the-password")
    # IMAP is not touched by -s; the SMTP login fails (Dovecot delays a wrong password ~2 s)
    rc, out, err = send(h, ["-s", "wrong password", "--", BOB])
    assert rc == 1, err
    assert "535" in err or "uthentication" in err, err
    assert "not-the-password" not in err
    rows = outbox(h)
    assert len(rows) == 1 and rows[0][0] == 2, rows  # held: asking again needs the person
    h.cleanup()


class CuttingProxy(Proxy):
    """A proxy that stops passing on what the client sends once it has sent cut_client_after
    bytes, holds the connection for a moment (so the client blocks in the middle of DATA: the
    proxy's small receive buffer and the message's size leave no room for the whole content in
    the kernel's buffers) and then closes both sides."""

    def __init__(self, port, cut_client_after):
        self.cut_client_after = cut_client_after
        super().__init__(port, src="127.0.0.1")
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)  # inherited by accept

    def _pump(self, src, dst, from_server):
        sent = 0
        try:
            while True:
                data = src.recv(16384)
                if not data:
                    break
                if not from_server:
                    sent += len(data)
                    if self.cut_client_after is not None and sent > self.cut_client_after:
                        time.sleep(1.5)
                        # a reset, as a dying middlebox sends: unread bytes make close() send
                        # RST, and linger 0 makes sure of it
                        src.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
                        src.close()
                        dst.close()
                        return
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def smtp_fake(final_reply, ehlo=b"250-fake\r\n250-PIPELINING\r\n250 8BITMIME\r\n"):
    """A plain-text SMTP server that takes one message and answers the final dot with
    final_reply (None: closes the connection instead). Records the DATA it got."""
    state = {"data": []}

    def handler(srv, c):
        c.sendall(b"220 fake ESMTP\r\n")
        data = None
        while True:
            line = srv.read_line(c)
            if not line:
                return
            if data is not None:
                if line == b".\r\n":
                    state["data"].append(b"".join(data))
                    data = None
                    if final_reply is None:
                        return
                    c.sendall(final_reply)
                else:
                    data.append(line)
                continue
            cmd = line[:4].upper()
            if cmd == b"EHLO":
                c.sendall(ehlo)
            elif cmd in (b"MAIL", b"RCPT", b"RSET"):
                c.sendall(b"250 ok\r\n")
            elif cmd == b"DATA":
                c.sendall(b"354 go\r\n")
                data = []
            elif cmd == b"QUIT":
                c.sendall(b"221 bye\r\n")
                return
            else:
                c.sendall(b"502 no\r\n")

    srv = FakeServer(handler)
    return srv, state


def test_connection_lost_after_the_dot_is_shown_as_maybe_sent():
    srv, state = smtp_fake(None)
    h = Home(extra="  set smtp = smtp://%s:%d\n  set tls = off\n  set allow_plaintext_auth = yes\n"
             "  set from = %s\n" % (HOST, srv.port, ALICE))
    rc, out, err = send(h, ["-s", "maybe", "--", BOB])
    assert rc == 1, err
    assert "may have been delivered" in err and "kept in the outbox" in err, err
    rows = outbox(h)
    assert len(rows) == 1 and rows[0][0] == 0 and rows[0][2] == 1, rows
    assert len(state["data"]) == 1
    srv.close()
    ok, state2 = smtp_fake(b"250 2.0.0 queued as 42\r\n")
    with open(h.rc) as f:
        rc_text = f.read()
    with open(h.rc, "w") as f:
        f.write(rc_text.replace(":%d" % srv.port, ":%d" % ok.port))
    p = subprocess.run([TMAIL, "-F", h.rc, "--sync"], env=h.env(), capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    assert "1 queued messages sent" in p.stdout, (p.stdout, p.stderr)
    assert "twice" in p.stderr, p.stderr
    assert outbox(h) == []
    ok.close()
    h.cleanup()


def test_tmail_killed_mid_send_loses_nothing():
    """The server takes the content but never answers the final dot; tmail is killed while it
    waits. The message is still in the outbox (marked as possibly sent), and the next
    tmail --sync sends it, saying it may arrive twice."""
    got_dot = threading.Event()

    def silent_after_dot(srv, c):
        c.sendall(b"220 fake ESMTP\r\n")
        in_data = False
        while True:
            line = srv.read_line(c)
            if not line:
                return
            if in_data:
                if line == b".\r\n":
                    got_dot.set()
                    time.sleep(30)  # never answers
                    return
                continue
            cmd = line[:4].upper()
            if cmd == b"EHLO":
                c.sendall(b"250-fake\r\n250 PIPELINING\r\n")
            elif cmd in (b"MAIL", b"RCPT"):
                c.sendall(b"250 ok\r\n")
            elif cmd == b"DATA":
                c.sendall(b"354 go\r\n")
                in_data = True
            else:
                c.sendall(b"502 no\r\n")

    srv = FakeServer(silent_after_dot)
    h = Home(extra="  set smtp = smtp://%s:%d\n  set tls = off\n  set allow_plaintext_auth = yes\n"
             "  set from = %s\n" % (HOST, srv.port, ALICE))
    p = subprocess.Popen([TMAIL, "-F", h.rc, "-s", "killed", "--", BOB], env=h.env(),
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    p.stdin.write(b"body\n")
    p.stdin.close()
    assert got_dot.wait(30), "the fake server never got the final dot"
    p.kill()
    p.wait(10)
    rows = outbox(h)
    assert len(rows) == 1 and rows[0][0] == 1, rows  # SENDING: the dot went, no reply came
    srv.close()
    ok, state = smtp_fake(b"250 2.0.0 queued\r\n")
    with open(h.rc) as f:
        rc_text = f.read()
    with open(h.rc, "w") as f:
        f.write(rc_text.replace(":%d" % srv.port, ":%d" % ok.port))
    r = subprocess.run([TMAIL, "-F", h.rc, "--sync"], env=h.env(), capture_output=True, text=True,
                       timeout=60, stdin=subprocess.DEVNULL)
    assert "1 queued messages sent" in r.stdout, (r.stdout, r.stderr)
    assert "twice" in r.stderr, r.stderr
    assert len(state["data"]) == 1 and b"Subject: killed" in state["data"][0]
    assert outbox(h) == []
    ok.close()
    h.cleanup()


def test_international_address_goes_with_smtputf8_or_is_held():
    jurgen = "j\u00fcrgen@b\u00fccher.example"
    ok, state = smtp_fake(b"250 2.0.0 queued\r\n",
                          ehlo=b"250-fake\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
    h = Home(extra="  set smtp = smtp://%s:%d\n  set tls = off\n  set allow_plaintext_auth = yes\n"
             "  set from = %s\n" % (HOST, ok.port, ALICE))
    rc, out, err = send(h, ["-s", "utf8 address", "-c", jurgen, "--", BOB])
    assert rc == 0, err
    sent = bytes(ok.received)
    assert re.search(rb"MAIL FROM:<[^>]*> [^\r]*SMTPUTF8", sent), sent[:300]
    assert ("RCPT TO:<%s>" % jurgen).encode() in sent, sent[:400]
    assert ("Cc: %s" % jurgen).encode() in state["data"][0], state["data"][0][:400]
    ok.close()
    plain, _ = smtp_fake(b"250 2.0.0 queued\r\n")  # no SMTPUTF8
    with open(h.rc) as f:
        rc_text = f.read()
    with open(h.rc, "w") as f:
        f.write(rc_text.replace(":%d" % ok.port, ":%d" % plain.port))
    rc, out, err = send(h, ["-s", "utf8 address again", "-c", jurgen, "--", BOB])
    assert rc == 1 and "SMTPUTF8" in err, err
    assert b"MAIL FROM" not in bytes(plain.received)
    rows = outbox(h)
    assert len(rows) == 1 and rows[0][0] == 2, rows  # held: no server change makes it go
    plain.close()
    h.cleanup()


if __name__ == "__main__":
    run_tests(globals())
