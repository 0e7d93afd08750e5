"""test_index_pager.py - the real tmail binary in tmux on the demo mailbox: the index, moving,
the pager, piping, help, resizing, wide characters and escape sequences in message text."""

import email
import email.policy
import os
import re
import shutil
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tmux_driver  # noqa: E402
from tmux_driver import DEMO, SRCDIR, TMAIL, Tmux, run_tests  # noqa: E402

EXPECTED = os.path.join(SRCDIR, "tests", "data", "demo-expected-threads.txt")


def expected_subjects():
    with open(EXPECTED, encoding="utf-8") as f:
        return [l.rstrip("\n").strip() for l in f if l.strip() and not l.startswith("#")]


def demo_files():
    return [os.path.join(DEMO, d, n) for d in ("cur", "new")
            for n in sorted(os.listdir(os.path.join(DEMO, d))) if not n.startswith(".")]


def subject_of(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    return str(msg["subject"])


def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def open_demo(cols=100, rows=30):
    return tmux_driver.open_demo(cols, rows)


def index_rows(screen):
    """Index lines: they start with a right-aligned message number."""
    return [l for l in screen if re.match(r"^\s*\d+ ", l)]


def test_demo_opens_with_all_messages_and_status():
    with open_demo() as t:
        screen = t.screen()
        assert "q:Quit" in screen[0], screen[0]
        assert "-*-tmail:" in screen[-2], screen[-2]
        unread = [p for p in demo_files() if "/new/" in p or "S" not in p.split(":2,")[1]]
        assert "[Msgs:%d New:%d]" % (len(demo_files()), len(unread)) in screen[-2], screen[-2]
        assert "No configuration (S sets up an account): copied the demo mailbox to /" in \
            screen[-1], screen[-1]
        # The shipped demo is copied, never used in place.
        assert os.path.isdir(os.path.join(t.home, ".local/share/tmail/demo/cur"))


def test_index_is_in_thread_order_with_tree():
    subjects = expected_subjects()
    with open_demo(cols=140, rows=len(subjects) + 5) as t:
        rows = index_rows(t.screen())
        assert len(rows) == len(subjects), (len(rows), len(subjects))
        for row, subject in zip(rows, subjects):
            assert row.rstrip().endswith(subject), (row, subject)
        replies = [r for r in rows if "Re: [tmail-dev] RFC: config" in r]
        assert any("├─>" in r for r in replies) and any("└─>" in r for r in replies), replies
        assert any("│ " in r or "  └─>" in r for r in replies), replies


def test_open_starts_on_first_unread_message():
    subjects = expected_subjects()
    unread = {subject_of(p) for p in demo_files()
              if "/new/" in p or not p.split(":2,")[1].count("S")}
    first = next(s for s in subjects if s in unread)
    with open_demo() as t:
        t.send_keys("Enter")
        m = t.wait_for(re.compile(r"^Subject: (.*)$", re.M))
        assert m.group(1).strip() == first, (m.group(1), first)


def test_move_open_message_and_back():
    subjects = expected_subjects()
    with open_demo() as t:
        t.send_keys("Home")
        t.send_keys("j", "j")
        t.send_keys("Enter")
        m = t.wait_for(re.compile(r"^Subject: (.*)$", re.M))
        assert m.group(1).strip() == subjects[2], (m.group(1), subjects[2])
        t.wait_for(re.compile(r"^From: ", re.M))
        t.send_keys("q")
        t.wait_for("q:Quit")
        t.send_keys("k", "Enter")
        m = t.wait_for(re.compile(r"^Subject: (.*)$", re.M))
        assert m.group(1).strip() == subjects[1], (m.group(1), subjects[1])
        t.send_keys("q")
        t.send_keys("End", "Enter")
        m = t.wait_for(re.compile(r"^Subject: (.*)$", re.M))
        assert m.group(1).strip() == subjects[-1]


def test_pager_scrolls_long_message():
    subjects = expected_subjects()
    pos = subjects.index("[ANN] tmail 0.9.0 released")
    with open_demo(cols=90, rows=20) as t:
        t.send_keys("Home")
        t.send_keys(*(["j"] * pos))
        t.send_keys("Enter")
        t.wait_for("Subject: [ANN] tmail 0.9.0 released")
        first = t.wait_until_stable()
        t.send_keys("Space")
        t.wait_gone("Subject: [ANN] tmail 0.9.0 released")
        assert re.search(r"\d+%", t.screen()[-2]), t.screen()[-2]
        t.send_keys("End")
        t.wait_for("end")
        t.send_keys("Home")
        t.wait_for("Subject: [ANN] tmail 0.9.0 released")
        assert t.wait_until_stable()[1:5] == first[1:5]


def test_pager_wraps_at_words_and_repeats_quote_prefix():
    subjects = expected_subjects()
    pos = subjects.index("Re: [tmail-dev] RFC: config file format (TOML vs. muttrc-style)")
    with open_demo(cols=50, rows=30) as t:
        t.send_keys("Home")
        t.send_keys(*(["j"] * pos))
        t.send_keys("Enter")
        t.wait_for("Priya Raman")
        screen = t.wait_until_stable()
        # "...copy their muttrc over mostly unchanged." wrapped: the continuation carries mutt's
        # + marker, is still quoted and starts with a whole word.
        assert "+> over mostly unchanged." in screen, screen
        assert all(width(l) <= 50 for l in screen)


def raw_line_count(subject):
    matches = [p for p in demo_files() if subject_of(p) == subject]
    assert len(matches) == 1, (subject, matches)
    with open(matches[0], "rb") as f:
        return f.read().count(b"\n")


def test_pipe_message_to_wc_shows_line_count():
    subjects = expected_subjects()
    pos = subjects.index("[ANN] tmail 0.9.0 released")
    want = raw_line_count(subjects[pos])
    with open_demo() as t:
        t.send_keys("Home")
        t.send_keys(*(["j"] * pos))
        t.send_keys("|")
        t.wait_for("Pipe to command:")
        t.type("wc -l")
        t.send_keys("Enter")
        t.wait_for("Press any key to continue")
        lines = [l.strip() for l in t.screen()]
        assert str(want) in lines, (want, lines)
        t.send_keys("x")
        t.wait_for("q:Quit")
        t.wait_gone("Press any key")


def test_help_lists_bindings_and_returns():
    with open_demo() as t:
        t.send_keys("?")
        t.wait_for("next-entry")
        t.wait_for("Help for index")
        for _ in range(5):  # a page at a time, as a person reads it
            if "pipe-message" in t.text():
                break
            t.send_keys("Space")
            t.wait_until_stable()
        t.wait_for("pipe-message")
        t.send_keys("q")
        t.wait_for("q:Quit")


def test_resize_redraws_for_new_size():
    with open_demo(cols=100, rows=30) as t:
        t.resize(70, 16)
        t.wait_for(re.compile(r"-\*-tmail:.*\n.*\Z"))
        screen = t.wait_until_stable()
        assert "-*-tmail:" in screen[14], screen
        assert len(index_rows(screen)) == 13, screen
        assert all(width(l) <= 70 for l in screen)
        t.resize(120, 40)
        t.wait_for(re.compile(r"Msgs:"))
        screen = t.wait_until_stable()
        assert "-*-tmail:" in screen[38], screen
        assert len(index_rows(screen)) == 37, screen


def test_wide_characters_keep_columns_aligned():
    subjects = expected_subjects()
    with open_demo(cols=120, rows=len(subjects) + 5) as t:
        rows = index_rows(t.screen())
        cjk = [r for r in rows if "日本語" in r or "田中" in r]
        assert cjk, rows
        # The size column starts at the same screen column on every line, CJK or not.
        cols = {width(r[:r.index(" (")]) for r in rows}
        assert len(cols) == 1, [(width(r[:r.index(" (")]), r) for r in rows]


def test_escape_sequences_are_shown_not_obeyed():
    subjects = expected_subjects()
    pos = subjects.index("Terminal escape test")
    with open_demo() as t:
        t.send_keys("Home")
        t.send_keys(*(["j"] * pos))
        t.send_keys("Enter")
        t.wait_for("Subject: Terminal escape test")
        t.wait_for("^[")
        assert "pwned" not in t.display("#{pane_title}")
        assert "\x1b" not in t.text()


def test_reading_new_message_moves_it_to_cur():
    subjects = expected_subjects()
    path = [p for p in demo_files() if "/new/" in p][0]
    subject = subject_of(path)
    pos = subjects.index(subject)
    name = os.path.basename(path)
    with open_demo() as t:
        copy = os.path.join(t.home, ".local/share/tmail/demo")
        assert os.path.exists(os.path.join(copy, "new", name))
        t.send_keys("Home")
        t.send_keys(*(["j"] * pos))
        t.send_keys("Enter")
        t.wait_for("Subject: " + subject)
        t.send_keys("q")
        t.wait_for("q:Quit")
        for _ in range(100):
            if os.path.exists(os.path.join(copy, "cur", name + ":2,S")):
                break
            t.wait_until_stable(quiet=0.05)
        assert os.path.exists(os.path.join(copy, "cur", name + ":2,S")), os.listdir(copy + "/cur")
        assert not os.path.exists(os.path.join(copy, "new", name))
        # The shipped demo is untouched.
        assert os.path.exists(path)


def test_flag_key_renames_file():
    with open_demo() as t:
        copy = os.path.join(t.home, ".local/share/tmail/demo")
        t.send_keys("Home")
        t.wait_until_stable()
        before = set(os.listdir(os.path.join(copy, "cur")))
        t.send_keys("F")
        t.wait_for(re.compile(r"^\s*1 .!", re.M))
        after = set(os.listdir(os.path.join(copy, "cur")))
        added = after - before
        assert len(added) == 1 and "F" in list(added)[0].split(":2,")[1], (added, before - after)


def test_open_maildir_with_f_and_quit():
    with Tmux(["sh", "-c", "true"]) as probe:
        tmp = probe.tmpdir + "-md"
    try:
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(tmp, d))
        for i in range(3):
            with open(os.path.join(tmp, "new", "100%d.M1P1.test" % i), "w") as f:
                f.write("From: T <t@example.org>\nSubject: Message %d\n"
                        "Date: Mon, 2 Nov 2026 10:0%d:00 +0000\nMessage-ID: <m%d@t>\n\nBody %d\n"
                        % (i, i, i, i))
        with Tmux([TMAIL, "-f", tmp]) as t:
            t.wait_for("Msgs:3")
            t.wait_for("Message 2")
            t.send_keys("q")
            assert t.wait_exit() == 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_open_mbox_file_with_f():
    with Tmux(["sh", "-c", "true"]) as probe:
        path = probe.tmpdir + ".mbox"
    try:
        with open(path, "w") as f:
            for i in range(3):
                f.write("From t@example.org Mon Nov  2 10:0%d:00 2026\nFrom: T <t@example.org>\n"
                        "Subject: Boxed %d\nDate: Mon, 2 Nov 2026 10:0%d:00 +0000\n\n"
                        ">From the box %d\n\n" % (i, i, i, i))
        with Tmux([TMAIL, "-f", path]) as t:
            t.wait_for("Msgs:3")
            t.send_keys("Home", "Enter")
            t.wait_for("Subject: Boxed 0")
            t.wait_for(re.compile(r"^From the box 0$", re.M))
            t.send_keys("q", "q")
            assert t.wait_exit() == 0
        with open(path) as f:
            assert f.read().count(">From the box") == 3  # the file is never rewritten
    finally:
        os.unlink(path)


def decoded_attachment(subject, filename):
    path = [p for p in demo_files() if subject_of(p) == subject][0]
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    return next(part.get_payload(decode=True) for part in msg.walk()
                if part.get_filename() == filename)


def test_attachments_list_view_save_and_pipe():
    subjects = expected_subjects()
    subject = "[tmail-dev] Screenshot: new thread view"
    pos = subjects.index(subject)
    png = decoded_attachment(subject, "thread-view.png")
    with Tmux(["sh", "-c", "true"]) as probe:
        workdir = probe.tmpdir + "-cwd"
    os.makedirs(workdir)
    try:
        t = Tmux([TMAIL], cols=100, rows=30, cwd=workdir)
        with t:
            t.wait_for("Msgs:53")
            t.wait_gone("Syncing")
            t.send_keys("Home")
            t.send_keys(*(["j"] * pos))
            t.send_keys("v")
            t.wait_for("[Attachments]")
            t.wait_for(re.compile(r"thread-view\.png +\[image/png, base64"))
            t.send_keys("Enter")  # the cursor starts on part 1, the text
            t.wait_for("The thread view branch")
            t.send_keys("q")
            t.wait_for("[Attachments]")
            t.send_keys("End", "s")
            t.wait_for("Save to file: thread-view.png")
            t.send_keys("Enter")
            t.wait_for("Saved %d bytes to thread-view.png" % len(png))
            with open(os.path.join(workdir, "thread-view.png"), "rb") as f:
                assert f.read() == png
            t.send_keys("|")
            t.wait_for("Pipe to command:")
            t.type("wc -c")
            t.send_keys("Enter")
            t.wait_for("Press any key to continue")
            assert str(len(png)) in [l.strip() for l in t.screen()], t.screen()
            t.send_keys("x")
            t.wait_for("[Attachments]")
            t.send_keys("q")
            t.wait_for("q:Quit")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def test_attachment_name_cannot_choose_the_directory():
    with Tmux(["sh", "-c", "true"]) as probe:
        tmp = probe.tmpdir + "-md"
    try:
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(tmp, d))
        with open(os.path.join(tmp, "cur", "1.M1P1.t:2,S"), "w") as f:
            f.write('From: x@y\nSubject: evil name\nMIME-Version: 1.0\n'
                    'Content-Type: multipart/mixed; boundary="b"\n\n--b\n\nhi\n--b\n'
                    'Content-Type: application/octet-stream\n'
                    'Content-Disposition: attachment; filename="../../.bashrc\x1b[31m"\n'
                    'Content-Transfer-Encoding: base64\n\naGk=\n--b--\n')
        with Tmux([TMAIL, "-f", tmp], cwd=tmp) as t:
            t.wait_for("Msgs:1")
            t.send_keys("v")
            t.wait_for("[Attachments]")
            t.send_keys("End", "s")
            m = t.wait_for(re.compile(r"Save to file: (.*)$", re.M))
            assert m.group(1).strip() == "bashrc[31m", m.group(1)
            t.send_keys("Escape")
            t.send_keys("q", "q")
            assert t.wait_exit() == 0
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_missing_folder_is_a_clear_error():
    # The pause after tmail exits lets tmux draw its last words before the pane dies.
    with Tmux(["sh", "-c", '"$0" -f /nonexistent/folder; s=$?; sleep 0.5; exit $s', TMAIL]) as t:
        assert t.wait_exit() == 1
        t.wait_for("/nonexistent/folder")


if __name__ == "__main__":
    run_tests(globals())
