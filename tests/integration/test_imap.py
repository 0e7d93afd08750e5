#!/usr/bin/env python3
"""test_imap.py ENVFILE - tmail's IMAP backend against the fixture's real Dovecot: logins over
IMAPS and STARTTLS with the test CA, refusals (wrong CA, STARTTLS stripped by a proxy, PREAUTH
before STARTTLS, data injected after the STARTTLS reply), first sync into the cache, resync after
another client changed flags, expunged and appended, a UIDVALIDITY change, and a connection cut
in the middle of a FETCH recovered with nothing lost or duplicated. Tests that make a login fail
run last (Dovecot slows down failed logins).
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imap_support import (E, FakeServer, Home, Other, Proxy, empty, fill,  # noqa: E402
                          run_tests)

SEEN, ANSWERED, FLAGGED = 1, 2, 4


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def sync_ok(home):
    code, out, err = home.sync()
    check(code == 0, "tmail --sync failed (%d): %s %s" % (code, out, err))
    return out


def test_first_sync_over_imaps():
    empty()
    fill("INBOX", 50)
    h = Home()
    try:
        out = sync_ok(h)
        check("50 new" in out, "summary: %r" % out)
        msgs = h.messages()
        check(len(msgs) == 50, "cached %d messages" % len(msgs))
        subjects = sorted(s for s, _ in msgs.values())
        check(subjects == sorted("Message number %d" % i for i in range(50)), "subjects")
        other = Other()
        check(sorted(msgs) == other.uids(), "uids differ from the server's")
        other.logout()
        mode = os.stat(os.path.join(h.dir, "cache", "tmail", "cache.sqlite")).st_mode & 0o777
        check(mode == 0o600, "cache mode %o" % mode)
        check("Alice-Secret-1" not in h.log(), "the password reached the log")
    finally:
        h.cleanup()


def test_sync_selects_inbox_before_listing_and_syncs_every_folder():
    """--sync takes INBOX first, before LIST (Dovecot answers a SELECT after a LIST in the same
    session far slower), then the other folders the listing names."""
    empty()
    empty("Trash")
    fill("INBOX", 3)
    fill("Trash", 2)
    h = Home(log_level="debug")
    try:
        sync_ok(h)
        log = h.log()
        select = log.find(" SELECT INBOX")
        listing = log.find(" LIST ")
        check(select >= 0 and listing >= 0, "no SELECT INBOX or no LIST in the trace")
        check(select < listing, "LIST went out before SELECT INBOX")
        check(log.count(" SELECT INBOX") == 1, "INBOX selected twice")
        check(len(h.messages("INBOX")) == 3, "INBOX not cached")
        check(len(h.messages("Trash")) == 2, "Trash not synced after the listing")
    finally:
        h.cleanup()
        empty("Trash")


def test_login_with_starttls():
    other = Other()
    n = len(other.uids())  # whatever the tests before left in INBOX
    other.logout()
    h = Home(scheme="imap")
    try:
        out = sync_ok(h)
        check(n > 0 and "%d new" % n in out, "summary: %r (INBOX holds %d)" % (out, n))
        check("with TLS" in h.log(), "log does not say TLS: %s" % h.log()[-500:])
    finally:
        h.cleanup()


def test_debug_log_has_the_wire_trace_without_the_password():
    h = Home(scheme="imap", log_level="debug")  # STARTTLS, then AUTHENTICATE PLAIN
    try:
        sync_ok(h)
        log = h.log()
        check("imap test> " in log and "imap test< " in log, "no wire trace: %s" % log[-500:])
        check("<secret, " in log, "the login line is not marked as hidden")
        check("Alice-Secret-1" not in log, "the password reached the log")
        check("AGFsaWNl" not in log, "the SASL PLAIN response reached the log")
    finally:
        h.cleanup()
    h = Home(scheme="imap")  # the default: no trace at all
    try:
        sync_ok(h)
        check("imap test> " not in h.log(), "wire trace without log_level = debug")
    finally:
        h.cleanup()


def test_resync_sees_flags_expunge_and_append():
    h = Home()
    try:
        sync_ok(h)
        before = h.messages()
        uids = sorted(before)
        o = Other()
        o.select("INBOX")
        o.uid("STORE", str(uids[0]), "+FLAGS", r"(\Flagged \Seen)")
        o.uid("STORE", str(uids[1]), "+FLAGS", r"(\Deleted)")
        o.expunge()
        o.append("INBOX", None, None,
                 b"From: x@example.test\r\nSubject: appended later\r\n\r\nhi\r\n")
        o.logout()
        out = sync_ok(h)
        after = h.messages()
        check(uids[1] not in after, "expunged message still cached")
        check(after[uids[0]][1] & FLAGGED and after[uids[0]][1] & SEEN,
              "flags not synced: %r" % (after[uids[0]],))
        check(any(s == "appended later" for s, _ in after.values()), "appended message missing")
        check(len(after) == len(before), "count %d vs %d" % (len(after), len(before)))
        check("1 new, 1 removed" in out, "summary: %r" % out)
        out = sync_ok(h)  # nothing changed since: nothing to do
        check("0 new, 0 removed, 0 changed" in out, "second resync: %r" % out)
    finally:
        h.cleanup()


def test_prefetch_bodies_caches_new_mail_for_offline_reading():
    h = Home(extra="  set prefetch_bodies = yes\n")
    try:
        sync_ok(h)
        with h.db() as c:
            before = c.execute("SELECT COUNT(*) FROM bodies").fetchone()[0]
        check(before == 0, "a first sync prefetched %d bodies" % before)
        o = Other()
        o.append("INBOX", None, None,
                 b"From: x@example.test\r\nSubject: prefetched\r\n\r\nread me offline\r\n")
        o.logout()
        sync_ok(h)
        with h.db() as c:
            raw = c.execute("SELECT b.raw FROM bodies b JOIN messages m ON m.id = b.message_id "
                            "WHERE m.subject = 'prefetched'").fetchone()
        check(raw is not None and b"read me offline" in bytes(raw[0]), "body not cached")
    finally:
        h.cleanup()


def test_uidvalidity_change_drops_the_cached_folder():
    fill("Reset", 3, create=True)
    h = Home()
    try:
        sync_ok(h)
        check(len(h.messages("Reset")) == 3, "first sync of Reset")
        o = Other()
        o.delete("Reset")
        o.create("Reset")
        o.logout()
        fill("Reset", 2, start=100)
        sync_ok(h)
        msgs = h.messages("Reset")
        check(sorted(s for s, _ in msgs.values()) == ["Message number 100", "Message number 101"],
              "after reset: %r" % msgs)
    finally:
        o = Other()
        o.delete("Reset")
        o.logout()
        h.cleanup()


LIST_RE = re.compile(r'^\((?P<attrs>[^)]*)\) (?:NIL|"(?:[^"\\]|\\.)*") (?P<name>.*)$')


def server_counts():
    """{mailbox: number of messages} of alice's selectable mailboxes."""
    o = Other()
    counts = {}
    for line in o.list()[1]:
        m = LIST_RE.match(line.decode())
        if m and "\\noselect" not in m.group("attrs").lower():
            name = m.group("name")
            if name.startswith('"'):
                name = name[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            counts[name] = len(o.uids(name))
    o.logout()
    return counts


def test_connection_cut_mid_fetch_recovers():
    fill("Big", 400, create=True)
    h = Home(extra="  set imap_deflate = no\n")  # the cut counts uncompressed bytes
    proxy = Proxy(E["TM_TEST_IMAPS_PORT"], cut_after=60000)
    try:
        # The proxy passes TLS bytes through and cuts the stream after 60 kB: mid-FETCH of the
        # first mailbox big enough, whichever the server lists first.
        with open(h.rc) as f:
            rc = f.read()
        with open(h.rc, "w") as f:
            f.write(rc.replace(":%s\n" % E["TM_TEST_IMAPS_PORT"], ":%d\n" % proxy.port))
        code, out, err = h.sync()
        check(code != 0, "the cut went unnoticed: %s" % out)
        expected = server_counts()
        partial = {m: len(h.messages(m)) for m in expected}
        check(sum(partial.values()) < sum(expected.values()), "nothing was cut: %r" % partial)
        check(any(0 < partial[m] < expected[m] for m in expected),
              "no mailbox kept its partial rows: %r of %r" % (partial, expected))
        with open(h.rc, "w") as f:
            f.write(rc)
        sync_ok(h)
        for m, n in expected.items():
            check(len(h.messages(m)) == n, "%s after recovery: %d of %d"
                  % (m, len(h.messages(m)), n))
        with h.db() as c:
            dup = c.execute("SELECT COUNT(*) - COUNT(DISTINCT mailbox_id || '/' || uid) "
                            "FROM messages").fetchone()[0]
        check(dup == 0, "%d duplicates" % dup)
    finally:
        proxy.close()
        o = Other()
        o.delete("Big")
        o.logout()
        h.cleanup()


def test_wrong_ca_is_refused():
    h = Home(extra="  set tls_ca_file = \"/etc/ssl/certs/ca-certificates.crt\"\n")
    try:
        code, out, err = h.sync()
        check(code != 0, "synced with a CA that did not sign the server's certificate")
        check("certificate" in err.lower(), "error does not name the certificate: %r" % err)
    finally:
        h.cleanup()


def strip_starttls(data):
    return data.replace(b" STARTTLS", b"").replace(b"STARTTLS ", b"")


def test_stripped_starttls_is_refused():
    proxy = Proxy(E["TM_TEST_IMAP_PORT"], server_filter=strip_starttls)
    h = Home(port=proxy.port, scheme="imap")
    try:
        code, out, err = h.sync()
        check(code != 0, "continued without STARTTLS")
        check("STARTTLS" in err, "error: %r" % err)
        sent = bytes(proxy.client_bytes).upper()
        check(b"LOGIN" not in sent and b"AUTHENTICATE" not in sent,
              "credentials were sent in plain text: %r" % sent)
    finally:
        proxy.close()
        h.cleanup()


def preauth_server(srv, c):
    c.sendall(b"* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] logged in already\r\n")
    c.settimeout(2)
    try:
        while srv.read_line(c):
            pass
    except OSError:
        pass


def test_preauth_before_starttls_is_refused():
    srv = FakeServer(preauth_server)
    h = Home(port=srv.port, scheme="imap")
    try:
        code, out, err = h.sync()
        check(code != 0, "accepted PREAUTH on a connection that must use TLS")
        check("PREAUTH" in err, "error: %r" % err)
        check(bytes(srv.received) == b"", "tmail sent %r" % bytes(srv.received))
    finally:
        srv.close()
        h.cleanup()


def injecting_server(srv, c):
    c.sendall(b"* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n")
    line = srv.read_line(c)
    tag = line.split(b" ")[0]
    # The OK and an injected response in one segment, before any handshake.
    c.sendall(tag + b" OK Begin TLS now\r\n* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] injected\r\n")
    c.settimeout(2)
    try:
        while c.recv(4096):
            pass
    except OSError:
        pass


def test_data_injected_after_starttls_is_refused():
    srv = FakeServer(injecting_server)
    h = Home(port=srv.port, scheme="imap")
    try:
        code, out, err = h.sync()
        check(code != 0, "accepted a response injected before the TLS handshake")
        check("STARTTLS" in bytes(srv.received).decode(errors="replace").upper(),
              "did not ask for STARTTLS: %r" % bytes(srv.received))
    finally:
        srv.close()
        h.cleanup()


def silent_server(srv, c):
    c.sendall(b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n")
    srv.read_line(c)  # the first command is read and never answered: a hung server
    time.sleep(8)


def test_hung_server_is_cut_after_the_timeout():
    srv = FakeServer(silent_server)
    h = Home(port=srv.port, scheme="imap",
             extra="  set tls = off\n  set allow_plaintext_auth = yes\n  set connect_timeout = 1\n")
    try:
        t0 = time.time()
        code, out, err = h.sync()
        took = time.time() - t0
        check(code != 0, "a server that never answers was not noticed")
        check(took < 6, "took %.1f s to give up" % took)
        check("timed out" in err, "error: %r" % err)
    finally:
        srv.close()
        h.cleanup()


def test_wrong_password_is_a_clear_error():
    h = Home(password="not-the-password")
    try:
        code, out, err = h.sync()
        check(code != 0, "logged in with a wrong password")
        check("refused" in err and "not-the-password" not in err + out + h.log(),
              "error: %r" % err)
    finally:
        h.cleanup()


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
