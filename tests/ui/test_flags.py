#!/usr/bin/env python3
"""test_flags.py - mutt's set-flag (w) and clear-flag (W) in the real binary (tmux, demo mailbox):
a one-key prompt for D N O r * !; w ! flags the message (the Maildir file gains F) and moves on,
W ! clears it, w N makes it new again; ;w ! flags all the tagged messages and ;W * untags them;
in the pager, w acts on the message shown; a key that is not a flag is refused, Esc cancels."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_tag import demo_copy, open_demo, rows, wait_cursor, wait_tagged  # noqa: E402
from tmux_driver import run_tests  # noqa: E402

SET = "Set flag? (D/N/O/r/*/!):"
CLEAR = "Clear flag? (D/N/O/r/*/!):"
STATE, FLAG = 6, 7  # columns of the index line: N / r / D, then * or !


def column(t, n, col):
    line = rows(t).get(n, "")
    return line[col:col + 1]


def wait_column(t, n, col, want, timeout=10):
    deadline = time.monotonic() + timeout
    while column(t, n, col) != want:
        if time.monotonic() > deadline:
            raise AssertionError("row %d column %d is %r, not %r\n%s"
                                 % (n, col, column(t, n, col), want, t.dump()))
        time.sleep(0.05)


def flagged_files(folder):
    return sum(1 for d in ("cur", "new") for name in os.listdir(os.path.join(folder, d))
               if "F" in name.partition(":2,")[2])


def set_flag(t, key, prompt, flag):
    t.send_keys(key)
    t.wait_for(prompt)
    t.send_keys(flag)
    t.wait_gone(prompt)


def test_w_flags_one_message_and_W_clears_it():
    with open_demo() as t:
        demo = demo_copy(t)
        before = flagged_files(demo)
        t.send_keys("Home")
        wait_cursor(t, 1)
        assert column(t, 1, FLAG) == " " and column(t, 2, FLAG) == " ", t.dump()
        set_flag(t, "w", SET, "!")
        wait_column(t, 1, FLAG, "!")
        wait_cursor(t, 2)  # on to the next message, as mutt's resolve
        assert column(t, 2, FLAG) == " ", t.dump()
        deadline = time.monotonic() + 10
        while flagged_files(demo) != before + 1:  # written to the Maildir file name
            assert time.monotonic() < deadline, flagged_files(demo)
            time.sleep(0.05)
        t.send_keys("Home")
        wait_cursor(t, 1)
        set_flag(t, "W", CLEAR, "!")
        wait_column(t, 1, FLAG, " ")
        wait_cursor(t, 2)
        deadline = time.monotonic() + 10
        while flagged_files(demo) != before:
            assert time.monotonic() < deadline, flagged_files(demo)
            time.sleep(0.05)


def new_count(t):
    m = re.search(r"\[Msgs:\d+[^\]]* New:(\d+)", t.text())
    return int(m.group(1)) if m else 0


def wait_new_count(t, want, timeout=10):
    deadline = time.monotonic() + timeout
    while new_count(t) != want:
        if time.monotonic() > deadline:
            raise AssertionError("New:%d, not %d\n%s" % (new_count(t), want, t.dump()))
        time.sleep(0.05)


def test_w_N_makes_a_message_new_and_W_O_reads_it():
    with open_demo() as t:
        t.send_keys("Home")
        wait_cursor(t, 1)
        assert column(t, 1, STATE) != "N", t.dump()
        new = new_count(t)
        set_flag(t, "w", SET, "N")
        wait_column(t, 1, STATE, "N")
        wait_new_count(t, new + 1)
        t.send_keys("Home")
        wait_cursor(t, 1)
        set_flag(t, "W", CLEAR, "O")  # O is N: tmail has no old unread mail
        wait_new_count(t, new)
        assert column(t, 1, STATE) != "N", t.dump()


def test_tag_prefix_w_flags_the_tagged_and_W_star_untags_them():
    with open_demo() as t:
        t.send_keys("Home", "j", "t", "j", "t")
        t.wait_for("Tag:2")
        wait_tagged(t, [2, 4])
        assert all(column(t, n, FLAG) == " " for n in (1, 3, 5)), t.dump()
        t.send_keys("\\;")
        t.wait_for("tag-")
        set_flag(t, "w", SET, "!")
        t.wait_for("Tag:2")  # still tagged: the column shows * over !
        t.send_keys("\\;")
        t.wait_for("tag-")
        set_flag(t, "W", CLEAR, "*")
        t.wait_gone("Tag:")
        wait_column(t, 2, FLAG, "!")
        wait_column(t, 4, FLAG, "!")
        assert all(column(t, n, FLAG) == " " for n in (1, 3, 5)), t.dump()
        t.send_keys("Home", "t", "j", "j", "t")  # tag 1 (not flagged) and 4 again
        t.wait_for("Tag:2")
        wait_tagged(t, [1, 4])
        t.send_keys("\\;")
        t.wait_for("tag-")
        set_flag(t, "W", CLEAR, "!")
        t.send_keys("\\;", "t")
        t.wait_gone("Tag:")
        wait_column(t, 4, FLAG, " ")
        wait_column(t, 1, FLAG, " ")
        assert column(t, 2, FLAG) == "!", t.dump()


def test_a_key_that_is_not_a_flag_is_refused_and_esc_cancels():
    with open_demo() as t:
        t.send_keys("Home")
        wait_cursor(t, 1)
        line = rows(t)[1]
        t.send_keys("w")
        t.wait_for(SET)
        t.send_keys("x")
        t.wait_for("x is not a flag: D, N, O, r, * or !.")
        t.send_keys("W")
        t.wait_for(CLEAR)
        t.send_keys("Escape")
        t.wait_gone(CLEAR)
        t.send_keys("w")
        t.wait_for(SET)
        t.send_keys("C-g")
        t.wait_gone(SET)
        wait_cursor(t, 1)  # nothing changed, the cursor stayed
        assert rows(t)[1] == line, t.dump()


def test_w_in_the_pager_flags_the_message_shown_and_shows_the_next():
    with open_demo() as t:
        t.send_keys("Home")
        wait_cursor(t, 1)
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^Subject: "))
        set_flag(t, "w", SET, "!")
        t.send_keys("q")
        t.wait_for("q:Quit")
        wait_column(t, 1, FLAG, "!")
        wait_cursor(t, 2)


if __name__ == "__main__":
    run_tests(globals())
