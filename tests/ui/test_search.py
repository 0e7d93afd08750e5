#!/usr/bin/env python3
"""test_search.py - mutt's index search and limit in the real binary (tmux, demo mailbox): / with
a pattern, n for the next match, wrapping with a note, <Esc>/ backwards, a miss, and l to show
only matching messages (and all of them again)."""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tmux_driver import SRCDIR, Tmux, run_tests  # noqa: E402

TMAIL = os.environ.get("TMAIL_BIN") or os.path.join(SRCDIR, "build-test", "src", "tmail")
SUBJECT = re.compile(r"^Subject: (.*)$", re.M)


def open_demo():
    t = Tmux([TMAIL], cols=110, rows=30)
    t.wait_for("No configuration")
    t.wait_gone("Syncing")
    t.wait_for(re.compile(r"Msgs:\d+"))
    return t


def subject_under_cursor(t):
    t.send_keys("Enter")
    m = t.wait_for(SUBJECT)
    t.send_keys("q")
    t.wait_for("q:Quit")
    return m.group(1).strip()


def test_search_next_and_wrap():
    with open_demo() as t:
        t.send_keys("Home", "/")
        t.wait_for("Search for:")
        t.type("~s Lunch")
        t.send_keys("Enter")
        assert subject_under_cursor(t) == "Lunch on Friday?"
        t.send_keys("n")
        assert subject_under_cursor(t) == "Re: Lunch on Friday?"
        t.send_keys("n")
        t.wait_for("Search wrapped to top.")
        assert subject_under_cursor(t) == "Lunch on Friday?"


def test_reverse_search_and_a_bare_word():
    with open_demo() as t:
        t.send_keys("End", "Escape", "/")
        t.wait_for("Reverse search for:")
        t.type("Lunch")  # a bare word: sender or subject, as mutt's simple search
        t.send_keys("Enter")
        assert subject_under_cursor(t) == "Re: Lunch on Friday?"


def test_search_that_finds_nothing_says_so():
    with open_demo() as t:
        t.send_keys("/")
        t.wait_for("Search for:")
        t.type("~s no-such-subject-anywhere")
        t.send_keys("Enter")
        t.wait_for("Not found.")
        t.send_keys("/")
        t.wait_for("Search for:")
        t.send_keys("C-u")
        t.type("~z <<")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"~z|size|pattern|expected", re.I))


def test_limit_shows_only_matching_messages_and_all_again():
    with open_demo() as t:
        total = re.search(r"Msgs:(\d+)", t.text()).group(1)
        t.send_keys("l")
        t.wait_for("Limit to messages matching:")
        t.type("~s Lunch")
        t.send_keys("Enter")
        t.wait_for("Msgs:2")
        t.wait_for("Lim:~s Lunch")
        rows = [l for l in t.screen() if re.match(r"^\s*\d+ ", l)]
        assert len(rows) == 2 and all("Lunch" in r for r in rows), rows
        assert subject_under_cursor(t) in ("Lunch on Friday?", "Re: Lunch on Friday?")
        t.send_keys("l")
        t.wait_for("Limit to messages matching:")
        t.send_keys("C-u")
        t.type("all")
        t.send_keys("Enter")
        t.wait_for("Msgs:%s" % total)
        t.wait_gone("Lim:")


if __name__ == "__main__":
    run_tests(globals())
