#!/usr/bin/env python3
"""test_fixture.py ENVFILE - proves that the mail servers started by servers/start.sh behave as
tmail's integration tests expect: TLS with the test CA, STARTTLS really required, logins over IMAP,
IMAPS, POP3, POP3S, authenticated submission delivering through LMTP into the mailboxes, and direct
LMTP delivery. Python 3 standard library only.

ENVFILE is argv[1] or $TM_TEST_ENV. Prints "ok NAME" or "FAIL NAME: reason" per check, then one line
"N passed, M failed"; exits 0 iff everything passed.
"""

import imaplib
import os
import poplib
import smtplib
import socket
import ssl
import sys
import time
import traceback
import uuid

TIMEOUT = 10  # seconds, per network operation
DELIVERY_WAIT = 15  # seconds to wait for a submitted message to reach a mailbox


def load_env(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                env[key] = value
    return env


if len(sys.argv) > 1:
    ENV_PATH = sys.argv[1]
else:
    ENV_PATH = os.environ.get("TM_TEST_ENV", "")
if not ENV_PATH:
    sys.exit("usage: test_fixture.py ENVFILE (or set TM_TEST_ENV)")
E = load_env(ENV_PATH)
HOST = E["TM_TEST_HOST"]
TLS_NAME = E["TM_TEST_TLS_NAME"]


def tls_context():
    """A client context that trusts only the test CA and checks the name "localhost"."""
    ctx = ssl.create_default_context(cafile=E["TM_TEST_CA"])
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


# The clients below always connect to HOST (127.0.0.1), optionally from another loopback source
# address, while TLS checks the certificate against TLS_NAME ("localhost").


class IMAP(imaplib.IMAP4):
    def __init__(self, port, src="127.0.0.1", implicit_tls=None):
        self._src, self._implicit_tls = src, implicit_tls
        super().__init__(TLS_NAME, int(port), timeout=TIMEOUT)

    def _create_socket(self, timeout):
        sock = socket.create_connection((HOST, self.port), timeout, source_address=(self._src, 0))
        if self._implicit_tls:
            sock = self._implicit_tls.wrap_socket(sock, server_hostname=TLS_NAME)
        return sock


class POP3(poplib.POP3):
    def __init__(self, port, src="127.0.0.1", implicit_tls=None):
        self._src, self._implicit_tls = src, implicit_tls
        super().__init__(TLS_NAME, int(port), timeout=TIMEOUT)

    def _create_socket(self, timeout):
        sock = socket.create_connection((HOST, self.port), timeout, source_address=(self._src, 0))
        if self._implicit_tls:
            sock = self._implicit_tls.wrap_socket(sock, server_hostname=TLS_NAME)
        return sock


class SMTP(smtplib.SMTP):
    def __init__(self, port, src="127.0.0.1", implicit_tls=None):
        self._implicit_tls = implicit_tls
        super().__init__(TLS_NAME, int(port), local_hostname="client.example.test",
                         timeout=TIMEOUT, source_address=(src, 0))

    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((HOST, port), timeout, self.source_address)
        if self._implicit_tls:
            sock = self._implicit_tls.wrap_socket(sock, server_hostname=TLS_NAME)
        return sock


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def make_message(sender, rcpt, tag):
    """A message with a unique subject; the body has a dot-stuffing case and a long-ish line."""
    subject = "tmail fixture %s" % tag
    body = ("Hello from the tmail fixture.\r\n"
            ".a line that starts with a dot\r\n"
            "..two dots\r\n"
            + "x" * 200 + "\r\n"
            "token %s\r\n" % tag)
    msg = ("From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s@client.example.test>\r\n"
           "Date: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n%s"
           % (sender, rcpt, subject, tag, time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime()),
              body))
    return subject, body, msg


def body_of(raw):
    raw = raw.replace(b"\r\n", b"\n")
    return raw.split(b"\n\n", 1)[1].decode("ascii") if b"\n\n" in raw else ""


def same_body(got, want):
    return got.replace("\r\n", "\n").rstrip("\n") == want.replace("\r\n", "\n").rstrip("\n")


def imap_wait_for(user, password, subject, want_body):
    """Poll INBOX over IMAPS until a message with this subject appears; check its body."""
    deadline = time.monotonic() + DELIVERY_WAIT
    while True:
        imap = IMAP(E["TM_TEST_IMAPS_PORT"], implicit_tls=tls_context())
        try:
            imap.login(user, password)
            imap.select("INBOX", readonly=True)
            tag = subject.split()[-1]
            typ, data = imap.search(None, "HEADER", "Subject", tag)
            check(typ == "OK", "SEARCH failed: %r" % data)
            nums = data[0].split()
            if nums:
                check(len(nums) == 1, "expected one message, found %d" % len(nums))
                typ, data = imap.fetch(nums[0], "(BODY.PEEK[])")
                check(typ == "OK", "FETCH failed: %r" % data)
                raw = data[0][1]
                check(("Subject: " + subject).encode() in raw, "subject not in fetched message")
                got = body_of(raw)
                check(same_body(got, want_body), "body differs: %r" % got)
                return
        finally:
            try:
                imap.logout()
            except Exception:
                pass
        if time.monotonic() > deadline:
            raise Failure("message %r not in %s's INBOX after %ds" % (subject, user, DELIVERY_WAIT))
        time.sleep(0.2)


# ---- the checks ------------------------------------------------------------------------------

def t_imap_starttls_login():
    imap = IMAP(E["TM_TEST_IMAP_PORT"])
    check("STARTTLS" in imap.capabilities, "no STARTTLS in %r" % (imap.capabilities,))
    imap.starttls(tls_context())
    cert = imap.sock.getpeercert()
    check(cert, "no peer certificate")
    typ, _ = imap.login(E["TM_TEST_USER"], E["TM_TEST_PASS"])
    check(typ == "OK", "LOGIN not OK")
    typ, data = imap.select("INBOX")
    check(typ == "OK", "SELECT INBOX failed: %r" % data)
    imap.logout()


def t_imap_plaintext_login_refused():
    imap = IMAP(E["TM_TEST_IMAP_PORT"], src="127.0.0.2")
    caps = imap.capabilities
    check("STARTTLS" in caps, "no STARTTLS in %r" % (caps,))
    try:
        imap.login(E["TM_TEST_USER"], E["TM_TEST_PASS"])
    except imaplib.IMAP4.error:
        pass  # refused, as it should be
    else:
        raise Failure("plaintext LOGIN succeeded without STARTTLS (caps %r)" % (caps,))
    check("LOGINDISABLED" in caps, "LOGINDISABLED not advertised: %r" % (caps,))
    imap.logout()


def t_imaps_login():
    imap = IMAP(E["TM_TEST_IMAPS_PORT"], implicit_tls=tls_context())
    imap.login(E["TM_TEST_USER2"], E["TM_TEST_PASS2"])
    typ, data = imap.select("INBOX")
    check(typ == "OK", "SELECT INBOX failed: %r" % data)
    typ, data = imap.list()
    check(typ == "OK" and any(b"\\Sent" in line for line in data),
          "no \\Sent special-use mailbox in LIST: %r" % data)
    imap.logout()


def t_tls_untrusted_refused():
    # A client that does not trust the test CA must fail the handshake.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # no CAs loaded
    try:
        IMAP(E["TM_TEST_IMAPS_PORT"], implicit_tls=ctx).logout()
    except ssl.SSLCertVerificationError:
        return
    raise Failure("handshake succeeded without trusting the test CA")


def t_tls_wrong_name_refused():
    sock = socket.create_connection((HOST, int(E["TM_TEST_IMAPS_PORT"])), TIMEOUT)
    try:
        tls_context().wrap_socket(sock, server_hostname="not-localhost.example").close()
    except ssl.SSLCertVerificationError:
        return
    finally:
        sock.close()
    raise Failure("certificate accepted for the wrong host name")


def t_pop3_stls_login():
    pop = POP3(E["TM_TEST_POP3_PORT"])
    check("STLS" in pop.capa(), "no STLS in CAPA")
    pop.stls(tls_context())
    pop.user(E["TM_TEST_USER"])
    pop.pass_(E["TM_TEST_PASS"])
    pop.stat()
    pop.quit()


def t_pop3_plaintext_login_refused():
    pop = POP3(E["TM_TEST_POP3_PORT"], src="127.0.0.2")
    try:
        pop.user(E["TM_TEST_USER"])
        pop.pass_(E["TM_TEST_PASS"])
    except poplib.error_proto:
        pass
    else:
        raise Failure("plaintext USER/PASS succeeded without STLS")
    pop.quit()


def t_pop3s_login():
    pop = POP3(E["TM_TEST_POP3S_PORT"], implicit_tls=tls_context())
    pop.user(E["TM_TEST_USER2"])
    pop.pass_(E["TM_TEST_PASS2"])
    pop.stat()
    pop.quit()


def t_submission_requires_starttls():
    smtp = SMTP(E["TM_TEST_SUBMISSION_PORT"], src="127.0.0.2")
    code, _ = smtp.ehlo()
    check(code == 250, "EHLO: %d" % code)
    check(smtp.has_extn("starttls"), "STARTTLS not offered")
    check(not smtp.has_extn("auth"), "AUTH offered before STARTTLS")
    code, resp = smtp.mail(E["TM_TEST_ADDR"])
    check(code >= 500, "MAIL FROM without TLS accepted: %d %r" % (code, resp))
    smtp.quit()


def t_submission_auth_and_deliver():
    smtp = SMTP(E["TM_TEST_SUBMISSION_PORT"])
    smtp.starttls(context=tls_context())
    smtp.ehlo()
    check(smtp.has_extn("auth"), "AUTH not offered after STARTTLS")
    auth = smtp.esmtp_features["auth"].upper().split()
    check("PLAIN" in auth and "LOGIN" in auth, "AUTH mechanisms: %r" % auth)
    smtp.login(E["TM_TEST_USER"], E["TM_TEST_PASS"])
    subject, body, msg = make_message(E["TM_TEST_ADDR"], E["TM_TEST_ADDR2"], uuid.uuid4().hex)
    refused = smtp.sendmail(E["TM_TEST_ADDR"], [E["TM_TEST_ADDR2"]], msg)
    check(not refused, "recipients refused: %r" % refused)
    smtp.quit()
    imap_wait_for(E["TM_TEST_USER2"], E["TM_TEST_PASS2"], subject, body)


def t_submissions_auth_and_deliver():
    smtp = SMTP(E["TM_TEST_SUBMISSIONS_PORT"], implicit_tls=tls_context())
    smtp.ehlo()
    check(smtp.has_extn("auth"), "AUTH not offered on implicit TLS")
    smtp.login(E["TM_TEST_USER2"], E["TM_TEST_PASS2"])
    subject, body, msg = make_message(E["TM_TEST_ADDR2"], E["TM_TEST_ADDR"], uuid.uuid4().hex)
    smtp.sendmail(E["TM_TEST_ADDR2"], [E["TM_TEST_ADDR"]], msg)
    smtp.quit()
    imap_wait_for(E["TM_TEST_USER"], E["TM_TEST_PASS"], subject, body)


def t_submission_foreign_rcpt_refused():
    # Even an authenticated user cannot send anywhere outside the test domain.
    smtp = SMTP(E["TM_TEST_SUBMISSION_PORT"])
    smtp.starttls(context=tls_context())
    smtp.ehlo()
    smtp.login(E["TM_TEST_USER"], E["TM_TEST_PASS"])
    code, resp = smtp.mail(E["TM_TEST_ADDR"])
    check(code == 250, "MAIL FROM: %d %r" % (code, resp))
    for rcpt in ("someone@example.com", "nobody@" + E["TM_TEST_DOMAIN"]):
        code, resp = smtp.rcpt(rcpt)
        check(code >= 500, "RCPT TO:<%s> accepted: %d %r" % (rcpt, code, resp))
    smtp.quit()


def _lmtp_deliver(lmtp, rcpt_addr):
    subject, body, msg = make_message("fixture@client.example.test", rcpt_addr, uuid.uuid4().hex)
    refused = lmtp.sendmail("fixture@client.example.test", [rcpt_addr], msg)
    check(not refused, "LMTP refused: %r" % refused)
    lmtp.quit()
    return subject, body


def t_lmtp_unix_deliver_pop3():
    lmtp = smtplib.LMTP(E["TM_TEST_LMTP_SOCKET"], timeout=TIMEOUT)
    subject, body = _lmtp_deliver(lmtp, E["TM_TEST_ADDR"])
    # LMTP answers only after the message is stored, so it is visible at once.
    pop = POP3(E["TM_TEST_POP3S_PORT"], implicit_tls=tls_context())
    pop.user(E["TM_TEST_USER"])
    pop.pass_(E["TM_TEST_PASS"])
    count, _ = pop.stat()
    for i in range(count, 0, -1):
        _, lines, _ = pop.retr(i)
        raw = b"\r\n".join(lines)
        if ("Subject: " + subject).encode() in raw:
            got = body_of(raw)
            check(same_body(got, body), "body differs: %r" % got)
            pop.quit()
            return
    pop.quit()
    raise Failure("message delivered over LMTP not seen over POP3 (%d messages)" % count)


def t_lmtp_tcp_deliver_imap():
    lmtp = smtplib.LMTP(HOST, int(E["TM_TEST_LMTP_PORT"]), timeout=TIMEOUT)
    subject, body = _lmtp_deliver(lmtp, E["TM_TEST_ADDR2"])
    imap_wait_for(E["TM_TEST_USER2"], E["TM_TEST_PASS2"], subject, body)


def t_submission_wrong_password_refused():
    # Last: Dovecot delays failed authentications (about 2 s), so use a source address of its own.
    smtp = SMTP(E["TM_TEST_SUBMISSION_PORT"], src="127.0.0.3")
    smtp.starttls(context=tls_context())
    smtp.ehlo()
    # One AUTH PLAIN attempt (smtp.login() would go on to try AUTH LOGIN too, doubling the delay).
    smtp.user, smtp.password = E["TM_TEST_USER"], E["TM_TEST_PASS"] + "-wrong"
    try:
        smtp.auth("PLAIN", smtp.auth_plain)
    except smtplib.SMTPAuthenticationError:
        pass
    else:
        raise Failure("AUTH with a wrong password succeeded")
    # Postfix delays client restrictions to RCPT time, so MAIL FROM may still get 250.
    smtp.mail(E["TM_TEST_ADDR"])
    code, resp = smtp.rcpt(E["TM_TEST_ADDR2"])
    check(code >= 500, "RCPT TO after failed AUTH accepted: %d %r" % (code, resp))
    smtp.quit()


CHECKS = [
    ("imap_starttls_login", t_imap_starttls_login),
    ("imap_plaintext_login_refused", t_imap_plaintext_login_refused),
    ("imaps_login", t_imaps_login),
    ("tls_untrusted_refused", t_tls_untrusted_refused),
    ("tls_wrong_name_refused", t_tls_wrong_name_refused),
    ("pop3_stls_login", t_pop3_stls_login),
    ("pop3_plaintext_login_refused", t_pop3_plaintext_login_refused),
    ("pop3s_login", t_pop3s_login),
    ("submission_requires_starttls", t_submission_requires_starttls),
    ("submission_auth_and_deliver", t_submission_auth_and_deliver),
    ("submissions_auth_and_deliver", t_submissions_auth_and_deliver),
    ("submission_foreign_rcpt_refused", t_submission_foreign_rcpt_refused),
    ("lmtp_unix_deliver_pop3", t_lmtp_unix_deliver_pop3),
    ("lmtp_tcp_deliver_imap", t_lmtp_tcp_deliver_imap),
    ("submission_wrong_password_refused", t_submission_wrong_password_refused),
]


def main():
    passed = failed = 0
    for name, fn in CHECKS:
        t0 = time.monotonic()
        try:
            fn()
        except Failure as e:
            print("FAIL %s: %s" % (name, e))
            failed += 1
        except Exception as e:  # an unexpected exception is a failure too
            # Report the innermost line of this file, not of the standard library.
            frames = [f for f in traceback.extract_tb(e.__traceback__) if f.filename == __file__]
            line = frames[-1].lineno if frames else 0
            print("FAIL %s: %s: %s (test_fixture.py line %d)" % (name, type(e).__name__, e, line))
            failed += 1
        else:
            if os.environ.get("TM_TEST_VERBOSE"):
                print("ok %s (%.2fs)" % (name, time.monotonic() - t0))
            else:
                print("ok %s" % name)
            passed += 1
        sys.stdout.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
