"""imap_support.py - what the IMAP integration tests share: the fixture's env file, a tmail run
with its own HOME/XDG directories and tmailrc, a second IMAP client (Python's imaplib, "another
client"), reading tmail's SQLite cache, and small in-test servers and proxies on 127.0.0.1 that
misbehave on purpose (STARTTLS stripped, PREAUTH, response injection, a connection cut after N
bytes). Python 3 standard library only.
"""

import imaplib
import os
import shutil
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time

TIMEOUT = 15


def load_env(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                env[key] = value
    return env


ENV_PATH = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("TM_TEST_ENV", "")
if not ENV_PATH:
    sys.exit("usage: test_imap*.py ENVFILE (or set TM_TEST_ENV)")
E = load_env(ENV_PATH)
HOST = E["TM_TEST_HOST"]
TLS_NAME = E["TM_TEST_TLS_NAME"]
TMAIL = os.environ.get("TMAIL_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
    "build-test", "src", "tmail")


def tls_context():
    ctx = ssl.create_default_context(cafile=E["TM_TEST_CA"])
    ctx.check_hostname = True
    return ctx


class Other(imaplib.IMAP4_SSL):
    """Another client of alice's (or bob's) mailbox, over IMAPS with the test CA."""

    def __init__(self, user=None, password=None):
        super().__init__(HOST, int(E["TM_TEST_IMAPS_PORT"]), ssl_context=self._ctx(),
                         timeout=TIMEOUT)
        self.login(user or E["TM_TEST_USER"], password or E["TM_TEST_PASS"])

    @staticmethod
    def _ctx():
        ctx = ssl.create_default_context(cafile=E["TM_TEST_CA"])
        ctx.check_hostname = False  # connected by IP; the IP SAN is checked by tmail's tests
        return ctx

    def uids(self, mailbox="INBOX"):
        self.select('"%s"' % mailbox)
        typ, data = self.uid("SEARCH", None, "ALL")
        return [int(x) for x in data[0].split()]


def make_message(i, subject=None, body=None, extra=""):
    subject = subject or "Message number %d" % i
    body = body or "Body of message %d.\r\n" % i
    return ("From: Sender %d <sender%d@example.test>\r\n"
            "To: Alice <alice@example.test>\r\n"
            "Subject: %s\r\n"
            "Date: Mon, 2 Nov 2026 10:%02d:%02d +0000\r\n"
            "Message-ID: <m%d.%s@example.test>\r\n%s"
            "\r\n%s" % (i, i, subject, (i // 60) % 60, i % 60, i, subject.replace(" ", "."),
                        extra, body)).encode()


def fill(mailbox, n, start=0, create=False):
    """Appends n messages to mailbox of alice through imaplib."""
    o = Other()
    if create:
        o.create('"%s"' % mailbox)
    for i in range(start, start + n):
        o.append('"%s"' % mailbox, None, None, make_message(i))
    o.logout()


def empty(mailbox="INBOX"):
    o = Other()
    o.select('"%s"' % mailbox)
    o.store("1:*", "+FLAGS.SILENT", r"(\Deleted)") if o.uids(mailbox) else None
    o.expunge()
    o.logout()


class Home:
    """A private HOME + XDG dirs and a tmailrc for one account, for tmail runs."""

    def __init__(self, port=None, scheme="imaps", extra="", user=None, password=None,
                 log_level="info"):
        self.dir = tempfile.mkdtemp(prefix="tmi.")
        for d in ("config", "cache", "data", "state"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        port = port or int(E["TM_TEST_IMAPS_PORT" if scheme == "imaps" else "TM_TEST_IMAP_PORT"])
        self.rc = os.path.join(self.dir, "tmailrc")
        with open(self.rc, "w") as f:
            f.write("set log_level = %s\n" % log_level)
            f.write("account test\n"
                    "  set imap = %s://%s@%s:%d\n"
                    "  set password = \"%s\"\n"
                    "  set tls_ca_file = \"%s\"\n"
                    "%s"
                    "end\n" % (scheme, user or E["TM_TEST_USER"], HOST, port,
                               password or E["TM_TEST_PASS"], E["TM_TEST_CA"], extra))
        os.chmod(self.rc, 0o600)

    def env(self):
        env = dict(os.environ)
        env.update(HOME=self.dir, XDG_CONFIG_HOME=os.path.join(self.dir, "config"),
                   XDG_CACHE_HOME=os.path.join(self.dir, "cache"),
                   XDG_DATA_HOME=os.path.join(self.dir, "data"),
                   XDG_STATE_HOME=os.path.join(self.dir, "state"), LANG="C.UTF-8")
        return env

    def sync(self, timeout=120):
        """Runs tmail --sync; returns (exit code, stdout, stderr). A "bug:" line tmail logged (a
        transaction a job left open) fails the test whatever the run's outcome."""
        p = subprocess.run([TMAIL, "-F", self.rc, "--sync"], env=self.env(), capture_output=True,
                           text=True, timeout=timeout, stdin=subprocess.DEVNULL)
        bugs = [line for line in self.log().splitlines() if " bug: " in line]
        assert not bugs, "tmail logged a bug:\n" + "\n".join(bugs)
        return p.returncode, p.stdout, p.stderr

    def db(self):
        return sqlite3.connect(os.path.join(self.dir, "cache", "tmail", "cache.sqlite"))

    def messages(self, mailbox="INBOX"):
        """{uid: (subject, flags)} of the cached mailbox."""
        with self.db() as c:
            rows = c.execute("SELECT m.uid, m.subject, m.flags FROM messages m JOIN mailboxes b "
                             "ON b.id = m.mailbox_id WHERE b.name = ?", (mailbox,)).fetchall()
        return {uid: (subject, flags) for uid, subject, flags in rows}

    def log(self):
        path = os.path.join(self.dir, "state", "tmail", "tmail.log")
        return open(path, errors="replace").read() if os.path.exists(path) else ""

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class Proxy:
    """A TCP proxy on 127.0.0.1 to the fixture's server, connecting from src (127.0.0.2, so that
    Dovecot does not treat the connection as secure). server_filter(bytes) may rewrite what the
    server says; cut_after stops the connection after that many bytes from the server. Records
    every byte the client sent."""

    def __init__(self, port, server_filter=None, cut_after=None, src="127.0.0.2"):
        self.target = (HOST, int(port))
        self.filter, self.cut_after, self.src = server_filter, cut_after, src
        self.client_bytes = bytearray()
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((HOST, 0))
        self.lsock.listen(8)
        self.port = self.lsock.getsockname()[1]
        self.stopped = False
        self.conns = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.stopped:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            s = socket.create_connection(self.target, TIMEOUT, source_address=(self.src, 0))
            self.conns += [c, s]
            threading.Thread(target=self._pump, args=(s, c, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(c, s, False), daemon=True).start()

    def _pump(self, src, dst, from_server):
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if from_server:
                    if self.filter:
                        data = self.filter(data)
                    if self.cut_after is not None and sent + len(data) >= self.cut_after:
                        dst.sendall(data[:max(0, self.cut_after - sent)])
                        break
                    sent += len(data)
                else:
                    self.client_bytes += data
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        self.stopped = True
        try:  # wakes the thread blocked in accept(), which close() alone would not
            self.lsock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.lsock.close()
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self.conns = []

    def drop(self):
        """Cuts every open connection but keeps listening (a server's idle limit, a NAT timeout)."""
        for c in self.conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
                c.close()
            except OSError:
                pass
        self.conns = []

    def reopen(self):
        """Listens again on the same port after close() (the network is back)."""
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((HOST, self.port))
        self.lsock.listen(8)
        self.stopped = False
        threading.Thread(target=self._accept, daemon=True).start()


class FakeServer:
    """A one-connection-at-a-time scripted server on 127.0.0.1: handler(sock) does the talking.
    Records what the client sent (handler appends to self.received)."""

    def __init__(self, handler):
        self.handler = handler
        self.received = bytearray()
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((HOST, 0))
        self.lsock.listen(4)
        self.port = self.lsock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            c.settimeout(TIMEOUT)
            try:
                self.handler(self, c)
            except OSError:
                pass
            finally:
                c.close()

    def read_line(self, c):
        line = bytearray()
        while not line.endswith(b"\n"):
            b = c.recv(1)
            if not b:
                break
            line += b
        self.received += line
        return bytes(line)

    def close(self):
        self.lsock.close()


def run_tests(namespace):
    """Runs every test_* function of namespace in order; prints ok/FAIL and the closing line."""
    import traceback
    tests = [(n, f) for n, f in namespace.items() if n.startswith("test_") and callable(f)]
    only = os.environ.get("TM_TEST_FILTER") or ""
    passed = failed = 0
    for name, fn in tests:
        short = name[5:]
        if only and only not in short:
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("ok %s (%.1f s)" % (short, time.time() - t0), flush=True)
        except Exception as e:  # noqa: BLE001 - a test's failure of any kind is reported
            failed += 1
            detail = "".join(traceback.format_exception_only(type(e), e)).strip()
            print("FAIL %s: %s" % (short, detail.replace("\n", " | ")), flush=True)
            traceback.print_exc(file=sys.stdout)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed else 0
