#!/usr/bin/env python3
"""test_index_moves.py - mutt's index moves and thread functions in the real binary (tmux, demo
mailbox): Tab goes to the next unread message and wraps around, <Esc><Tab> to the previous one,
Tab in the pager shows the next unread message; a digit asks for a message number and jumps
there; ^D deletes the thread under the cursor and moves past it (in the pager: shows the next
message), ^U undeletes it, <Esc>r reads a subthread; ^N, ^P and <Esc>n move between threads, P
to the parent; H and M go to the top and the middle of the page; h shows every header field; V
shows the version and ! runs a shell command; o and O sort by one key and the status line names
the order; Up and Down at a prompt bring back what was typed there before (one history for all
pattern prompts); D and U delete and undelete what a pattern matches; in the pager, T hides
quoted text, S skips past it, / finds a regular expression (smart case), n again, wrapping, the
matches in reverse video until \\ turns that off."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_tag import open_demo, pattern, rows, wait_cursor  # noqa: E402
import tmux_driver  # noqa: E402
from tmux_driver import run_tests  # noqa: E402

# The demo's unread messages in thread order, and the thread of three at 42-44.
UNREAD = [45, 48, 50, 51, 52, 53]
STATE = 6  # the column of N / D on an index line


def state(t, n):
    return rows(t).get(n, "")[STATE:STATE + 1]


def unread_rows(t):
    return sorted(n for n, line in rows(t).items() if line[STATE:STATE + 1] == "N")


def jump(t, number):
    t.send_keys(*str(number))
    t.wait_for("Jump to message: ")
    t.send_keys("Enter")


def test_tab_goes_to_the_next_unread_and_wraps_around():
    with open_demo() as t:
        assert unread_rows(t) == UNREAD, t.dump()
        t.send_keys("Home")
        wait_cursor(t, 1)
        for n in UNREAD:
            t.send_keys("Tab")
            wait_cursor(t, n)
        t.send_keys("Tab")
        wait_cursor(t, UNREAD[0])
        t.wait_for("Search wrapped to top.")
        t.send_keys("Escape", "Tab")  # <Esc><Tab>: the previous unread, wrapping the other way
        wait_cursor(t, UNREAD[-1])
        t.wait_for("Search wrapped to bottom.")
        t.send_keys("Escape", "Tab")
        wait_cursor(t, UNREAD[-2])


def test_tab_in_the_pager_shows_the_next_unread_message():
    with open_demo() as t:
        t.send_keys("Home")
        wait_cursor(t, 1)
        t.send_keys("Enter")
        first = t.wait_for(re.compile(r"^Subject: (.*)$", re.M)).group(1)
        t.send_keys("Tab")
        t.wait_for("Subject: [tmail-dev] Weekly triage notes (week 47)")
        assert first not in t.text(), t.dump()
        t.send_keys("q")
        wait_cursor(t, 45)
        t.wait_for(re.compile(r"New:5[ \]]"))  # shown, so read


def test_a_digit_jumps_to_that_message_number():
    with open_demo() as t:
        jump(t, 12)
        wait_cursor(t, 12)
        t.send_keys("4")
        t.wait_for("Jump to message: 4")  # the digit typed starts the number
        t.send_keys("2", "Enter")
        wait_cursor(t, 42)
        jump(t, 99)
        t.wait_for("Invalid message number.")
        wait_cursor(t, 42)


def test_ctrl_d_deletes_the_thread_and_ctrl_u_undeletes_it():
    with open_demo() as t:
        jump(t, 43)  # a reply: ^D takes the whole thread, from its root
        wait_cursor(t, 43)
        t.send_keys("C-d")
        wait_cursor(t, 45)  # past the thread, as mutt
        t.wait_for(re.compile(r"Del:3[ \]]"))
        assert [state(t, n) for n in (41, 42, 43, 44, 45)] == [" ", "D", "D", "D", "N"], t.dump()
        jump(t, 44)
        t.send_keys("C-u")
        wait_cursor(t, 45)
        t.wait_gone("Del:")
        assert [state(t, n) for n in (42, 43, 44)] == [" ", " ", " "], t.dump()
        jump(t, 45)  # a thread of one unread message: <Esc>r reads it
        t.send_keys("Escape", "r")
        t.wait_for(re.compile(r"New:5[ \]]"))
        assert state(t, 45) == " ", t.dump()


def test_ctrl_d_in_the_pager_deletes_the_thread_and_shows_the_next_message():
    with open_demo() as t:
        jump(t, 42)
        wait_cursor(t, 42)
        t.send_keys("Enter")
        t.wait_for("Subject: [ANN] tmail 0.9.0 released")
        t.send_keys("C-d")
        t.wait_for("Subject: [tmail-dev] Weekly triage notes (week 47)")
        t.send_keys("q")
        wait_cursor(t, 45)
        t.wait_for(re.compile(r"Del:3[ \]]"))
        assert [state(t, n) for n in (42, 43, 44)] == ["D", "D", "D"], t.dump()


def test_o_and_O_sort_with_one_key_and_the_status_line_says_how():
    with open_demo() as t:
        t.send_keys("o")
        t.wait_for("Sort (d)ate/(f)rm/(r)ecv/(s)ubj/t(o)/(t)hread/(u)nsort/si(z)e?")
        t.send_keys("s")
        t.wait_for("---(subject)")
        t.send_keys("Home")  # "[" before letters; a reply sorts by the subject it answers
        t.wait_for(re.compile(r"^ +1 .*\) \[ANN\] tmail 0\.9\.0 released\n +2 .*\) Re: \[ANN\]",
                              re.M))
        t.send_keys("O")
        t.wait_for("Rev-Sort")
        t.send_keys("d")
        t.wait_for("---(date/reverse)")
        t.send_keys("Home")
        t.wait_for(re.compile(r"^ +1 N  Nov 23 .*1\.0 roadmap draft\n +2 N  Nov 22 ", re.M))
        t.send_keys("o")
        t.wait_for("Sort (d)ate")
        t.send_keys("Escape")  # cancelled: nothing changes
        t.wait_gone("Sort (d)ate")
        assert "---(date/reverse)" in t.text(), t.dump()
        t.send_keys("o", "t")
        t.wait_for("---(threads)")
        t.wait_for(re.compile(r"^ +43 .*└─>Re: \[ANN\] tmail 0\.9\.0 released", re.M))


def test_ctrl_n_ctrl_p_and_esc_n_move_between_threads():
    with open_demo() as t:
        jump(t, 42)
        wait_cursor(t, 42)
        t.send_keys("C-n")
        wait_cursor(t, 45)  # past the thread of three
        t.send_keys("C-p")
        wait_cursor(t, 42)  # its root
        t.send_keys("C-p")
        wait_cursor(t, 41)
        jump(t, 43)
        t.send_keys("Escape", "n")  # 43 and its reply 44 are a subthread
        wait_cursor(t, 45)
        jump(t, 1)
        t.send_keys("C-p")
        t.wait_for("You are on the first thread.")
        wait_cursor(t, 1)


def test_P_goes_to_the_parent_not_to_a_sibling():
    with open_demo() as t:
        jump(t, 36)  # 34 has two replies, 35 and 36
        wait_cursor(t, 36)
        t.send_keys("P")
        wait_cursor(t, 34)
        jump(t, 44)  # 42 <- 43 <- 44
        t.send_keys("P")
        wait_cursor(t, 43)
        t.send_keys("P")
        wait_cursor(t, 42)
        t.send_keys("P")
        t.wait_for("Parent message is not available.")
        wait_cursor(t, 42)


def test_T_hides_quoted_text_in_the_pager_and_S_skips_past_it():
    with tmux_driver.open_demo(rows=12) as t:  # a short pane, so S has somewhere to scroll to
        pattern(t, "/", "Search for:", "~f jmueller ~s 'config file'")  # it quotes Marco
        t.wait_for(re.compile(r"^ *\d+ .*Jürgen Müller", re.M))
        t.send_keys("Enter")
        t.wait_for("Marco Bellini <marco.bellini@example.org> writes:")
        t.wait_for("> We can still be strict")
        t.send_keys("S")
        t.wait_gone("writes:")  # the page starts after the quote
        t.wait_for("Agreed, and I would go one step further")
        t.send_keys("S")
        t.wait_for("No more quoted text.")
        t.send_keys("Home", "T")
        t.wait_gone("> We can still be strict")
        t.wait_for("writes:")
        t.wait_for("Agreed, and I would go one step further")
        t.send_keys("T")
        t.wait_for("> We can still be strict")


def reversed_words(t):
    """The runs of text drawn in reverse video between the help bar and the status bar."""
    out = []
    for line in t.screen_with_attributes()[1:-2]:
        reverse = False
        for part in re.split(r"(\x1b\[[0-9;]*m)", line):
            if part.startswith("\x1b["):
                for code in (part[2:-1] or "0").split(";"):
                    reverse = code == "7" or (reverse and code not in ("", "0", "27"))
            elif reverse and part.strip():
                out.append(part.strip())
    return out


def test_slash_in_the_pager_finds_and_highlights_and_backslash_turns_that_off():
    with tmux_driver.open_demo(rows=12) as t:
        pattern(t, "/", "Search for:", "~f jmueller ~s 'config file'")
        t.wait_for(re.compile(r"^ *\d+ .*Jürgen Müller", re.M))
        t.send_keys("Enter")
        t.wait_for("writes:")
        pattern(t, "/", "Search for:", "ICONV|utf-8")  # capitals: as typed, case matters
        t.wait_for("Not found.")
        t.send_keys("/")
        t.wait_for("Search for: ICONV|utf-8")  # the last one is offered, as mutt's
        t.send_keys("C-u")
        t.type("iconv|utf-8")  # no capitals: any case
        t.send_keys("Enter")
        t.wait_for("point at iconv")
        t.wait_gone("writes:")  # the page moved down to the first match
        deadline = time.monotonic() + 10
        while sorted(set(reversed_words(t))) != ["UTF-8", "iconv"]:
            assert time.monotonic() < deadline, (reversed_words(t), t.dump())
            time.sleep(0.05)
        for _ in range(2):  # the next two lines with a match, on the last page
            t.send_keys("n")
            t.wait_for("point at iconv")
            assert "wrapped" not in t.text(), t.dump()
        t.send_keys("n")  # past the last: wraps
        t.wait_for("Search wrapped to top.")
        t.send_keys("\\")
        deadline = time.monotonic() + 10
        while "iconv" in reversed_words(t) or "UTF-8" in reversed_words(t):
            assert time.monotonic() < deadline, (reversed_words(t), t.dump())
            time.sleep(0.05)


def test_H_and_M_go_to_the_top_and_the_middle_of_the_page():
    with open_demo() as t:
        jump(t, 42)
        wait_cursor(t, 42)
        shown = sorted(rows(t))
        t.send_keys("H")
        wait_cursor(t, shown[0])
        t.send_keys("M")
        wait_cursor(t, shown[(len(shown) - 1) // 2])


def test_h_shows_every_header_field_and_h_again_the_usual_few():
    with open_demo() as t:
        jump(t, 37)
        wait_cursor(t, 37)
        t.send_keys("h")  # as mutt's index: shows the message with all its header
        t.wait_for("Return-Path: <reminders@bloordental.example.com>")
        t.wait_for("Message-ID: <20261111130000.f62e610834f2@bloordental.example.com>")
        t.send_keys("h")
        t.wait_gone("Return-Path:")
        t.wait_for("Subject: Appointment reminder: Thursday 19 November, 15:30")
        assert "Message-ID:" not in t.text(), t.dump()


def test_V_shows_the_version_and_bang_runs_a_shell_command():
    with open_demo() as t:
        t.send_keys("V")
        t.wait_for(re.compile(r"^tmail \d+\.\d+\.\d+", re.M))
        t.send_keys("!")
        t.wait_for("Shell command:")
        t.type("echo shell-ran-$((6*7))")
        t.send_keys("Enter")
        t.wait_for("shell-ran-42")
        t.wait_for("Press any key to continue...")
        t.send_keys("Enter")
        t.wait_for("q:Quit")
        t.wait_for(re.compile(r"\[Msgs:53"))


def test_up_and_down_at_a_prompt_bring_back_what_was_typed_there():
    with open_demo() as t:
        for word, row in (("Christmas", 52), ("Coffee", 41)):
            t.send_keys("/")
            t.wait_for("Search for:")
            t.send_keys("C-u")  # the last pattern is offered: start afresh
            t.type(word)
            t.send_keys("Enter")
            wait_cursor(t, row)
        t.send_keys("/")
        t.wait_for("Search for: Coffee")  # mutt offers the last pattern
        t.send_keys("C-u")
        t.type("draft")  # being edited: Down comes back to it
        t.send_keys("Up")
        t.wait_for(re.compile(r"^Search for: Coffee$", re.M))
        t.send_keys("Up")
        t.wait_for(re.compile(r"^Search for: Christmas$", re.M))
        t.send_keys("Up")  # the oldest: stays
        t.send_keys("Down")
        t.wait_for(re.compile(r"^Search for: Coffee$", re.M))
        t.send_keys("Down")
        t.wait_for(re.compile(r"^Search for: draft$", re.M))
        t.send_keys("Up", "Up", "Enter")
        wait_cursor(t, 52)
        t.send_keys("l")  # one history for every pattern prompt, as mutt's
        t.wait_for("Limit to messages matching:")
        t.send_keys("Up")
        t.wait_for(re.compile(r"^Limit to messages matching: Christmas$", re.M))
        t.send_keys("C-g")
        t.wait_gone("Limit to messages matching:")
        t.send_keys("|")  # another prompt: its own history, empty
        t.wait_for("Pipe to command:")
        t.send_keys("Up")
        t.wait_for(re.compile(r"^Pipe to command:$", re.M))
        t.send_keys("C-g")


def test_D_deletes_and_U_undeletes_the_messages_a_pattern_matches():
    with open_demo() as t:
        pattern(t, "D", "Delete messages matching:", "~s 'Book club'")
        t.wait_for("2 messages marked deleted.")
        t.wait_for(re.compile(r"Del:2[ \]]"))
        assert [state(t, n) for n in (24, 50)] == ["D", "D"], t.dump()
        pattern(t, "U", "Undelete messages matching:", "~s pick")
        t.wait_for("1 message undeleted.")
        t.wait_for(re.compile(r"Del:1[ \]]"))
        assert [state(t, n) for n in (24, 50)] == ["r", "D"], t.dump()
        pattern(t, "D", "Delete messages matching:", "~s no-such-subject-anywhere")
        t.wait_for("No messages matched.")


if __name__ == "__main__":
    run_tests(globals())
