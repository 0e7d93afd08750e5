"""tmux_driver.py - drive a terminal program inside a private tmux server and read its screen.

    from tmux_driver import Tmux, run_tests

    def test_opens_index():
        with Tmux([os.environ["TMAIL_BIN"], "-f", path], cols=100, rows=30) as t:
            t.wait_for("Inbox")
            t.send_keys("j", "Enter")
            t.type("hello world")             # literal text, no key-name lookup
            t.wait_for(re.compile(r"^From: ", re.M))
            t.resize(60, 20)

    if __name__ == "__main__":
        run_tests(globals())

Each Tmux has its own tmux server (own socket under its own temp dir), a clean environment
(LANG=C.UTF-8, TERM=tmux-256color, HOME and XDG_* in the temp dir, TMAIL_SHAREDIR=<srcdir>/share) and
remain-on-exit, so a crashed program leaves its last screen and exit status to read. Sanitizer
reports of the program go to files in the temp dir; run_tests fails a test that produced any.
Python 3 standard library only.
"""

import fcntl
import glob
import itertools
import os
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time
import traceback

SRCDIR = os.environ.get("TMAIL_SRCDIR") or os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
# The binary under test (the sanitizer build unless TMAIL_BIN says otherwise) and the bundled demo
# Maildir that tmail opens when it has no configuration.
TMAIL = os.environ.get("TMAIL_BIN") or os.path.join(SRCDIR, "build-test", "src", "tmail")
DEMO = os.path.join(SRCDIR, "share", "demo")

# tmux-256color, not xterm-256color: tmux sends Home/End as \E[1~ / \E[4~, which only the tmux and
# screen terminfo entries declare, so curses would not recognise those keys under xterm-256color.
TMUX_CONF = """\
set -g status off
set -g remain-on-exit on
set -g default-terminal tmux-256color
set -g default-shell /bin/sh
set -g history-limit 2000
set -s escape-time 0
set -gq remain-on-exit-format ""
"""

_counter = itertools.count()
_created = []  # every Tmux made during the running test; run_tests closes and checks them


class ScreenError(AssertionError):
    """A failed expectation about the screen; its message already holds the screen dump."""


class Tmux:
    """One program in one tmux pane of cols x rows cells."""

    def __init__(self, cmd, cols=80, rows=24, env=None, cwd=None):
        """cmd: a shell command string or an argv list. env: extra variables for the program."""
        self.cols, self.rows = cols, rows
        self.tmpdir = tempfile.mkdtemp(prefix="tmui.", dir=os.environ.get("TM_TEST_TMPDIR"))
        self.home = os.path.join(self.tmpdir, "home")
        self.sanitizer_log = os.path.join(self.tmpdir, "sanitizer")
        self.sanitizer_output = ""
        self.sanitizer_reported = False
        self.socket = "tm%d-%d" % (os.getpid(), next(_counter))
        self.closed = False
        for sub in ("", ".config", ".cache", ".local/share", ".local/state", "run"):
            os.makedirs(os.path.join(self.home, sub), mode=0o700, exist_ok=True)
        conf = os.path.join(self.tmpdir, "tmux.conf")
        with open(conf, "w") as f:
            f.write(TMUX_CONF)
        self.env = self._clean_env(env or {})
        if not isinstance(cmd, str):
            cmd = shlex.join(str(a) for a in cmd)
        self.cmd = cmd
        _created.append(self)
        self._tmux("-f", conf, "new-session", "-d", "-x", str(cols), "-y", str(rows), "-s", "tm",
                   *(["-c", cwd] if cwd else []), cmd)

    def _clean_env(self, extra):
        h = self.home
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": h,
            "USER": os.environ.get("USER", "tester"),
            "LOGNAME": os.environ.get("USER", "tester"),
            "SHELL": "/bin/sh",
            "XDG_CONFIG_HOME": os.path.join(h, ".config"),
            "XDG_CACHE_HOME": os.path.join(h, ".cache"),
            "XDG_DATA_HOME": os.path.join(h, ".local/share"),
            "XDG_STATE_HOME": os.path.join(h, ".local/state"),
            "XDG_RUNTIME_DIR": os.path.join(h, "run"),
            "TMUX_TMPDIR": self.tmpdir,  # the server socket lives in our temp dir
            "TMAIL_SHAREDIR": os.path.join(SRCDIR, "share"),
            "EDITOR": "vi",
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:log_path=" + self.sanitizer_log,
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:log_path=" + self.sanitizer_log,
        }
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def _tmux(self, *args, check=True):
        p = subprocess.run(["tmux", "-u", "-L", self.socket, *args], env=self.env,
                           stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           encoding="utf-8", errors="replace", timeout=20)
        if check and p.returncode != 0:
            raise RuntimeError("tmux %s failed: %s" % (args[0] if args else "", p.stderr.strip()))
        return p.stdout

    def display(self, fmt):
        """A tmux format evaluated for the pane, e.g. '#{cursor_x}'."""
        return self._tmux("display-message", "-p", "-t", "tm", fmt).rstrip("\n")

    # ---- input -------------------------------------------------------------------------------
    def send_keys(self, *keys, literal=False):
        """Sends tmux key names ("Enter", "Escape", "C-c", "Up", "F1", "j") or, with literal, text."""
        if literal:
            for text in keys:
                self._tmux("send-keys", "-t", "tm", "-l", "--", text)
        elif keys:
            self._tmux("send-keys", "-t", "tm", "--", *keys)

    def type(self, text):
        self.send_keys(text, literal=True)

    # ---- output ------------------------------------------------------------------------------
    def screen(self):
        """The visible screen: exactly rows lines, trailing spaces removed, wide chars once."""
        lines = self._tmux("capture-pane", "-p", "-t", "tm").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return (lines + [""] * self.rows)[:self.rows]

    def screen_with_attributes(self):
        """The visible screen with colours and attributes as SGR escape sequences (capture-pane
        -e), one string per line."""
        lines = self._tmux("capture-pane", "-e", "-p", "-t", "tm").split("\n")
        return (lines + [""] * self.rows)[:self.rows]

    def text(self):
        return "\n".join(self.screen())

    def dump(self):
        """The screen in a frame, for failure messages."""
        try:
            lines = self.screen()
            state = "" if self.is_alive() else " (exited: %s)" % self.exit_status()
        except Exception as e:  # a dead server still deserves a readable message
            return "    <no screen: %s>" % e
        bar = "    +" + "-" * self.cols + "+"
        return "\n".join([bar + state] + ["    |" + l for l in lines] + [bar])

    def cursor(self):
        x, y = self.display("#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def _find(self, pattern, screen):
        if isinstance(pattern, re.Pattern):
            return pattern.search(screen)
        return pattern if pattern in screen else None

    def wait_for(self, pattern, timeout=10):
        """Waits until pattern (a substring, or a compiled regex searched in the whole screen with
        lines joined by newlines) is on screen; returns the match. Raises AssertionError with the
        screen on timeout, or at once if the program exited without showing it."""
        deadline = time.monotonic() + timeout
        while True:
            alive = self.is_alive()  # before capturing, so a last screen is still searched
            found = self._find(pattern, self.text())
            if found is not None:
                return found
            if not alive:
                raise ScreenError("program exited (%s) before showing %r\n%s"
                                  % (self.exit_status(), _pat(pattern), self.dump()))
            if time.monotonic() > deadline:
                raise ScreenError("timed out after %ss waiting for %r\n%s"
                                  % (timeout, _pat(pattern), self.dump()))
            time.sleep(0.05)

    def wait_gone(self, pattern, timeout=10):
        """Waits until pattern is no longer on screen."""
        deadline = time.monotonic() + timeout
        while self._find(pattern, self.text()) is not None:
            if time.monotonic() > deadline:
                raise ScreenError("timed out after %ss waiting for %r to go\n%s"
                                  % (timeout, _pat(pattern), self.dump()))
            time.sleep(0.05)

    def wait_until_stable(self, quiet=0.3, timeout=10):
        """Waits until the screen and cursor have not changed for `quiet` seconds; returns it."""
        deadline = time.monotonic() + timeout
        last, since = None, time.monotonic()
        while True:
            now_screen = (self.text(), self.display("#{cursor_x},#{cursor_y}"))
            now = time.monotonic()
            if now_screen != last:
                last, since = now_screen, now
            elif now - since >= quiet:
                return self.screen()
            if now > deadline:
                raise ScreenError("screen still changing after %ss\n%s" % (timeout, self.dump()))
            time.sleep(0.05)

    # ---- window and process ------------------------------------------------------------------
    def size(self):
        w, h = self.display("#{pane_width} #{pane_height}").split()
        return int(w), int(h)

    def tty_size(self):
        """(cols, rows) of the pane's pty as the program sees it (TIOCGWINSZ), or None."""
        try:
            fd = os.open(self.display("#{pane_tty}"), os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            rows, cols, _, _ = struct.unpack("HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, bytes(8)))
            return cols, rows
        finally:
            os.close(fd)

    def resize(self, cols, rows):
        """Resizes the pane and waits until the program's terminal has the new size (it has been
        sent SIGWINCH then; redrawing may take longer, so wait_for what it draws)."""
        self._tmux("resize-window", "-t", "tm", "-x", str(cols), "-y", str(rows))
        # tmux updates pane_width at once but throttles the pty resize (TIOCSWINSZ) when resizes
        # follow each other quickly, so wait for the pty itself.
        deadline = time.monotonic() + 5
        while self.size() != (cols, rows) or self.tty_size() not in ((cols, rows), None):
            if time.monotonic() > deadline:
                raise ScreenError("pane is %sx%s, pty %s after resize to %sx%s\n%s"
                                  % (*self.size(), self.tty_size(), cols, rows, self.dump()))
            time.sleep(0.02)
        self.cols, self.rows = cols, rows

    def is_alive(self):
        return self.display("#{pane_dead}") != "1"

    def exit_status(self):
        """None while running; else the exit code, or "signal N" when killed by a signal."""
        if self.is_alive():
            return None
        # tmux sees the pty close before it reaps the child. And tmux 3.3a sometimes misses the
        # SIGCHLD of a program that exits right at start, leaving a zombie and no status until
        # another child of the server exits: a run-shell job provokes that reap.
        start = time.monotonic()
        nudged = start
        while True:
            code, sig = self.display("#{pane_dead_status}|#{pane_dead_signal}").split("|")
            if code:
                return int(code)
            if sig:
                return "signal %s" % sig
            now = time.monotonic()
            if now - start > 3:
                return "unknown"
            if now - nudged > 0.2:
                self._tmux("run-shell", "true", check=False)
                nudged = now
            time.sleep(0.02)

    def wait_exit(self, timeout=10):
        """Waits for the program to end; returns exit_status()."""
        deadline = time.monotonic() + timeout
        while self.is_alive():
            if time.monotonic() > deadline:
                raise ScreenError("program still running after %ss\n%s" % (timeout, self.dump()))
            time.sleep(0.05)
        return self.exit_status()

    def kill(self):
        """Stops the tmux server (and the program), collects sanitizer reports, removes the temp
        dir. Safe to call twice."""
        if self.closed:
            return
        self.closed = True
        try:
            self._tmux("kill-server", check=False)
        except Exception:
            pass
        reports = []
        for path in sorted(glob.glob(self.sanitizer_log + ".*")):
            with open(path, errors="replace") as f:
                reports.append(f.read())
        # tmail logs what can only be its own bug (a transaction a job left open) as "bug:";
        # such a line fails the test like a sanitizer report
        try:
            with open(os.path.join(self.home, ".local", "state", "tmail", "tmail.log"),
                      errors="replace") as f:
                bugs = [line.rstrip("\n") for line in f if " bug: " in line]
        except OSError:
            bugs = []
        if bugs:
            reports.append("tmail.log:\n" + "\n".join(bugs))
        self.sanitizer_output = "\n".join(reports)
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    close = kill

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc is not None and not isinstance(exc, ScreenError) and not self.closed:
            exc.add_note("screen when it failed:\n" + self.dump())
        self.kill()
        if exc is None and self.sanitizer_output:
            self.sanitizer_reported = True
            raise AssertionError("sanitizer or bug report from the program:\n" +
                                 _indent(self.sanitizer_output))
        return False


def _pat(pattern):
    return pattern.pattern if isinstance(pattern, re.Pattern) else pattern


def _indent(text, prefix="    "):
    return "\n".join(prefix + line for line in text.rstrip("\n").split("\n"))


def demo_count():
    """Messages in the bundled demo Maildir."""
    return sum(1 for d in ("cur", "new") for n in os.listdir(os.path.join(DEMO, d))
               if not n.startswith("."))


def open_demo(cols=110, rows=30):
    """tmail on the demo mailbox once its first scan has ended. The first screen shows the empty
    cache ("Msgs:0", and no "Syncing" until the scan's first progress), so waiting for "Syncing"
    to go and then for any count could return before the messages are there (seen under load)."""
    t = Tmux([TMAIL], cols=cols, rows=rows)
    t.wait_for("No configuration")
    t.wait_for(re.compile(r"\[Msgs:%d[ \]]" % demo_count()))
    t.wait_gone("Syncing")
    return t


def run_tests(namespace):
    """Runs every function named test_* in namespace (pass globals()), in definition order, and
    prints "ok NAME" / "FAIL NAME: reason" (details indented below), then "N passed, N failed".
    A test also fails when the program left a sanitizer report or a "bug:" line in tmail.log.
    Env TM_TEST_FILTER, when set, runs only tests whose name contains it. Exits 1 if any test
    failed."""
    sys.stdout.reconfigure(line_buffering=True)
    only = os.environ.get("TM_TEST_FILTER", "")
    tests = [(n, f) for n, f in list(namespace.items())
             if n.startswith("test_") and callable(f) and only in n]
    passed = failed = 0
    for name, fn in tests:
        reason, details = None, []
        _created.clear()
        try:
            fn()
        except Exception as e:
            reason, _, rest = str(e).partition("\n")
            reason = reason or type(e).__name__
            details += [rest] if rest else []
            details += getattr(e, "__notes__", [])
            frames = [fr for fr in traceback.extract_tb(e.__traceback__)
                      if fr.filename == namespace.get("__file__")]
            if frames:
                details.append("at %s:%d" % (os.path.basename(frames[-1].filename),
                                             frames[-1].lineno))
            if not isinstance(e, AssertionError):
                details.append("".join(traceback.format_exception(e)).rstrip())
            if not isinstance(e, ScreenError):  # show panes the test left open
                details += [t.dump() for t in _created if not t.closed]
        for t in _created:
            t.kill()
            if t.sanitizer_output and not t.sanitizer_reported:
                reason = reason or "sanitizer or bug report from the program"
                details.append("sanitizer report:\n" + t.sanitizer_output)
        if reason:
            failed += 1
            print("FAIL %s: %s" % (name, reason))
            if details:
                print(_indent("\n".join(d.strip("\n") for d in details)))
        else:
            passed += 1
            print("ok %s" % name)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
