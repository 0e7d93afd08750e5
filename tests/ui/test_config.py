"""test_config.py - ~/.tmailrc seen from the real binary: key bindings and macros change what keys
do, a Maildir account opens instead of the demo, errors are shown while tmail still starts (a
body pattern in `color index` is one), and --check-config reports FILE:LINE problems with an exit
status."""

import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tmux_driver import SRCDIR, TMAIL, Tmux, run_tests  # noqa: E402

EXPECTED = os.path.join(SRCDIR, "tests", "data", "demo-expected-threads.txt")


def expected_subjects():
    with open(EXPECTED, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def start(rc, cols=100, rows=30, files=None):
    """tmail in tmux with rc written as its ~/.tmailrc (and files, {name: text} in HOME) before
    it starts."""
    t = Tmux(["sh", "-c", 'while [ ! -f "$HOME/.go" ]; do sleep 0.05; done; exec "$0"', TMAIL],
             cols=cols, rows=rows)
    with open(os.path.join(t.home, ".tmailrc"), "w") as f:
        f.write(rc)
    os.chmod(os.path.join(t.home, ".tmailrc"), 0o600)
    for name, text in (files or {}).items():
        with open(os.path.join(t.home, name), "w") as f:
            f.write(text)
    open(os.path.join(t.home, ".go"), "w").close()
    return t


def test_bind_and_macro_change_what_keys_do():
    subjects = expected_subjects()
    rc = ('bind index G last-entry\n'
          'macro index X "<first-entry><display-message>" "open the first message"\n'
          'bind pager Q exit\n'
          'bind index j noop\n')
    with start(rc) as t:
        t.wait_for("Msgs:53")
        t.wait_gone("Syncing")
        t.send_keys("X")
        m = t.wait_for(re.compile(r"^Subject: (.*)$", re.M))
        assert m.group(1).strip() == subjects[0], (m.group(1), subjects[0])
        t.send_keys("Q")
        t.wait_for("q:Quit")
        t.send_keys("G", "Enter")
        m = t.wait_for(re.compile(r"^Subject: (.*)$", re.M))
        assert m.group(1).strip() == subjects[-1]
        t.send_keys("Q")
        t.wait_for("q:Quit")
        t.send_keys("j")  # unbound with noop
        t.wait_for("Key is not bound")
        t.send_keys("?")
        t.wait_for(re.compile(r"^X +macro +open the first message", re.M))
        t.wait_for(re.compile(r"^G +last-entry", re.M))


def test_colors_from_tmailrc_reach_the_screen():
    rc = ("color status white blue\n"
          "color indicator black yellow\n"
          "color tree red default\n"
          "color header brightyellow default '^Subject:'\n"
          "color quoted1 green default\n"
          "color index magenta default '~F'\n"
          "color index brightred default '~s \"Terminal escape\"'\n")
    with start(rc) as t:
        t.wait_for("Msgs:53")
        t.wait_gone("Syncing")
        lines = t.screen_with_attributes()
        status = [l for l in lines if "-*-tmail:" in l][0]
        assert "\x1b[37m" in status and "\x1b[44m" in status, repr(status)
        tree = [l for l in lines if "\u2514\u2500>" in l]
        assert tree and all("\x1b[31m\u2514" in l or "\x1b[31m " in l for l in tree), tree
        flagged = [l for l in lines if "Your talk" in l][0]
        assert "\x1b[35m" in flagged, repr(flagged)  # ~F: the one flagged message
        escape = [l for l in lines if "Terminal escape test" in l][0]
        assert "\x1b[91m" in escape, repr(escape)
        plain = [l for l in lines if "Coffee next week?" in l][0]
        assert "\x1b[35m" not in plain and "\x1b[91m" not in plain, repr(plain)
        current = [l for l in lines if "\x1b[30m" in l and "\x1b[43m" in l]
        assert len(current) == 1, lines  # exactly one indicator line, black on yellow
        t.send_keys("Enter")
        t.wait_for("Subject:")
        subject = [l for l in t.screen_with_attributes() if "Subject:" in l][0]
        assert "\x1b[93m" in subject, repr(subject)


def test_enter_command_and_source_apply_without_restart():
    subjects = expected_subjects()
    with start("bind index Y first-entry\n") as t:
        t.wait_for("Msgs:53")
        t.wait_gone("Syncing")
        t.send_keys(":")
        t.type("bind index W last-entry")
        t.send_keys("Enter")
        t.send_keys("Y", "W", "Enter")  # Y from the file, W from the command line
        m = t.wait_for(re.compile(r"^Subject: (.*)$", re.M))
        assert m.group(1).strip() == subjects[-1]
        t.send_keys("q")
        t.wait_for("q:Quit")
        t.send_keys(":")
        t.type("set nosuch = 1")
        t.send_keys("Enter")
        t.wait_for('command line:1: unknown setting "nosuch"')
        t.send_keys(":")
        t.type("color index red default '=h X-Spam'")
        t.send_keys("Enter")
        t.wait_for("command line:1: color index: =h needs the message text and cannot color the "
                   "index")
        # Edit the file, then re-read it: the new binding works, the old one is gone.
        with open(os.path.join(t.home, ".tmailrc"), "w") as f:
            f.write("macro index Y <first-entry><display-message>\ncolor status white red\n")
        t.send_keys(":")
        t.type("source ~/.tmailrc")
        t.send_keys("Enter")
        t.wait_for("Read ")
        status = [l for l in t.screen_with_attributes() if "-*-tmail:" in l][0]
        assert "\x1b[41m" in status, repr(status)
        t.send_keys("Y")
        m = t.wait_for(re.compile(r"^Subject: (.*)$", re.M))
        assert m.group(1).strip() == subjects[0]


def test_set_completion_comes_from_the_settings_table():
    with start("") as t:
        t.wait_for("Msgs:53")
        t.send_keys(":")
        t.type("se")
        t.send_keys("Tab")  # "set" and nothing else starts with "se" (then a space)
        t.wait_for(re.compile(r"^:set$", re.M))
        t.type("sort_r")  # lands after the completed space
        t.send_keys("Tab")
        t.wait_for(re.compile(r"^:set sort_reverse$", re.M))
        t.send_keys("C-u")
        t.type("set so")
        t.send_keys("Tab")  # sort, sort_aux, sort_reverse: the common part, then the choices
        t.wait_for(re.compile(r"^:set sort$", re.M))
        t.send_keys("Tab")
        t.wait_for("sort sort_aux sort_reverse")
        t.send_keys("Escape")


def test_layout_and_wrap_settings_take_effect():
    subjects = expected_subjects()
    pos = subjects.index("Re: [tmail-dev] RFC: config file format (TOML vs. muttrc-style)")
    rc = "set help = no\nset status_on_top = yes\nset markers = no\nset wrap = 40\n"
    with start(rc, cols=80, rows=24) as t:
        t.wait_for("Msgs:53")
        t.wait_gone("Syncing")
        screen = t.screen()
        assert screen[0].startswith("-*-tmail:"), screen[0]  # status on top, no help line
        assert re.match(r"^\s*\d+ ", screen[1]), screen[1]
        assert not any("q:Quit" in l for l in screen)
        t.send_keys("Home")
        t.send_keys(*(["j"] * pos))
        t.send_keys("Enter")
        t.wait_for("Priya Raman")
        body = t.wait_until_stable()[1:-1]
        assert all(len(l) <= 40 for l in body), body  # wrap = 40, in an 80-column window
        assert not any(l.startswith("+") for l in body), body  # markers = no
        assert any(l.startswith("> ") and l.endswith("mostly unchanged.") for l in body), body


def test_mailcap_viewer_and_alternative_order():
    subjects = expected_subjects()
    pos = subjects.index("You're invited: Terminal Tools Meetup, Lyon (Thu 26 Nov)")
    rc = 'set alternative_order = "text/html text/plain"\nset mailcap_path = ~/mailcap\n'
    mailcap = "text/html; echo MAILCAP-VIEWER\\; sed 's/<[^>]*>//g' %s; copiousoutput\n"
    with start(rc, files={"mailcap": mailcap}) as t:
        t.wait_for("Msgs:53")
        t.wait_gone("Syncing")
        t.send_keys("Home")
        t.send_keys(*(["j"] * pos))
        t.send_keys("Enter")
        t.wait_for("MAILCAP-VIEWER")  # the HTML part, through the mailcap entry
        t.send_keys("q")
        t.send_keys(":")
        t.type("set alternative_order = text/plain")
        t.send_keys("Enter")
        t.send_keys("Enter")
        t.wait_for("Subject: You're invited")
        t.wait_for("Bonjour Sam")
        assert "MAILCAP-VIEWER" not in t.text()


def test_line_editor_uses_the_editor_key_map():
    rc = "bind editor ^X kill-line\nbind editor ^O transpose-chars\n"  # user bindings
    with start(rc) as t:
        t.wait_for("Msgs:53")
        t.wait_gone("Syncing")
        t.send_keys(":")
        t.type("garbage")
        t.send_keys("C-x")  # kill-line, bound above
        t.type("echo wc -x")
        t.send_keys("BSpace")  # backspace: "echo wc -"
        t.type("l")
        t.send_keys("C-a")  # bol
        t.send_keys("Escape", "f")  # forward-word: after "echo"
        t.send_keys("C-k")  # kill-eol: "echo"
        t.send_keys("C-a", "C-d", "C-d", "C-d", "C-d")  # delete-char x4: ""
        t.type("bind index G last-entry")
        t.send_keys("Left", "Left", "C-o")  # transpose: "last-enrty"
        t.wait_for(re.compile(r"^:bind index G last-enrty$", re.M))
        t.send_keys("Left", "C-o", "Enter")  # and back
        t.wait_gone(":bind")
        t.send_keys("G", "Enter")
        subjects = expected_subjects()
        m = t.wait_for(re.compile(r"^Subject: (.*)$", re.M))
        assert m.group(1).strip() == subjects[-1], m.group(1)
        t.send_keys("q")
        t.send_keys(":")
        t.type("set nosuch")
        t.send_keys("Escape")  # a lone Esc cancels
        t.wait_gone(":set nosuch")
        assert "unknown setting" not in t.text()


def test_sort_setting_reorders_the_index():
    with start("set sort = date\nset sort_reverse = yes\n") as t:
        t.wait_for("(date/reverse)")
        t.wait_for("Msgs:53")
        t.wait_gone("Syncing")
        t.send_keys("Home")
        t.wait_for(re.compile(r"^\s*1 .*Proposal: 1\.0 roadmap draft$", re.M))  # newest first
        assert "\u2514\u2500>" not in t.text()  # flat: no thread tree
        t.send_keys(":")
        t.type("set sort = threads")
        t.send_keys("Enter")
        t.send_keys(":")
        t.type("set sort_reverse = no")
        t.send_keys("Enter")
        t.wait_for("(threads)")
        t.wait_for("\u2514\u2500>")


def test_errors_are_shown_and_tmail_still_starts():
    with start("set nosuch = 1\nset sort = thread\n") as t:
        t.wait_for("Msgs:53")
        t.wait_for('.tmailrc:1: unknown setting "nosuch"  [1 of 2 errors')
        t.send_keys("q")
        assert t.wait_exit() == 0


def test_maildir_account_opens_instead_of_demo():
    with Tmux(["sh", "-c", "true"]) as probe:
        md = probe.tmpdir + "-md"
    try:
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(md, d))
        with open(os.path.join(md, "new", "1.M1P1.t"), "w") as f:
            f.write("From: A <a@example.org>\nSubject: From my account\n\nhi\n")
        rc = ('account home\n  set from = "Me <me@example.org>"\n  set maildir = %s\nend\n' % md)
        with start(rc) as t:
            t.wait_for("Msgs:1")
            t.wait_for("From my account")
            assert "demo" not in t.text()
    finally:
        shutil.rmtree(md, ignore_errors=True)


def test_first_run_setup_writes_a_starter_tmailrc():
    with Tmux([TMAIL], cols=110, rows=30) as t:
        t.wait_for("No configuration (S sets up an account)")
        t.wait_for("Msgs:53")
        t.send_keys("S")
        t.wait_for("Read mail over IMAP")
        t.send_keys("y")
        t.wait_for("Email address:")
        t.type("alice@example.org")
        t.send_keys("Enter")
        t.wait_for("Your name:")
        t.type("Alice Example")
        t.send_keys("Enter")
        t.wait_for("IMAP server: imap.example.org")  # guessed from the domain, editable
        t.send_keys("Enter")
        t.wait_for("Port (implicit TLS): 993")
        t.send_keys("Enter")
        t.wait_for("SMTP server: smtp.example.org")
        t.send_keys("Enter")
        t.wait_for("SMTP port (587 STARTTLS, 465 TLS): 587")
        t.send_keys("Enter")
        t.wait_for("Password command")
        t.type("pass show mail/alice")
        t.send_keys("Enter")
        t.wait_for("Wrote ")
        rc = os.path.join(t.home, ".tmailrc")
        assert oct(os.stat(rc).st_mode & 0o777) == "0o600"
        with open(rc) as f:
            text = f.read()
        assert "set imap = imaps://alice@example.org@imap.example.org:993" in text, text
        assert 'set password_cmd = "pass show mail/alice"' in text, text
        p = subprocess.run([TMAIL, "--check-config", "-F", rc], capture_output=True, text=True,
                           env=dict(os.environ, HOME=t.home), timeout=30)
        assert p.returncode == 0, p
        t.send_keys("S")  # never over an existing file
        t.wait_for("exists: edit it")


def test_check_config_lists_problems_with_file_and_line():
    with Tmux(["sh", "-c", "true"]) as probe:
        rc = probe.tmpdir + ".rc"
    try:
        with open(rc, "w") as f:
            f.write("set sort = threads\nset nosuch = 1\nbind index X next-entri\n"
                    "color index red default '~F | ~b invoice'\n")
        env = dict(os.environ, HOME=os.path.dirname(rc))
        p = subprocess.run([TMAIL, "--check-config", "-F", rc], capture_output=True, text=True,
                           env=env, timeout=30)
        assert p.returncode == 1, p
        assert "%s:2: unknown setting" % rc in p.stderr, p.stderr
        assert '%s:3: unknown function "next-entri" (did you mean "next-entry"?)' % rc in p.stderr
        # the index has no message text: a body pattern would color nothing
        assert ("%s:4: color index: ~b needs the message text and cannot color the index" % rc
                in p.stderr), p.stderr
        with open(rc, "w") as f:
            f.write("set sort = threads\nbind index X next-entry\n")
        p = subprocess.run([TMAIL, "--check-config", "-F", rc], capture_output=True, text=True,
                           env=env, timeout=30)
        assert p.returncode == 0, p
    finally:
        os.unlink(rc)


if __name__ == "__main__":
    run_tests(globals())
