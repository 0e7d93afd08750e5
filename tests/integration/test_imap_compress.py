#!/usr/bin/env python3
"""test_imap_compress.py ENVFILE - IMAP COMPRESS=DEFLATE (RFC 4978, setting imap_deflate) against
the fixture's Dovecot (imap_zlib plugin, level 1): a first sync of a few hundred messages with
compression gives the same cache as one without; the bytes on the wire, counted by a proxy
between tmail and Dovecot, are raw deflate after COMPRESS (Python's zlib inflates them back into
IMAP) and fewer (both counts and the ratio are printed); imap_deflate = no sends no COMPRESS; the
debug trace shows COMPRESS and then plain text; a body fetch (prefetch_bodies) works through it;
corrupt compressed data from the server is a clear error, and so is a connection cut inside the
compressed stream; the next sync works after either. The tests use
bob's account, so the other test files' mailboxes of alice stay as they are.
"""

import os
import random
import re
import socket
import sys
import threading
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imap_support import E, HOST, TIMEOUT, Home, Other, run_tests  # noqa: E402

USER, PASS = E["TM_TEST_USER2"], E["TM_TEST_PASS2"]
MESSAGES = 300
FOLDER = "Compress"


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def bob():
    return Other(USER, PASS)


def _vocabulary():
    rng = random.Random(4978)
    return ["".join(rng.choice("etaoinshrdlucmfwypvbgkjqxz") for _ in range(rng.randint(2, 9)))
            for _ in range(800)]


VOCABULARY = _vocabulary()


def message(i):
    """A message with headers like real mail's and 1-4 KiB of text-like body (words drawn from a
    made-up vocabulary, so that it compresses about as much as prose, not to nothing)."""
    rng = random.Random(i)
    lines = []
    for _ in range(rng.randint(15, 60)):
        words = [rng.choice(VOCABULARY) for _ in range(rng.randint(4, 12))]
        if rng.random() < 0.2:
            words.insert(0, ">")
        lines.append(" ".join(words) + ("." if rng.random() < 0.5 else ","))
    subject = " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(2, 7)))
    reply = "In-Reply-To: <c%d.%d@example.test>\r\n" % (i - 1, (i - 1) * 7) if i % 3 else ""
    return ("From: Sender %d <sender%d@example.test>\r\n"
            "To: Bob <bob@example.test>\r\n"
            "Subject: Compressed sync message %d: %s\r\n"
            "Date: Tue, 3 Nov 2026 %02d:%02d:%02d +0000\r\n"
            "Message-ID: <c%d.%d@example.test>\r\n"
            "%s"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n%s\r\n" % (i % 40, i % 40, i, subject, (i // 3600) % 24, (i // 60) % 60,
                              i % 60, i, i * 7, reply, "\r\n".join(lines))).encode()


def prepare():
    """bob's folder FOLDER with MESSAGES messages (made once), some flagged or seen, and his INBOX
    emptied (other test files deliver thousands of messages there), so that a first sync is the
    sync of those few hundred."""
    o = bob()
    typ, data = o.select("INBOX")
    if typ == "OK" and int(data[0]) > 0:
        o.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
        o.expunge()
    typ, data = o.select('"%s"' % FOLDER)
    if typ == "OK" and int(data[0]) == MESSAGES:
        o.logout()
        return
    if typ != "OK":
        o.create('"%s"' % FOLDER)
        o.select('"%s"' % FOLDER)
    for i in range(MESSAGES):
        flags = r"(\Seen)" if i % 2 else r"(\Flagged)" if i % 7 == 0 else None
        o.append('"%s"' % FOLDER, flags, None, message(i))
    o.logout()


class CountingProxy:
    """A TCP proxy on 127.0.0.1 to Dovecot's plain IMAP port that keeps, per connection, every
    byte each side sent. Connects from 127.0.0.1, which Dovecot counts as secure, so the login
    works without TLS and the proxy sees the IMAP bytes themselves. corrupt=True replaces what
    the server sends after its OK to COMPRESS with 0xff bytes (a deflate block type that does not
    exist); cut_after=N closes a connection after N bytes from the server."""

    def __init__(self, corrupt=False, cut_after=None):
        self.corrupt, self.cut_after = corrupt, cut_after
        self.conns = []  # [client bytes, server bytes] per connection
        self.lsock = socket.socket()
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind((HOST, 0))
        self.lsock.listen(8)
        self.port = self.lsock.getsockname()[1]
        self.socks = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.lsock.accept()
            except OSError:
                return
            s = socket.create_connection((HOST, int(E["TM_TEST_IMAP_PORT"])), TIMEOUT,
                                         source_address=("127.0.0.1", 0))
            rec = [bytearray(), bytearray()]
            self.conns.append(rec)
            self.socks += [c, s]
            threading.Thread(target=self._pump, args=(c, s, rec, 0), daemon=True).start()
            threading.Thread(target=self._pump, args=(s, c, rec, 1), daemon=True).start()

    def _pump(self, src, dst, rec, side):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if side == 1 and self.corrupt:
                    data = self._spoil(rec, data)
                cut = side == 1 and self.cut_after is not None and \
                    len(rec[1]) + len(data) >= self.cut_after
                if cut:
                    data = data[:self.cut_after - len(rec[1])]
                rec[side] += data
                dst.sendall(data)
                if cut:
                    break
        except OSError:
            pass
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @staticmethod
    def _spoil(rec, data):
        tag = compress_tag(rec[0])
        if tag is None:
            return data
        so_far = bytes(rec[1]) + data
        m = re.search(rb"(?:^|\n)" + re.escape(tag) + rb" OK[^\n]*\n", so_far)
        if not m:
            return data
        keep = max(0, m.end() - len(rec[1]))
        return data[:keep] + b"\xff" * (len(data) - keep)

    def close(self):
        try:
            self.lsock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.lsock.close()
        for s in self.socks:
            try:
                s.close()
            except OSError:
                pass

    def totals(self):
        return (sum(len(c) for c, _ in self.conns), sum(len(s) for _, s in self.conns))


def compress_tag(client):
    """The tag of the COMPRESS DEFLATE command in what the client sent, or None."""
    m = re.search(rb"(?:^|\n)(\S+) COMPRESS DEFLATE\r\n", bytes(client))
    return m.group(1) if m else None


def inflate_after_compress(client, server):
    """Splits one connection at COMPRESS and inflates both directions with Python's zlib:
    returns (client text, server text) after the switch."""
    client, server = bytes(client), bytes(server)
    tag = compress_tag(client)
    check(tag is not None, "no COMPRESS DEFLATE from the client")
    c_start = client.index(tag + b" COMPRESS DEFLATE\r\n") + len(tag) + 19
    m = re.search(rb"(?:^|\n)" + re.escape(tag) + rb" OK[^\n]*\n", server)
    check(m is not None, "no OK to COMPRESS from the server")
    c_text = zlib.decompressobj(-15).decompress(client[c_start:])
    s_text = zlib.decompressobj(-15).decompress(server[m.end():])
    return c_text, s_text


def home(extra="", **kw):
    return Home(user=USER, password=PASS, extra=extra, **kw)


def plain_home(port, deflate):
    return home(port=port, scheme="imap",
                extra="  set tls = off\n  set allow_plaintext_auth = yes\n"
                      "  set imap_deflate = %s\n" % ("yes" if deflate else "no"))


def cache_rows(h):
    with h.db() as c:
        boxes = c.execute("SELECT name, uidvalidity, uidnext, highest_modseq FROM mailboxes "
                          "ORDER BY name").fetchall()
        msgs = c.execute("SELECT b.name, m.uid, m.flags, m.date, m.size, m.from_name, "
                         "m.from_addr, m.to_addrs, m.subject, m.message_id, m.in_reply_to, "
                         "m.refs FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id "
                         "ORDER BY b.name, m.uid").fetchall()
    return boxes, msgs


def sync_ok(h):
    code, out, err = h.sync(timeout=300)
    check(code == 0, "tmail --sync failed (%d): %s %s" % (code, out, err))
    return out


def test_first_sync_with_compress_gives_the_same_cache_in_fewer_bytes():
    prepare()
    runs = {}
    for deflate in (False, True):
        proxy = CountingProxy()
        h = plain_home(proxy.port, deflate)
        try:
            sync_ok(h)
            runs[deflate] = (proxy.totals(), cache_rows(h), list(proxy.conns))
        finally:
            proxy.close()
            h.cleanup()
    (off_c, off_s), off_cache, off_conns = runs[False]
    (on_c, on_s), on_cache, on_conns = runs[True]
    n = sum(1 for r in on_cache[1] if r[0] == FOLDER)
    check(n == MESSAGES, "%d of %d messages cached with COMPRESS" % (n, MESSAGES))
    check(on_cache == off_cache, "the caches differ with and without COMPRESS")
    check(all(compress_tag(c) is None for c, _ in off_conns), "imap_deflate = no sent COMPRESS")
    check(len(on_conns) >= 1 and all(compress_tag(c) for c, _ in on_conns),
          "a connection without COMPRESS although Dovecot offers it")
    c_all = s_all = b""
    for c, s in on_conns:
        c_text, s_text = inflate_after_compress(c, s)
        c_all, s_all = c_all + c_text, s_all + s_text
        check(b"UID FETCH" not in bytes(c) and b"FETCH (UID" not in bytes(s),
              "IMAP text in the clear after COMPRESS")
    check(b"UID FETCH 1:* (" in c_all, "no FETCH in the inflated client bytes: %r" % c_all[:300])
    check(b"Compressed sync message 299" in s_all, "a header is missing from the inflated server "
          "bytes")
    off, on = off_c + off_s, on_c + on_s
    print("wire bytes of a first sync of %d messages (plain IMAP through a counting proxy):"
          % MESSAGES)
    print("  imap_deflate = no : %8d (client %d, server %d)" % (off, off_c, off_s))
    print("  imap_deflate = yes: %8d (client %d, server %d), Dovecot compression level 1"
          % (on, on_c, on_s))
    print("  ratio %.3f (server to client %.3f)" % (on / off, on_s / off_s))
    check(on < off, "compression did not make the sync smaller: %d vs %d" % (on, off))


def test_debug_trace_shows_compress_then_plain_text():
    prepare()
    h = home(log_level="debug")  # IMAPS: compression inside TLS
    try:
        sync_ok(h)
        log = h.log()
        check(re.search(r"imap test> t\d+ COMPRESS DEFLATE\n", log), "no COMPRESS in the trace")
        check("imap test: compressed from here on" in log, "no switch in the trace")
        after = log[log.index("imap test: compressed from here on"):]
        check(re.search(r'imap test> t\d+ (ENABLE|SELECT|LIST|UID FETCH)', after),
              "no plain command in the trace after COMPRESS: %s" % after[:500])
        check(re.search(r'imap test< \* LIST \(.*\) "/" %s\n' % FOLDER, after),
              "no plain server line in the trace after COMPRESS")
        check(", COMPRESS=DEFLATE" in log, "the connect line does not say COMPRESS")
        m = re.search(r"deflate: 127\.0\.0\.1:\d+: received (\d+) bytes, (\d+) inflated", log)
        check(m and int(m.group(1)) < int(m.group(2)), "no or odd totals: %r" % (m and m.group(0)))
        check(PASS not in log, "the password reached the log")
    finally:
        h.cleanup()


def test_body_fetch_through_compress():
    prepare()
    h = home(extra="  set prefetch_bodies = yes\n")
    try:
        sync_ok(h)
        body = b"".join(b"Line %05d of a long body fetched through deflate.\r\n" % i
                        for i in range(6000))
        raw = (b"From: Big <big@example.test>\r\nTo: bob@example.test\r\n"
               b"Subject: compressed body\r\nMessage-ID: <big.body@example.test>\r\n\r\n" + body)
        o = bob()
        o.append("INBOX", None, None, raw)
        o.logout()
        sync_ok(h)
        with h.db() as c:
            got = c.execute("SELECT b.raw FROM bodies b JOIN messages m ON m.id = b.message_id "
                            "WHERE m.subject = 'compressed body'").fetchall()
        check(len(got) == 1, "the body was not fetched (%d rows)" % len(got))
        check(bytes(got[0][0]) == raw, "the body differs: %d bytes vs %d" % (len(got[0][0]),
                                                                           len(raw)))
        check(", COMPRESS=DEFLATE" in h.log(), "the connection was not compressed")
    finally:
        h.cleanup()
        o = bob()
        o.select("INBOX")
        typ, data = o.uid("SEARCH", None, "HEADER", "Message-ID", "big.body@example.test")
        for uid in data[0].split():
            o.uid("STORE", uid, "+FLAGS.SILENT", r"(\Deleted)")
        o.expunge()
        o.logout()


def test_corrupt_compressed_data_is_a_clear_error_and_the_next_sync_works():
    prepare()
    proxy = CountingProxy(corrupt=True)
    h = plain_home(proxy.port, True)
    try:
        code, out, err = h.sync()
        check(code != 0, "corrupt data went unnoticed: %s" % out)
        check("corrupt compressed data" in err + out and "127.0.0.1:%d" % proxy.port in err + out,
              "unclear error: %r %r" % (out, err))
        check("Sanitizer" not in err and code > 0, "crashed: %d %r" % (code, err[-500:]))
        proxy.corrupt = False
        sync_ok(h)
        n = len(h.messages(FOLDER))
        check(n == MESSAGES, "%d of %d messages after the corrupt run" % (n, MESSAGES))
    finally:
        proxy.close()
        h.cleanup()


def test_connection_cut_inside_the_compressed_stream_recovers():
    prepare()
    probe = CountingProxy()
    h = plain_home(probe.port, True)
    try:
        sync_ok(h)
        compressed = probe.totals()[1]
    finally:
        probe.close()
        h.cleanup()
    # Half of what a whole first sync takes: the cut falls inside the compressed FETCH data.
    proxy = CountingProxy(cut_after=compressed // 2)
    h = plain_home(proxy.port, True)
    try:
        code, out, err = h.sync()
        check("Sanitizer" not in err and code >= 0, "crashed: %d %r" % (code, err[-500:]))
        first_c, first_s = proxy.conns[0]
        check(compress_tag(first_c) and len(first_s) == compressed // 2,
              "the first connection was not cut inside the compressed stream")
        # The worker reconnects by itself; when it gave up instead, it said why.
        check(code == 0 or "connection closed by the server" in err, "error: %r" % err)
        proxy.cut_after = None
        sync_ok(h)
        check(len(h.messages(FOLDER)) == MESSAGES, "%d of %d messages after the cut"
              % (len(h.messages(FOLDER)), MESSAGES))
        with h.db() as c:
            dup = c.execute("SELECT COUNT(*) - COUNT(DISTINCT mailbox_id || '/' || uid) "
                            "FROM messages").fetchone()[0]
        check(dup == 0, "%d duplicates" % dup)
    finally:
        proxy.close()
        h.cleanup()


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
