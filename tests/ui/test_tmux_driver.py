"""test_tmux_driver.py - proves the tmux driver itself: keys in, screen out, resize, wide chars,
exit status, a private environment, and the harness's failure reports."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tmux_driver  # noqa: E402
from tmux_driver import ScreenError, Tmux, run_tests  # noqa: E402


def test_keys_in_and_screen_out():
    with Tmux(["sh", "-c", 'printf "hello\\n"; read x; echo "got $x"; sleep 30'],
              cols=40, rows=10) as t:
        t.wait_for("hello")
        t.type("-a b; 'quoted' $HOME")  # literal: no key names, no shell expansion
        t.send_keys("Enter")
        m = t.wait_for(re.compile(r"^got (.*)$", re.M))
        assert m.group(1) == "-a b; 'quoted' $HOME", m.group(0)
        screen = t.screen()
        assert len(screen) == 10, len(screen)
        assert screen[0] == "hello", screen


def test_key_names_reach_the_program_as_terminal_sequences():
    # The program sees what a terminal sends; Home must match TERM's terminfo (khome).
    cmd = ("printf 'khome='; tput khome | od -An -c; stty raw -echo; "
           "printf '\\033[?1h\\033=ready\\r\\n'; head -c 10 > \"$HOME/keys\"; stty sane; "
           "printf 'keys='; od -An -c \"$HOME/keys\"; sleep 30")
    with Tmux(cmd, cols=60, rows=8) as t:
        t.wait_for("ready")
        t.send_keys("Home", "Up", "C-c", "Escape", "q")
        t.wait_for(re.compile(r"keys=.*q", re.S))
        text = t.text().split("keys=", 1)[1]
        assert "033   [   1   ~" in text, "Home"
        assert "033   O   A" in text, "Up in application cursor mode"
        assert "003" in text and "033   q" in text, "C-c, then Escape and q"
        khome = t.text().split("khome=", 1)[1].split("ready")[0]
        assert "033   [   1   ~" in khome, "TERM's khome differs from what tmux sends"


def test_resize_changes_the_pane_and_the_program_sees_it():
    cmd = "while :; do echo \"size $(tput cols)x$(tput lines)\"; read x || exit; done"
    with Tmux(cmd, cols=80, rows=24) as t:
        t.wait_for("size 80x24")
        assert t.size() == (80, 24)
        t.resize(50, 12)
        assert t.size() == (50, 12)
        t.send_keys("Enter")
        t.wait_for("size 50x12")
        assert len(t.screen()) == 12
        t.resize(120, 40)
        t.send_keys("Enter")
        t.wait_for("size 120x40")
        assert len(t.screen()) == 40


def test_wide_characters_render():
    cjk = "\u65e5\u672c\u8a9e"  # three double-width characters
    with Tmux(["sh", "-c", 'printf "caf\\303\\251|\\n[%s]"; sleep 30' % cjk],
              cols=30, rows=5) as t:
        t.wait_for("[" + cjk + "]")
        lines = t.screen()
        assert lines[0] == "caf\u00e9|", lines[0]
        assert lines[1] == "[" + cjk + "]", lines[1]
        assert t.cursor() == (8, 1), t.cursor()  # 2 brackets + 3 characters of 2 columns


def test_wide_characters_wrap_at_the_right_edge():
    cjk = "\u4e00" * 6  # 12 columns in a 9-column pane: 4 fit, the 5th cannot split
    with Tmux(["sh", "-c", 'printf "%s\\n"; sleep 30' % cjk], cols=9, rows=4) as t:
        t.wait_for("\u4e00")
        lines = t.wait_until_stable()
        assert lines[0] == "\u4e00" * 4 and lines[1] == "\u4e00" * 2, lines


def test_exit_status_and_last_screen_survive():
    with Tmux(["sh", "-c", "echo bye; exit 7"]) as t:
        assert t.wait_exit() == 7
        assert not t.is_alive()
        assert t.screen()[0] == "bye"


def test_killed_by_signal_is_reported():
    # The pause lets tmux draw the output before the pane dies: on a loaded machine it may not.
    with Tmux("exec sh -c 'echo start; sleep 0.5; kill -SEGV $$'") as t:
        status = t.wait_exit()
        assert status == "signal 11", status
        assert t.screen()[0] == "start"


def test_exit_status_of_programs_that_exit_at_once():
    # tmux 3.3a sometimes misses the SIGCHLD of a program that exits at start; the driver copes.
    for code in range(1, 9):
        with Tmux("exit %d" % code, cols=20, rows=2) as t:
            assert t.wait_exit() == code


def test_wait_for_fails_fast_when_program_exits():
    with Tmux(["sh", "-c", "echo something else; sleep 0.5; exit 3"]) as t:
        try:
            t.wait_for("never shown", timeout=30)
        except ScreenError as e:
            assert "program exited (3)" in str(e), str(e)
            assert "|something else" in str(e), "screen dump missing"
        else:
            raise AssertionError("wait_for did not fail")


def test_wait_for_timeout_includes_screen():
    with Tmux(["sh", "-c", "echo visible; sleep 30"], cols=20, rows=3) as t:
        try:
            t.wait_for(re.compile(r"absent\d"), timeout=0.3)
        except ScreenError as e:
            assert "timed out" in str(e) and "absent" in str(e)
            assert "|visible" in str(e) and "+" + "-" * 20 + "+" in str(e), str(e)
        else:
            raise AssertionError("wait_for did not time out")


def test_environment_is_private():
    cmd = ('echo "H=$HOME"; echo "C=$XDG_CONFIG_HOME"; echo "L=$LANG T=$TERM"; '
           'echo "S=$TMAIL_SHAREDIR"; echo "X=${TMUX_TEST_SECRET:-unset} E=$EXTRA"; sleep 30')
    os.environ["TMUX_TEST_SECRET"] = "leak"
    try:
        with Tmux(cmd, env={"EXTRA": "yes"}) as t:
            t.wait_for("E=yes")
            text = t.text()
            home = re.search(r"H=(\S+)", text).group(1)
            assert home == t.home and home != os.path.expanduser("~"), home
            assert "C=%s/.config" % home in text
            assert "L=C.UTF-8 T=tmux-256color" in text
            assert "S=%s/share\n" % tmux_driver.SRCDIR in text, text
            assert "X=unset" in text, "the caller's environment leaked in"
    finally:
        del os.environ["TMUX_TEST_SECRET"]
    assert not os.path.exists(t.home), "temp dir not removed"


def test_sessions_do_not_collide_and_servers_stop():
    a = Tmux(["sh", "-c", "echo A; sleep 30"])
    b = Tmux(["sh", "-c", "echo B; sleep 30"])
    try:
        a.wait_for("A")
        b.wait_for("B")
        assert a.socket != b.socket
        assert "B" not in a.text() and "A" not in b.text()
    finally:
        a.kill()
        b.kill()
        a.kill()  # twice is fine
    p = subprocess.run(["tmux", "-L", a.socket, "has-session"], capture_output=True,
                       env={**os.environ, "TMUX_TMPDIR": a.tmpdir})
    assert p.returncode != 0, "server still running"


def test_harness_reports_failures_with_screen():
    # Runs a tiny module with one passing and one failing test through run_tests.
    here = os.path.dirname(os.path.abspath(__file__))
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "from tmux_driver import Tmux, run_tests\n"
        "def test_good():\n    pass\n"
        "def test_bad():\n"
        "    with Tmux(['sh', '-c', 'echo on-screen; sleep 30'], cols=20, rows=3) as t:\n"
        "        t.wait_for('on-screen')\n"
        "        assert False, 'deliberate'\n"
        "def test_raises():\n    {}['missing']\n"
        "def test_sanitizer():\n"
        "    with Tmux(SAN) as t:\n"
        "        t.wait_for('written')\n"
        "SAN = 'p=${ASAN_OPTIONS##*log_path=}; echo ERROR: AddressSanitizer: fake >$p.42; "
        "echo written; sleep 30'\n"
        "def test_bug_line():\n"
        "    with Tmux(BUG) as t:\n"
        "        t.wait_for('written')\n"
        "BUG = 'mkdir -p $XDG_STATE_HOME/tmail; echo \"T warn bug: fake leak\" "
        ">$XDG_STATE_HOME/tmail/tmail.log; echo written; sleep 30'\n"
        "run_tests(globals())\n" % here)
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       stdin=subprocess.DEVNULL)
    out = p.stdout
    assert p.returncode == 1, (p.returncode, out, p.stderr)
    assert "ok test_good\n" in out, out
    assert "FAIL test_bad: deliberate\n" in out, out
    assert "    |on-screen" in out, out
    assert "FAIL test_raises: 'missing'" in out and "KeyError" in out, out
    assert "FAIL test_sanitizer: sanitizer or bug report from the program" in out, out
    assert "    ERROR: AddressSanitizer: fake" in out, out
    assert "FAIL test_bug_line: sanitizer or bug report from the program" in out, out
    assert "T warn bug: fake leak" in out, out
    assert out.rstrip().split("\n")[-1] == "1 passed, 4 failed", out


if __name__ == "__main__":
    run_tests(globals())
