#!/usr/bin/env python3
"""run.py - the one test entry point: builds the sanitizer test build, runs the unit-test binaries,
the UI tests (tmux) and the integration tests (against the Dovecot/Postfix fixture), and ends with
the line "N passed, N failed" (", N skipped" when some were skipped). Exit 0 iff nothing failed.

    python3 tests/run.py [--only unit,ui,integration] [-k SUBSTR] [--build-dir DIR]

Every child prints "ok NAME" / "FAIL NAME: reason" lines and a closing "N passed, N failed" line.
A child that crashes, times out, prints a sanitizer error, or exits non-zero without a FAIL line
counts as one more failure named after it. Python 3 standard library only.
"""

import argparse
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SUITES = ("unit", "ui", "integration")
TIMEOUT = {"unit": 120, "ui": 600, "integration": 900}
SANITIZE = ["-Db_sanitize=address,undefined", "-Db_lundef=false"]
OK_RE = re.compile(r"^ok (\S+)")
FAIL_RE = re.compile(r"^FAIL ([^\s:]+):? ?(.*)")
CLOSING_RE = re.compile(r"^(\d+) passed, (\d+) failed")
SANITIZER_RE = re.compile(r"ERROR: (Address|Leak|Thread|Memory)Sanitizer|runtime error: |"
                          r"SUMMARY: \w+Sanitizer")


class Interrupted(Exception):
    pass


class Run:
    def __init__(self):
        self.passed, self.failed, self.skipped = 0, [], 0
        self.durations = []  # (suite, seconds, passed, failed)
        self.child = None  # the running Popen, for the signal handler
        self.stopping = False  # True while cleaning up: signals then only kill the child
        self.interrupted = None  # name of the first signal received

    def fail(self, name, reason):
        self.failed.append((name, reason))

    def on_signal(self, signum, _frame):
        kill_group(self.child)
        self.interrupted = self.interrupted or signal.Signals(signum).name
        if not self.stopping:  # later signals must not break the clean-up that follows
            self.stopping = True
            raise Interrupted()

    def spawn(self, label, argv, env, timeout):
        """Runs argv from the repo root, echoing its output as "[label] line"; returns
        (exit code, lines, timed_out). Stops reading soon after it exits, even if a daemon it
        started still holds the pipe."""
        p = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             errors="replace", start_new_session=True)
        self.child, lines = p, []

        def reader():
            for line in p.stdout:
                lines.append(line.rstrip("\n"))
                print("[%s] %s" % (label, lines[-1]), flush=True)

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        timed_out = False
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(p)
            p.wait()
        t.join(2)
        self.child = None
        return p.returncode, list(lines), timed_out

    def run_tests(self, label, name, argv, env, timeout):
        """Runs one test program and records its results; name prefixes its test names."""
        rc, lines, timed_out = self.spawn(label, argv, env, timeout)
        oks = fails = 0
        closing = None
        problems = []
        for line in lines:
            if m := OK_RE.match(line):
                self.passed += 1
                oks += 1
            elif m := FAIL_RE.match(line):
                self.fail("%s/%s" % (name, m.group(1)), m.group(2))
                fails += 1
            elif m := CLOSING_RE.match(line):
                closing = (int(m.group(1)), int(m.group(2)))
        if timed_out:
            problems.append("timed out after %ds" % timeout)
        if any(SANITIZER_RE.search(line) for line in lines):
            problems.append("sanitizer error (see its output above)")
        if rc < 0 and not timed_out:
            problems.append("killed by signal %s" % signal.Signals(-rc).name)
        elif rc and not fails:
            problems.append("exit status %d without a FAIL line" % rc)
        if closing is None and not timed_out:
            problems.append("no closing 'N passed, N failed' line")
        elif closing and closing != (oks, fails):
            problems.append("closing line says %d passed, %d failed; saw %d ok, %d FAIL lines"
                            % (*closing, oks, fails))
        if problems:
            self.fail(name, "; ".join(problems))


def kill_group(p):
    if p is not None and p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass


def child_env(tmp, extra=None):
    """The environment for every child: sanitizer options, UTF-8, and a private HOME and XDG
    directories, so no test reads or writes the real home."""
    env = dict(os.environ)
    home = os.path.join(tmp, "home")
    for sub in (".config", ".cache", ".local/share", ".local/state"):
        os.makedirs(os.path.join(home, sub), exist_ok=True)
    env.update({
        "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0",
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
        "LANG": "C.UTF-8", "LC_ALL": "",
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "XDG_DATA_HOME": os.path.join(home, ".local/share"),
        "XDG_STATE_HOME": os.path.join(home, ".local/state"),
        "TM_TEST_TMPDIR": tmp,  # tmux_driver makes its temp dirs here
    })
    env.update(extra or {})
    return env


def kill_stray_tmux(tmp):
    """Stops tmux servers a killed UI test left behind (their sockets are under tmp)."""
    for sock in glob.glob(os.path.join(tmp, "**", "tmux-*", "*"), recursive=True):
        subprocess.run(["tmux", "-S", sock, "kill-server"], capture_output=True,
                       stdin=subprocess.DEVNULL)


def build(run, build_dir, env):
    """Configures (once) and builds the sanitizer build; False on failure."""
    steps = []
    info = os.path.join(build_dir, "meson-info", "intro-buildoptions.json")
    if not os.path.exists(os.path.join(build_dir, "build.ninja")):
        wipe = ["--wipe"] if os.path.isdir(os.path.join(build_dir, "meson-private")) else []
        # b_colorout=auto: no colour codes from the compiler in CI logs (output is a pipe).
        steps.append(["meson", "setup", *wipe, build_dir, *SANITIZE, "-Db_colorout=auto"])
    elif os.path.exists(info):
        with open(info) as f:
            opts = {o["name"]: o["value"] for o in json.load(f)}
        if opts.get("b_sanitize") != "address,undefined" or opts.get("b_lundef") is not False:
            steps.append(["meson", "configure", build_dir, *SANITIZE])
    steps.append(["ninja", "-C", build_dir])
    for argv in steps:
        rc, lines, timed_out = run.spawn("build", argv, env, 3600)
        if rc != 0 or timed_out:
            step = " ".join(argv[:2]) if argv[0] == "meson" else argv[0]
            run.fail("build", "%s %s" % (step, "timed out" if timed_out else "failed (exit %d)" % rc))
            return False
    return True


def run_suite(run, suite, programs, make_argv, env, timeout):
    t0 = time.monotonic()
    before_p, before_f = run.passed, len(run.failed)
    if not programs:
        print("[%s] no tests found" % suite, flush=True)
    for path in programs:
        stem = os.path.splitext(os.path.basename(path))[0]
        run.run_tests("%s/%s" % (suite, stem), "%s/%s" % (suite, stem), make_argv(path), env,
                      timeout)
        kill_stray_tmux(env["TM_TEST_TMPDIR"])
    run.durations.append((suite, time.monotonic() - t0, run.passed - before_p,
                          len(run.failed) - before_f))


def integration(run, env):
    """Starts the mail servers, runs tests/integration/test_*.py against them, stops them."""
    tests = sorted(glob.glob(os.path.join(ROOT, "tests", "integration", "test_*.py")))
    if not tests:
        print("[integration] no tests found", flush=True)
        return
    servers = os.path.join(ROOT, "tests", "integration", "servers")
    fixture = tempfile.mkdtemp(prefix="tmt.", dir="/tmp")  # start.sh wants a short path
    try:
        t0 = time.monotonic()
        rc, lines, timed_out = run.spawn("servers", ["bash", os.path.join(servers, "start.sh"),
                                                     fixture], env, 180)
        run.durations.append(("servers", time.monotonic() - t0, 0, int(rc != 0 or timed_out)))
        if rc != 0 or timed_out:
            print("[servers] start.sh failed (%s); its last lines:\n    %s"
                  % ("timed out" if timed_out else "exit %d" % rc, "\n    ".join(lines[-25:])))
            run.fail("server_fixture", "start.sh failed; integration tests skipped")
            run.skipped += len(tests)
            print("[integration] skipped %d test files" % len(tests), flush=True)
            return
        env_file = os.path.join(fixture, "env")
        run_suite(run, "integration", tests, lambda p: [sys.executable, p, env_file],
                  dict(env, TM_TEST_ENV=env_file), TIMEOUT["integration"])
    finally:
        # Always, also after a failed start or a signal: stop.sh stops what runs and removes DIR.
        # A signal now must not interrupt it (subprocess.run would kill stop.sh half-way).
        stopping, run.stopping = run.stopping, True
        try:
            rc = subprocess.run(["bash", os.path.join(servers, "stop.sh"), fixture], cwd=ROOT,
                                env=env, stdin=subprocess.DEVNULL, timeout=120,
                                start_new_session=True).returncode
        except subprocess.TimeoutExpired:
            rc = "timeout"
        if rc != 0:
            run.fail("server_fixture_stop", "stop.sh %s failed (%s)" % (fixture, rc))
        run.stopping = stopping


def main():
    ap = argparse.ArgumentParser(description="Build and run tmail's tests.")
    ap.add_argument("--only", default=",".join(SUITES), help="comma list of " + ", ".join(SUITES))
    ap.add_argument("-k", dest="filter", default="", help="run only tests whose name has this")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-test"))
    args = ap.parse_args()
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    if not only or set(only) - set(SUITES):
        ap.error("--only takes a comma list of: " + ", ".join(SUITES))
    sys.stdout.reconfigure(line_buffering=True)
    build_dir = os.path.abspath(args.build_dir)
    run = Run()
    signal.signal(signal.SIGTERM, run.on_signal)
    signal.signal(signal.SIGINT, run.on_signal)
    tmp = tempfile.mkdtemp(prefix="tmrun.")
    env = child_env(tmp, {"TMAIL_BIN": os.path.join(build_dir, "src", "tmail"),
                          "TMAIL_SRCDIR": ROOT, "TM_TEST_FILTER": args.filter})
    try:
        t0 = time.monotonic()
        ok = build(run, build_dir, env)
        run.durations.append(("build", time.monotonic() - t0, 0, 0 if ok else 1))
        if ok and "unit" in only:
            units = sorted(p for p in glob.glob(os.path.join(build_dir, "tests", "unit", "test_*"))
                           if os.path.isfile(p) and os.access(p, os.X_OK))
            # --dump-mime's JSON checked against Python's email package on the whole corpus
            units.append(os.path.join(ROOT, "tests", "unit", "mime", "crosscheck_email.py"))
            # every src/ file with strings marked for translation is in po/POTFILES.in
            units.append(os.path.join(ROOT, "tests", "unit", "po", "check_potfiles.py"))
            env["DUMP_MIME_TOOL"] = os.path.join(build_dir, "tests", "unit", "dump_mime_tool")
            run_suite(run, "unit", units,
                      lambda p: [sys.executable, p] if p.endswith(".py")
                      else [p] + ([args.filter] if args.filter else []), env, TIMEOUT["unit"])
        if ok and "ui" in only:
            uis = sorted(glob.glob(os.path.join(ROOT, "tests", "ui", "test_*.py")))
            run_suite(run, "ui", uis, lambda p: [sys.executable, p], env, TIMEOUT["ui"])
        if ok and "integration" in only:
            integration(run, env)
    except Interrupted:
        pass
    finally:
        kill_stray_tmux(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if run.interrupted:
        run.fail("interrupted", "stopped by " + run.interrupted)

    print("\n==== summary ====")
    for suite, secs, p, f in run.durations:
        counts = "%d passed, %d failed" % (p, f) if suite in SUITES else "failed" if f else "ok"
        print("%-12s %7.1fs  %s" % (suite, secs, counts))
    if run.failed:
        print("failed:")
        for name, reason in run.failed:
            print("  %s: %s" % (name, reason))
    closing = "%d passed, %d failed" % (run.passed, len(run.failed))
    if run.skipped:
        closing += ", %d skipped" % run.skipped
    print(closing, flush=True)
    return 1 if run.failed else 0


if __name__ == "__main__":
    sys.exit(main())
