#!/usr/bin/env python3
"""test_imap_search.py ENVFILE - body search (~b) of the real tmail binary in tmux on alice's
IMAP INBOX of the fixture's Dovecot: a word in a body that was never fetched is found by the
server (UID SEARCH BODY, seen in the wire log, the body still not cached), also in ISO-8859-1
quoted-printable; a capitalised word and a regular expression are confirmed on bodies fetched
for it (and then cached); with the server made unreachable behind a proxy, a cached body is
still found from the local index and the status line says how many messages could not be
searched.
"""

import os
import re
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "ui"))
from imap_support import E, HOST, TMAIL, Other, Proxy, empty  # noqa: E402
from tmux_driver import Tmux, run_tests  # noqa: E402

MESSAGES = [
    ("uncached heron", "text/plain; charset=us-ascii", "7bit", "A grey heron waits by the pond.\r\n"),
    ("latin dessert", "text/plain; charset=iso-8859-1", "quoted-printable",
     "Une cr=E8me br=FBl=E9e, merci.\r\n"),
    ("big bird", "text/plain; charset=us-ascii", "7bit", "The Ostrich runs fast.\r\n"),
    ("plain other", "text/plain; charset=us-ascii", "7bit", "Nothing to see here.\r\n"),
    ("cached kingfisher", "text/plain; charset=us-ascii", "7bit",
     "A kingfisher dives into the river.\r\n"),
]


def fill_inbox():
    empty()
    o = Other()
    for i, (subject, ctype, cte, body) in enumerate(MESSAGES):
        msg = ("From: Sender %d <s%d@example.test>\r\nTo: alice@example.test\r\n"
               "Subject: %s\r\nDate: Mon, 2 Nov 2026 10:%02d:00 +0000\r\n"
               "Message-ID: <search%d.%d@example.test>\r\nMIME-Version: 1.0\r\n"
               "Content-Type: %s\r\nContent-Transfer-Encoding: %s\r\n\r\n%s"
               % (i, i, subject, i, i, os.getpid(), ctype, cte, body))
        o.append("INBOX", r"(\Seen)", None, msg.encode("latin-1"))
    o.logout()


def start(port=None):
    t = Tmux("while [ ! -e ~/.tmailrc ]; do sleep 0.05; done; exec %s" % TMAIL, cols=120,
             rows=24)
    rc = os.path.join(t.home, ".tmailrc")
    with open(rc, "w") as f:
        f.write("set log_level = debug\n"
                "account alice\n"
                "  set imap = imaps://%s@%s:%s\n"
                "  set password = \"%s\"\n"
                "  set tls_ca_file = \"%s\"\n"
                "end\n" % (E["TM_TEST_USER"], HOST, port or E["TM_TEST_IMAPS_PORT"],
                           E["TM_TEST_PASS"], E["TM_TEST_CA"]))
    os.chmod(rc, 0o600)
    return t


def cache(t):
    return sqlite3.connect(os.path.join(t.home, ".cache", "tmail", "cache.sqlite"))


def cached_subjects(t):
    """Subjects of the messages whose raw body is in tmail's cache."""
    with cache(t) as c:
        return {s for (s,) in c.execute("SELECT m.subject FROM bodies b JOIN messages m ON "
                                        "m.id = b.message_id")}


def wire_log(t):
    path = os.path.join(t.home, ".local", "state", "tmail", "tmail.log")
    return open(path, errors="replace").read() if os.path.exists(path) else ""


def limit(t, pattern):
    t.send_keys("l")
    t.wait_for("Limit to messages matching:")
    t.send_keys("C-u")
    t.type(pattern)
    t.send_keys("Enter")


def shown(t):
    """Subjects of the index rows ("%5d" number, state and flag columns, date ...)."""
    return sorted(re.sub(r"^.*\)\s+", "", l).strip() for l in t.screen()
                  if re.match(r"^\s*\d+ [ NDOr][ !] ", l))


def wait_shown(t, subjects, timeout=20):
    deadline = time.monotonic() + timeout
    while shown(t) != sorted(subjects) or "Searching" in t.text():
        if time.monotonic() > deadline:
            raise AssertionError("shown %r, not %r\n%s" % (shown(t), sorted(subjects), t.dump()))
        time.sleep(0.1)


def test_server_finds_words_in_bodies_never_fetched():
    fill_inbox()
    with start() as t:
        t.wait_for("Msgs:%d" % len(MESSAGES), timeout=30)
        t.wait_gone("Syncing", timeout=30)
        assert cached_subjects(t) == set(), cached_subjects(t)
        limit(t, "~b heron")
        t.wait_for("Lim:~b heron", timeout=20)
        wait_shown(t, ["uncached heron"])
        assert re.search(r'UID SEARCH .*BODY "heron"', wire_log(t)), "no server search logged"
        assert cached_subjects(t) == set(), "a plain word needs no body: %r" % cached_subjects(t)
        limit(t, "~b brûlée")  # 8-bit: CHARSET UTF-8 (or UTF8=ACCEPT), decoded by the server
        t.wait_for("Lim:~b brûlée", timeout=20)
        wait_shown(t, ["latin dessert"])
        limit(t, "~b Ostrich")  # an upper-case letter: confirmed on the fetched body
        t.wait_for("Lim:~b Ostrich", timeout=20)
        wait_shown(t, ["big bird"])
        assert cached_subjects(t) == {"big bird"}, cached_subjects(t)
        limit(t, "~b OSTRICH")  # the server says yes (it ignores case); the body says no
        t.wait_for("Lim:~b OSTRICH", timeout=20)
        t.wait_for("No messages matched the limit.", timeout=20)
        limit(t, "~b 'gr[ae]y heron'")  # a regex: the server is asked for "y heron"
        t.wait_for("Lim:~b 'gr[ae]y heron'", timeout=20)
        wait_shown(t, ["uncached heron"])
        assert re.search(r'UID SEARCH .*BODY "y heron"', wire_log(t)), "regex literal not sent"
        assert cached_subjects(t) == {"big bird", "uncached heron"}, cached_subjects(t)
        assert E["TM_TEST_PASS"] not in wire_log(t)
        t.send_keys("x")
        t.wait_exit(10)


def test_cached_body_found_offline_and_the_rest_counted():
    fill_inbox()
    proxy = Proxy(E["TM_TEST_IMAPS_PORT"], src="127.0.0.1")
    try:
        with start(port=proxy.port) as t:
            t.wait_for("Msgs:%d" % len(MESSAGES), timeout=30)
            t.wait_gone("Syncing", timeout=30)
            t.send_keys("End")  # the newest: the kingfisher
            t.send_keys("Enter")
            t.wait_for("A kingfisher dives", timeout=20)  # fetched, cached, indexed
            t.send_keys("q")
            t.wait_for("Msgs:", timeout=10)
            assert cached_subjects(t) == {"cached kingfisher"}, cached_subjects(t)
            proxy.close()  # the network is gone
            time.sleep(1)
            limit(t, "~b kingfisher")
            t.wait_for("Lim:~b kingfisher", timeout=20)
            wait_shown(t, ["cached kingfisher"])
            t.wait_for(re.compile(r"%d messages could not be searched" % (len(MESSAGES) - 1)),
                       timeout=20)
            limit(t, "~b heron")  # only on the server, which cannot be reached
            t.wait_for("Lim:~b heron", timeout=20)
            t.wait_for("No messages matched the limit.", timeout=20)
            t.wait_for(re.compile(r"%d messages could not be searched" % (len(MESSAGES) - 1)),
                       timeout=20)
            t.send_keys("x")
            t.wait_exit(10)
    finally:
        proxy.close()
        empty()


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
