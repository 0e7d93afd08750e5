#!/usr/bin/env python3
"""test_tag.py - mutt's tagging in the real binary (tmux, demo mailbox): t tags and moves on, the
flags column shows * and the status line Tag:N; T and ^T tag and untag by pattern (also ~b, after
the body search); <Esc>t tags a thread; ; applies the next key to the tagged messages: ;d
deletes exactly them, ;C copies them to a new folder, ;s moves them (their tags go with them),
;| pipes them together, ;t untags them; opening another folder drops the tags."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tmux_driver  # noqa: E402
from tmux_driver import TMAIL, Tmux, demo_count, run_tests  # noqa: E402

SGR = re.compile(r"\x1b\[[0-9;]*m")
ROW = re.compile(r"^(?=[ \d]{5} )\s*(\d+) ")  # the number is right-aligned in 5 columns


def open_demo():
    """The demo mailbox once its first scan has ended, 40 rows high."""
    return tmux_driver.open_demo(rows=40)


def demo_copy(t):
    return os.path.join(t.home, ".local", "share", "tmail", "demo")


def count(folder):
    return sum(len([n for n in os.listdir(os.path.join(folder, d)) if not n.startswith(".")])
               for d in ("cur", "new"))


def rows(t):
    """Index rows as {number: line}."""
    out = {}
    for line in t.screen():
        m = ROW.match(line)
        if m:
            out[int(m.group(1))] = line
    return out


def tagged(t):
    """Numbers of the rows whose flag column (after the state column) shows *."""
    return sorted(n for n, line in rows(t).items() if line[7:8] == "*")


def wait_tagged(t, want, timeout=10):
    deadline = time.monotonic() + timeout
    while tagged(t) != want:
        if time.monotonic() > deadline:
            raise AssertionError("tagged rows %r, not %r\n%s" % (tagged(t), want, t.dump()))
        time.sleep(0.05)


def cursor_number(t):
    """The number of the index row drawn in reverse video (the cursor), or None."""
    reverse = False
    for line in t.screen_with_attributes():
        first = None
        pos = 0
        for m in SGR.finditer(line):
            if first is None and m.start() > pos:
                first = reverse
            pos = m.end()
            for code in (m.group(0)[2:-1] or "0").split(";"):
                if code in ("", "0", "27"):
                    reverse = False
                elif code == "7":
                    reverse = True
        if first is None:
            first = reverse
        m = ROW.match(SGR.sub("", line))
        if first and m:
            return int(m.group(1))
    return None


def wait_cursor(t, number, timeout=10):
    deadline = time.monotonic() + timeout
    while cursor_number(t) != number:
        if time.monotonic() > deadline:
            raise AssertionError("cursor on %r, not %r\n%s" % (cursor_number(t), number, t.dump()))
        time.sleep(0.05)


def pattern(t, key, prompt, text):
    t.send_keys(key)
    t.wait_for(prompt)
    t.type(text)
    t.send_keys("Enter")


def test_t_tags_two_messages_with_stars_and_a_count():
    with open_demo() as t:
        t.send_keys("Home")
        wait_cursor(t, 1)
        t.send_keys("t", "t")
        t.wait_for(re.compile(r"\[Msgs:\d+ .*Tag:2[ \]]"))
        wait_tagged(t, [1, 2])
        wait_cursor(t, 3)  # on to the next message, as mutt's resolve
        t.send_keys("Home", "t")  # again: untagged
        t.wait_for("Tag:1")
        wait_tagged(t, [2])
        wait_cursor(t, 2)
        t.send_keys("Enter")  # in the pager, t tags the message shown and shows the next
        t.wait_for(re.compile(r"(?m)^Subject: "))
        t.send_keys("t")
        t.send_keys("q")
        t.wait_for("q:Quit")
        t.wait_gone("Tag:")
        assert tagged(t) == [], t.dump()
        wait_cursor(t, 3)


def test_tag_and_untag_by_pattern():
    with open_demo() as t:
        t.send_keys("Home")
        wait_cursor(t, 1)
        pattern(t, "T", "Tag messages matching:", "~s RFC")
        t.wait_for("8 messages tagged.")
        t.wait_for("Tag:8")
        wait_tagged(t, list(range(5, 13)))
        assert all("RFC" in rows(t)[n] for n in tagged(t)), t.dump()
        pattern(t, "C-t", "Untag messages matching:", "~s ^Re:")
        t.wait_for("7 messages untagged.")
        t.wait_for("Tag:1")
        wait_tagged(t, [5])
        pattern(t, "T", "Tag messages matching:", "~b backtrace")  # the worker's body search
        t.wait_for("3 messages tagged.", timeout=30)
        t.wait_for(re.compile(r"Tag:4[ \]]"))
        body = [n for n in tagged(t) if n != 5]
        assert 5 in tagged(t) and len(body) == 3, t.dump()
        assert all("Crash when opening an empty Maildir" in rows(t)[n] for n in body), t.dump()
        pattern(t, "C-t", "Untag messages matching:", "~A")
        t.wait_for("4 messages untagged.")
        t.wait_gone("Tag:")
        assert tagged(t) == [], t.dump()
        pattern(t, "T", "Tag messages matching:", "~s no-such-subject")
        t.wait_for("No messages matched.")


def test_tag_prefix_delete_deletes_exactly_the_tagged():
    with open_demo() as t:
        t.send_keys("Home", "j", "t", "j", "t")
        t.wait_for("Tag:2")
        wait_tagged(t, [2, 4])
        t.send_keys("\\;")
        t.wait_for("tag-")
        t.send_keys("d")
        t.wait_for("Del:2")
        t.wait_gone("Tag:")  # deleted messages lose their tags, as mutt's delete_untag
        deleted = sorted(n for n, line in rows(t).items() if line[6:7] == "D")
        assert deleted == [2, 4], t.dump()
        t.send_keys("\\;")
        t.wait_for("No tagged messages.")
        t.send_keys("x")
        assert t.wait_exit() == 0


def test_tag_thread_and_untag_all_with_tag_prefix_t():
    with open_demo() as t:
        t.send_keys("Home", "j", "j", "j", "j", "j", "j")  # a reply deep in the RFC thread
        wait_cursor(t, 7)
        t.send_keys("Escape", "t")
        t.wait_for("Tag:8")
        wait_tagged(t, list(range(5, 13)))
        wait_cursor(t, 13)  # past the thread
        t.send_keys("\\;", "t")
        t.wait_gone("Tag:")
        assert tagged(t) == [], t.dump()


def test_tag_prefix_copy_and_save_to_another_folder():
    with open_demo() as t:
        demo = demo_copy(t)
        archive = os.path.join(demo, ".Archive")
        total = demo_count()
        pattern(t, "T", "Tag messages matching:", "~s Lunch")
        t.wait_for("Tag:2")
        t.send_keys("\\;", "C")
        t.wait_for("Copy to mailbox:")
        t.type("=Archive")
        t.send_keys("Enter")
        t.wait_for("Create Archive? ([y]/n):")
        t.send_keys("y")
        t.wait_for("Copied to Archive.")
        deadline = time.monotonic() + 10
        while not os.path.isdir(archive) or count(archive) != 2:
            assert time.monotonic() < deadline, (os.path.isdir(archive) and count(archive))
            time.sleep(0.05)
        assert count(demo) == total
        t.wait_for("Tag:2")  # a copy keeps the tags
        t.send_keys("\\;", "s")
        t.wait_for("Save to mailbox: Archive")  # the last mailbox is offered
        t.send_keys("Enter")
        t.wait_for(re.compile(r"\[Msgs:%d[ \]]" % (total - 2)))
        t.wait_gone("Tag:")  # moved away: no tags left for them
        assert count(archive) == 4 and count(demo) == total - 2
        t.send_keys("t")
        t.wait_for("Tag:1")
        t.send_keys("c")
        t.wait_for("Open mailbox:")
        t.type("=Archive")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"\[Msgs:4[ \]]"))
        assert "Tag:" not in t.text() and tagged(t) == [], t.dump()  # another folder: no tags


def test_tag_prefix_pipe_concatenates_the_tagged_messages():
    with open_demo() as t:
        pattern(t, "T", "Tag messages matching:", "~s Lunch")
        t.wait_for("Tag:2")
        t.send_keys("\\;", "|")
        t.wait_for("Pipe to command:")
        t.type("grep -ci '^subject: .*lunch'")
        t.send_keys("Enter")
        t.wait_for("Press any key to continue")
        assert re.search(r"(?m)^2$", t.text()), t.dump()
        t.send_keys("q")
        t.wait_for("q:Quit")
        t.wait_for("Tag:2")


if __name__ == "__main__":
    run_tests(globals())
