"""run.py - how fast tmail syncs a big IMAP mailbox, next to neomutt and a bare client, in one run.

    python3 bench/imap/run.py [--messages 100000] [--tmail build/src/tmail] [--keep]
                              [--skip-neomutt]

Must run as root (the private Dovecot + Postfix fixture of tests/integration/servers needs it).
Starts that fixture in a fresh /tmp/tmb.XXXX (always stopped at the end), writes N generated
messages (threads, RFC 2047 names and subjects, lists, 1-48 KiB, some flags) straight into alice's
INBOX Maildir, lets `doveadm index` build Dovecot's index and has Dovecot parse every header once
(untimed), so that what is measured is the clients, not Dovecot's first look at the files. Then:

  bare stream     a Python TLS client: `UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS
                  (...)])` with tmail's field list, read raw off the socket until the tagged OK;
                  best of 5, each run followed by one of tmail's first syncs (below), so that
                  both sides of their ratio meet the same spells of a noisy machine. The floor:
                  what the server and the loopback can deliver.
  neomutt cold    neomutt (tmux 120x40) opens imaps://.../INBOX without a header cache and quits
                  (`-e 'push <quit>'`, processed once the index is loaded): whole process; best
                  of 3.
  neomutt warm    the same with a header cache filled by a previous run.
  tmail sync      `tmail -F RC --sync` with an empty cache: wall time to exit, peak RSS; best of 5
                  (each into an empty cache), the highest peak RSS of the 5.
  tmail resync    the same command again, nothing changed on the server.
  tmail reopen    `tmail -F RC` in tmux 120x40: time until the first index screen (status bar with
                  Msgs:N and an index row), from the cache; then `q`.

and prints the figures, the ratios and whether each target is met; then the CPU per run of
Dovecot (all its processes) and of each client next to the first-sync ratio, which on a machine
with few cores bounds it (bench/README.md). The machines are shared and noisy: compare the
ratios, not the absolute figures. Needs tmux and neomutt (apt-get install neomutt); Python 3
standard library only; talks to 127.0.0.1 only.

Compression off for all clients so the same bytes are compared: the fixture's Dovecot offers
COMPRESS=DEFLATE, which on loopback only costs CPU, so tmail and neomutt get imap_deflate = no
(Debian 12's neomutt is built without it: `neomutt -Q imap_deflate` says "No such variable", so its
rc sets it only under `ifdef`), and the bare stream never sends COMPRESS.

While tmail cannot sync IMAP yet, its lines say "not measured (reason)" and the rest still runs."""

import argparse
import base64
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRCDIR = os.path.dirname(os.path.dirname(HERE))
SERVERS = os.path.join(SRCDIR, "tests", "integration", "servers")
sys.path.insert(0, os.path.join(SRCDIR, "tests", "ui"))


def tmail_header_fields():
    """The header fields tmail's sync fetches (HEADER_FIELDS in imap_sync.c): the bare stream asks
    for exactly these, so that it is the same UID FETCH."""
    with open(os.path.join(SRCDIR, "src", "backend", "imap", "imap_sync.c")) as f:
        m = re.search(r'#define HEADER_FIELDS\s*\\\s*"([^"]+)"', f.read())
    if not m:
        sys.exit("bench: HEADER_FIELDS not found in src/backend/imap/imap_sync.c")
    return m.group(1)


BARE_FIELDS = tmail_header_fields()
# Every header field any of the three clients asks for (neomutt 20220429's IMAP_HEADERS, tmail's
# HEADER_FIELDS and the bare list): fetched once before measuring, so Dovecot has them all in its
# cache file and no client pays for Dovecot parsing 100,000 files.
WARMUP_FIELDS = ("DATE FROM SENDER SUBJECT TO CC MESSAGE-ID REFERENCES CONTENT-TYPE "
                 "CONTENT-DESCRIPTION IN-REPLY-TO REPLY-TO LINES LIST-POST LIST-SUBSCRIBE "
                 "LIST-UNSUBSCRIBE X-LABEL X-ORIGINAL-TO LIST-ID")

# Timed runs of the bare stream, tmail's first sync and neomutt cold; each reports its best, so
# that every side of a ratio is the same statistic on this noisy machine. The bare stream and
# tmail's first sync alternate (PAIRS of each), so that a noisy spell of the shared machine falls
# on both sides of their ratio instead of on one block of runs.
RUNS = 3
PAIRS = 5

TARGETS = {  # name: (comparison, goal)
    "sync_vs_bare": ("<=", 1.5),
    "neomutt_vs_sync": (">=", 2.0),
    "resync": ("<", 0.2),
    "reopen": ("<", 0.1),
    "rss_mib": ("<", 64.0),
}

_children = set()  # pids of processes we started and have not reaped yet


class Interrupted(Exception):
    pass


class NotMeasured(Exception):
    """A client could not be measured; the message says why."""


# ---- a child's wall time and peak memory, also inside tmux -----------------------------------

WRAP_FLAG = "--wrap-child"


def wrap_child(out, argv):
    """run.py --wrap-child OUT.json CMD...: runs CMD on this terminal, writes {"start", "pid"} as
    soon as it is forked and {"start", "pid", "seconds", "maxrss_kib", "cpu", "status"} when it
    ends (like bench/rusage.py, plus the start time on the shared monotonic clock; cpu is user +
    system seconds)."""
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    info = {"start": start, "pid": pid}
    with open(out + ".tmp", "w") as f:
        json.dump(info, f)
    os.rename(out + ".tmp", out)
    while True:
        try:
            _, status, usage = os.wait4(pid, 0)
            break
        except InterruptedError:
            continue
    info.update(seconds=time.monotonic() - start, maxrss_kib=usage.ru_maxrss,
                cpu=usage.ru_utime + usage.ru_stime, status=os.waitstatus_to_exitcode(status))
    with open(out + ".tmp", "w") as f:
        json.dump(info, f)
    os.rename(out + ".tmp", out)


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def run_measured(argv, env, out_path, timeout):
    """Runs argv (no terminal) and returns (seconds, peak KiB, exit code, CPU seconds). Output
    goes to out_path. Raises NotMeasured on timeout (the child is killed)."""
    # Through the small wrap_child process: a child forked straight from this (big) Python
    # inherits its memory high-water mark into ru_maxrss across exec.
    info_path = out_path + ".rusage.json"
    argv = [sys.executable, os.path.abspath(__file__), WRAP_FLAG, info_path] + list(argv)
    with open(out_path, "wb") as out:
        start = time.monotonic()
        # A session of its own: no controlling terminal, so a password prompt fails instead of
        # waiting for the timeout.
        p = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
    _children.add(p.pid)
    fd = os.pidfd_open(p.pid)
    try:
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            os.kill(p.pid, signal.SIGKILL)
        _, status, usage = os.wait4(p.pid, 0)
        elapsed = time.monotonic() - start
    finally:
        os.close(fd)
    _children.discard(p.pid)
    p.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting
    if not ready:
        raise NotMeasured("still running after %d s" % timeout)
    info = read_json(info_path) or {}
    if "seconds" in info:
        return info["seconds"], info["maxrss_kib"], info["status"], info["cpu"]
    return elapsed, usage.ru_maxrss, p.returncode, usage.ru_utime + usage.ru_stime


def proc_hwm_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return None


# ---- the fixture ------------------------------------------------------------------------------

def read_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, _, v = line.partition("=")
                env[k] = v.strip("'\"")
    return env


# ---- the server's CPU -------------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")
PER_CONNECTION = ("imap", "imap-login")  # Dovecot's processes that live as long as a connection


def proc_table():
    """{pid: (ppid, name, CPU ticks of the process and of its reaped children)} of every
    process."""
    table = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid) as f:
                s = f.read()
        except OSError:
            continue  # ended meanwhile
        fields = s[s.rindex(")") + 2:].split()
        table[int(pid)] = (int(fields[1]), s[s.index("(") + 1:s.rindex(")")],
                           sum(int(x) for x in fields[11:15]))
    return table


def server_cpu(master_pid, timeout=5.0):
    """CPU seconds Dovecot has spent so far: its master and every process below it, with the
    children they have reaped. Waits (up to timeout) until no per-connection process is left,
    so that a process ending during the reading is neither missed nor counted twice (once in
    its own figures, once in its parent's); None if one is still there."""
    deadline = time.monotonic() + timeout
    while True:
        table = proc_table()
        below, todo = set(), [master_pid]
        while todo:
            parent = todo.pop()
            for pid, (ppid, _, _) in table.items():
                if ppid == parent and pid not in below:
                    below.add(pid)
                    todo.append(pid)
        if master_pid in table and not any(table[p][1] in PER_CONNECTION for p in below):
            return sum(table[p][2] for p in below | {master_pid}) / CLK_TCK
        if time.monotonic() > deadline:
            return None
        time.sleep(0.01)


def cpu_between(before, after):
    return None if before is None or after is None else after - before


# ---- the mailbox ------------------------------------------------------------------------------

WORDS = ("mail terminal thread index pager header cache sync folder server message client "
         "keyboard screen flag reply forward draft archive filter search quote signature release "
         "patch review build test crash memory latency socket buffer parser window colour").split()
FIRST = ("Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Mallory Niaj Olivia Peggy Rupert "
         "Sybil Trent Victor Walter Yolanda").split()
LAST = ("Smith Jones Taylor Brown Wilson Evans Thomas Roberts Walker Wright Hughes Green Hall "
        "Wood Clarke").split()
INTL = ["José Álvarez", "Zoë Müller", "Søren Kierkegård", "Chloé Dubois", "Łukasz Wąs",
        "山田 太郎", "Ελένη Παπαδοπούλου", "Дмитрий Иванов", "François Œuvrard", "Ana Bärbel"]
INTL_SUBJECTS = ["Café meeting – agenda", "Überprüfung der Änderungen", "Réunion de l'équipe",
                 "Пожалуйста, посмотрите", "会議の議事録", "Déjà vu in the parser", "Straße tests",
                 "naïve façade bug"]
LISTS = ["dev.lists.example.org", "users.lists.example.org", "announce.example.net",
         "tmail-devel.lists.example.test", "bugs.example.com"]


def b_word(s):
    return "=?UTF-8?B?%s?=" % base64.b64encode(s.encode()).decode()


def q_word(s):
    out = []
    for ch in s.encode():
        c = chr(ch)
        if c == " ":
            out.append("_")
        elif c.isascii() and c.isalnum():
            out.append(c)
        else:
            out.append("=%02X" % ch)
    return "=?UTF-8?Q?%s?=" % "".join(out)


def fold(name, items, sep=" "):
    """A header line of items separated by sep, folded before 78 columns."""
    lines, line = [], name + ":"
    for k, it in enumerate(items):
        piece = it + (sep.rstrip() if k < len(items) - 1 else "")
        if len(line) + 1 + len(piece) > 78 and line.strip() != name + ":":
            lines.append(line)
            line = ""
        line += " " + piece
    lines.append(line)
    return "\n".join(lines) + "\n"


def make_people(rng):
    people = []
    for i in range(400):
        if i % 10 == 3:
            name = INTL[i % len(INTL)]
            display = b_word(name) if i % 20 == 3 else q_word(name)
            local = "intl%d" % i
        else:
            f, l = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
            display = '"%s, %s"' % (l, f) if i % 9 == 0 else "%s %s" % (f, l)
            local = "%s.%s%d" % (f.lower(), l.lower(), i)
        dom = ("example.org", "example.com", "example.net", "mail.example.test")[i % 4]
        people.append("%s <%s@%s>" % (display, local, dom))
    return people


def make_text(rng, size):
    lines, n = [], 0
    while n < size:
        k = rng.randint(4, 14)
        line = " ".join(rng.choice(WORDS) for _ in range(k))
        if rng.random() < 0.08:
            line = "> " + line
        if rng.random() < 0.05:
            line = ""
        lines.append(line)
        n += len(line) + 1
    return "\n".join(lines) + "\n"


def body_size(rng):
    r = rng.random()
    if r < 0.75:
        return rng.randint(1024, 4096)
    if r < 0.97:
        return rng.randint(4096, 12288)
    return rng.randint(12288, 49152)


def make_maildir(maildir, n, uid, gid, seed=20240601):
    """Writes n messages into maildir/cur (the last ~0.5% into new/), owned by uid:gid, mtime =
    Date. Deterministic for a given n and seed. Returns total bytes."""
    rng = random.Random(seed)
    people = make_people(rng)
    text = make_text(rng, 300 * 1024)
    text_lines = [i + 1 for i, c in enumerate(text) if c == "\n"]  # offsets of line starts
    base = 1704067200  # 2024-01-01 00:00:00 UTC
    recent = []  # (message-id, references list, subject) of recent messages, for replies
    total = 0
    in_new = n - max(1, n // 200)
    for i in range(n):
        t = base + i * 97 + rng.randint(0, 60)
        mid = "<%d.%x.bench@%s>" % (i, rng.getrandbits(32), ("mx.example.org", "example.com",
                                                              "lists.example.net")[i % 3])
        sender = people[rng.randrange(len(people))]
        list_id = LISTS[i % len(LISTS)] if rng.random() < 0.4 else None
        if recent and rng.random() < 0.6:
            pmid, prefs, psubj = recent[rng.randrange(len(recent))]
            refs = (prefs + [pmid])[-12:]
            subj = psubj if psubj.startswith(("Re: ", "=?")) else "Re: " + psubj
            irt = pmid
        else:
            refs, irt = [], None
            if rng.random() < 0.12:
                s = INTL_SUBJECTS[rng.randrange(len(INTL_SUBJECTS))]
                subj = q_word(s) if rng.random() < 0.5 else b_word(s)
            else:
                subj = "%s: %s %s %s (#%d)" % (rng.choice(("Topic", "Bug", "RFC", "PATCH",
                                                           "Question", "Update")),
                                               rng.choice(WORDS), rng.choice(WORDS),
                                               rng.choice(WORDS), i)
        recent.append((mid, refs, subj))
        if len(recent) > 300:
            recent.pop(0)
        date = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t))
        h = ["Return-Path: <bounce-%d@example.org>\n" % (i % 97),
             "Delivered-To: alice@example.test\n",
             "Received: from mx%d.example.org (mx%d.example.org [192.0.2.%d])\n"
             "\tby mail.example.test (Postfix) with ESMTPS id %08X\n"
             "\tfor <alice@example.test>; %s\n" % (i % 7, i % 7, i % 250 + 1, i * 2654435761
                                                    & 0xFFFFFFFF, date),
             "From: %s\n" % sender]
        if list_id:
            h.append("To: <%s>\n" % list_id.replace(".", "@", 1))
        else:
            h.append("To: Alice <alice@example.test>\n")
        if rng.random() < 0.3:
            h.append(fold("Cc", rng.sample(people, rng.randint(1, 4)), ", "))
        h += ["Subject: %s\n" % subj, "Date: %s\n" % date, "Message-ID: %s\n" % mid]
        if irt:
            h.append("In-Reply-To: %s\n" % irt)
            h.append(fold("References", refs))
        if list_id:
            h.append("List-Id: %s <%s>\n" % (list_id.split(".")[0].capitalize() + " list",
                                             list_id))
            h.append("List-Unsubscribe: <mailto:%s-leave@%s>\n"
                     % (list_id.split(".")[0], list_id.split(".", 1)[1]))
        if i % 4 == 0:
            h.append("User-Agent: tmail/0.1\n")
        h.append("MIME-Version: 1.0\n")
        if i % 5 == 0:
            h.append("Content-Type: text/plain; charset=UTF-8; format=flowed\n"
                     "Content-Transfer-Encoding: 8bit\n")
        else:
            h.append("Content-Type: text/plain; charset=us-ascii\n")
        size = body_size(rng)
        start = text_lines[rng.randrange(len(text_lines) // 2)]
        end = text.find("\n", start + min(size, len(text) - start - 1)) + 1 or len(text)
        data = ("".join(h) + "\n" + text[start:end]).encode()
        vsize = len(data) + data.count(b"\n")
        flags = ""
        r = rng.random()
        if i < n * 0.9 or r < 0.2:
            flags = "S"
            if r < 0.1:
                flags = "RS"
        if rng.random() < 0.03:
            flags = "F" + flags
        if i >= in_new:
            path = os.path.join(maildir, "new", "%d.M%dP4242.bench,S=%d,W=%d"
                                % (t, i, len(data), vsize))
        else:
            path = os.path.join(maildir, "cur", "%d.M%dP4242.bench,S=%d,W=%d:2,%s"
                                % (t, i, len(data), vsize, flags))
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, data)
            os.fchown(fd, uid, gid)
            os.utime(fd, (t, t))
        finally:
            os.close(fd)
        total += len(data)
    return total


# ---- bare IMAP client -------------------------------------------------------------------------

class Imap:
    def __init__(self, env):
        ctx = ssl.create_default_context(cafile=env["TM_TEST_CA"])
        raw = socket.create_connection((env["TM_TEST_HOST"], int(env["TM_TEST_IMAPS_PORT"])),
                                       timeout=600)
        self.sock = ctx.wrap_socket(raw, server_hostname=env["TM_TEST_TLS_NAME"])
        self.tag = 0
        self.buf = bytearray()
        self.chunk = bytearray(1 << 20)
        self.view = memoryview(self.chunk)
        while b"\r\n" not in self.buf:
            self._recv()
        end = self.buf.index(b"\r\n") + 2
        greeting = bytes(self.buf[:end])
        del self.buf[:end]
        if not greeting.startswith(b"* OK"):
            raise RuntimeError("bad greeting: %r" % greeting[:200])

    def _recv(self):
        n = self.sock.recv_into(self.chunk)
        if n == 0:
            raise RuntimeError("connection closed by the server")
        self.buf += self.view[:n]

    def _read_tagged(self, tag):
        """Receives until the tagged line of tag is complete; returns the length of the response
        (up to and including that line) at the start of self.buf. Raw: it only looks for
        "\r\nTAG " in what arrived since the last look (literals are not parsed)."""
        buf, tagsp = self.buf, tag + b" "
        needle = b"\r\n" + tagsp
        scan, at = 0, -1
        while True:
            if at < 0:
                if buf.startswith(tagsp):
                    at = 0
                else:
                    at = buf.find(needle, scan)
                    if at >= 0:
                        at += 2
                    else:
                        scan = max(0, len(buf) - len(needle) + 1)
            if at >= 0:
                eol = buf.find(b"\r\n", at)
                if eol >= 0:
                    return eol + 2
            self._recv()

    def command(self, text):
        """Sends one command and returns (whole response, seconds from sending it to the end of
        the tagged reply)."""
        self.tag += 1
        tag = b"b%d" % self.tag
        start = time.monotonic()
        self.sock.sendall(tag + b" " + text.encode() + b"\r\n")
        end = self._read_tagged(tag)
        elapsed = time.monotonic() - start
        resp = bytes(self.buf[:end])
        del self.buf[:end]
        i = resp.rfind(b"\r\n", 0, len(resp) - 2)
        last = resp[i + 2:] if i >= 0 else resp
        if not last.startswith(tag + b" OK"):
            raise RuntimeError("%s failed: %r" % (text.split()[0], last[:200]))
        return resp, elapsed

    def login(self, user, password):
        self.command('LOGIN "%s" "%s"' % (user, password))

    def close(self):
        try:
            self.command("LOGOUT")
        except Exception:
            pass
        self.sock.close()


def fetch_headers(env, fields):
    """One connection: login, SELECT, the header FETCH. Returns (setup s, fetch s, bytes,
    messages in the answer, this process's CPU s over the connection)."""
    t0, cpu = time.monotonic(), time.process_time()
    c = Imap(env)
    try:
        c.login(env["TM_TEST_USER"], env["TM_TEST_PASS"])
        c.command("SELECT INBOX")
        setup = time.monotonic() - t0
        resp, secs = c.command("UID FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (%s)])"
                               % fields)
    finally:
        c.close()
        cpu = time.process_time() - cpu
    return setup, secs, len(resp), resp.count(b" FETCH ("), cpu


# ---- neomutt ----------------------------------------------------------------------------------

def run_in_tmux(argv, env, stats, timeout, bad_screen=None):
    """Runs argv (wrapped for timing) in a fresh tmux pane of 120x40 until it exits; returns the
    stats dict. bad_screen(text) may return a reason to give up early (a prompt nobody answers)."""
    from tmux_driver import Tmux
    with Tmux([sys.executable, os.path.abspath(__file__), WRAP_FLAG, stats] + argv,
              cols=120, rows=40, env=env) as t:
        deadline = time.monotonic() + timeout
        checked = 0.0
        while t.is_alive():
            now = time.monotonic()
            if now > deadline:
                raise NotMeasured("still running after %d s; screen:\n%s" % (timeout, t.dump()))
            if bad_screen and now - checked > 1.0:
                checked = now
                why = bad_screen(t.text())
                if why:
                    raise NotMeasured("%s; screen:\n%s" % (why, t.dump()))
            time.sleep(0.05)
        st = read_json(stats)
        if not st or "seconds" not in st:
            raise NotMeasured("no timing written; screen:\n" + t.dump())
        if st["status"] != 0:
            raise NotMeasured("exit status %s; screen:\n%s" % (st["status"], t.dump()))
        return st


def neomutt_bad_screen(text):
    for pat, why in ((r"\(r\)eject", "certificate prompt"), (r"Password for", "password prompt"),
                     (r"Login failed", "login failed"), (r"[Cc]ould not connect",
                                                         "could not connect")):
        if re.search(pat, text):
            return why
    return None


def run_neomutt(env, home, header_cache):
    os.makedirs(home, exist_ok=True)
    hc = os.path.join(home, "hcache") + "/"
    os.makedirs(hc, exist_ok=True)
    rc = os.path.join(home, "neomuttrc")
    with open(rc, "w") as f:
        f.write('set folder="imaps://%s@%s:%s/"\n' % (env["TM_TEST_USER"], env["TM_TEST_HOST"],
                                                     env["TM_TEST_IMAPS_PORT"]))
        f.write('set spoolfile="+INBOX"\n')
        f.write('set imap_pass="%s"\n' % env["TM_TEST_PASS"])
        f.write('set ssl_ca_certificates_file="%s"\n' % env["TM_TEST_CA"])
        f.write('set certificate_file="%s"\n' % os.path.join(home, "certificates"))
        f.write("set sleep_time=0\nset mark_old=no\nset imap_check_subscribed=no\n")
        # Compression off (Debian 12's neomutt is built without it and would reject the name).
        f.write("ifdef imap_deflate 'set imap_deflate=no'\n")
        f.write("set sort=threads\nset sort_aux=date\n")  # as bench/open_big_maildir.py
        f.write('set header_cache="%s"\n' % (hc if header_cache else ""))
    os.chmod(rc, 0o600)
    stats = os.path.join(home, "stats.json")
    if os.path.exists(stats):
        os.unlink(stats)
    st = run_in_tmux(["neomutt", "-n", "-F", rc, "-e", "push <quit>"], {}, stats, 1800,
                     neomutt_bad_screen)
    return st["seconds"], st["maxrss_kib"]


# ---- tmail ------------------------------------------------------------------------------------

def tmail_home(base):
    env = {"HOME": base,
           "XDG_CONFIG_HOME": os.path.join(base, ".config"),
           "XDG_CACHE_HOME": os.path.join(base, ".cache"),
           "XDG_DATA_HOME": os.path.join(base, ".local", "share"),
           "XDG_STATE_HOME": os.path.join(base, ".local", "state"),
           "XDG_RUNTIME_DIR": os.path.join(base, "run")}
    for d in env.values():
        os.makedirs(d, mode=0o700, exist_ok=True)
    return env


def write_tmailrc(path, env):
    e = dict(env)
    with open(path, "w") as f:
        f.write('account bench\n'
                '  set from        = "{TM_TEST_ADDR}"\n'
                '  set imap        = imaps://{TM_TEST_USER}@{TM_TEST_HOST}:{TM_TEST_IMAPS_PORT}\n'
                '  set smtp        = smtps://{TM_TEST_USER}@{TM_TEST_HOST}:'
                '{TM_TEST_SUBMISSIONS_PORT}\n'
                '  set password    = "{TM_TEST_PASS}"\n'
                '  set tls_ca_file = "{TM_TEST_CA}"\n'
                '  set imap_deflate = no\n'
                'end\n'.format(**e))
    os.chmod(path, 0o600)  # tmail warns about a password in a file others can read


def tail(path, lines=3, head=False):
    try:
        with open(path, errors="replace") as f:
            text = f.read().strip()
    except OSError:
        return ""
    text = [l.strip() for l in text.splitlines() if l.strip()]
    return " | ".join(text[:lines] if head else text[-lines:])


def tmail_sync(tmail, rc, henv, out, timeout):
    env = dict(os.environ, LANG="C.UTF-8", TMAIL_SHAREDIR=os.path.join(SRCDIR, "share"), **henv)
    secs, rss, code, cpu = run_measured([tmail, "-F", rc, "--sync"], env, out, timeout)
    if code != 0:
        raise NotMeasured("`tmail -F RC --sync` exited %s: %s"
                          % (code, tail(out, 2, head=code == 2) or "no output"))
    return secs, rss, tail(out, 1), cpu


def tmail_reopen(tmail, rc, henv, stats, n):
    """Seconds from the program's start to its first index screen, peak KiB, note."""
    from tmux_driver import Tmux
    if os.path.exists(stats):
        os.unlink(stats)
    with Tmux([sys.executable, os.path.abspath(__file__), WRAP_FLAG, stats, tmail, "-F", rc],
              cols=120, rows=40, env=henv) as t:
        deadline = time.monotonic() + 60
        while True:
            now = time.monotonic()
            s = t.text()
            m = re.search(r"Msgs:(\d+)", s)
            if m and int(m.group(1)) > 0 and re.search(r"^ *\d+ ", s, re.M):
                first = now
                break
            if not t.is_alive():
                raise NotMeasured("tmail exited (%s) before showing an index:\n%s"
                                  % (t.exit_status(), t.dump()))
            if now > deadline:
                raise NotMeasured("no index screen after 60 s:\n" + t.dump())
            time.sleep(0.005)
        st = read_json(stats)
        if not st:
            raise NotMeasured("no start time written")
        secs = first - st["start"]
        note = ""
        if re.search(r"demo", s, re.I):
            raise NotMeasured("tmail showed its demo mailbox, not the IMAP account:\n" + t.dump())
        if int(m.group(1)) != n:
            note = "first screen shows Msgs:%s, not %d" % (m.group(1), n)
        hwm = proc_hwm_kib(st["pid"])
        t.send_keys("q")
        end = time.monotonic() + 5
        while t.is_alive() and time.monotonic() < end:
            time.sleep(0.05)
        if t.is_alive():
            note = (note + "; " if note else "") + "did not quit within 5 s after q (killed)"
        st = read_json(stats) or {}
    return secs, st.get("maxrss_kib") or hwm, note


# ---- report -----------------------------------------------------------------------------------

def verdict(name, value):
    op, goal = TARGETS[name]
    if value is None:
        return "NOT MEASURED"
    ok = {"<=": value <= goal, ">=": value >= goal, "<": value < goal}[op]
    return "PASS" if ok else "MISS"


def fmt(v, spec):
    return "n/a" if v is None else spec % v


def report(n, res):
    print()
    print("IMAP sync benchmark, %d messages in INBOX (%.1f MB of mail), Dovecot on 127.0.0.1"
          % (n, res["mail_bytes"] / 1e6))
    print("%-46s %9s %10s  %s" % ("", "seconds", "peak MiB", ""))

    def row(label, secs, kib=None, extra=""):
        print("%-46s %9s %10s  %s" % (label, fmt(secs, "%.3f"),
                                      fmt(None if kib is None else kib / 1024, "%.1f"), extra))

    details = []
    row("bare stream: header FETCH (best of %d)" % PAIRS, res.get("bare"), None,
        "%.1f MB streamed, %d messages, %.1f MB/s; login+SELECT %.3f s"
        % (res["bare_bytes"] / 1e6, res["bare_msgs"], res["bare_bytes"] / 1e6 / res["bare"],
           res["bare_setup"]) if res.get("bare") else "")
    for key, label in (("nm_cold", "neomutt cold: open INBOX and quit (best of 3)"),
                       ("nm_warm", "neomutt warm (header cache): open and quit")):
        if key in res:
            row(label, res[key][0], res[key][1])
        else:
            why = res.get(key + "_why", "skipped")
            print("%-46s %s" % (label, why.split("\n")[0]))
            if "\n" in why and why not in details:
                details.append(why)
    tm_why = res.get("tm_why")
    for key, label in (("tm_sync", "tmail first sync (empty cache, best of %d)" % PAIRS),
                       ("tm_resync", "tmail resync (--sync, no changes)"),
                       ("tm_reopen", "tmail reopen: first index screen")):
        if key in res:
            row(label, res[key][0], res[key][1], res[key][2])
        else:
            why = res.get(key + "_why") or tm_why or "?"
            print("%-46s not measured (%s)" % (label, "see below" if why == tm_why else
                                                  why.split("\n")[0]))
            if "\n" in why and why not in details:
                details.append(why)
    if tm_why:
        print("tmail: not measured (%s)" % tm_why.split("\n")[0])

    bare = res.get("bare")
    sync = res.get("tm_sync", (None,))[0]
    nm = res.get("nm_cold", (None,))[0]
    rsses = [res[k][1] for k in ("tm_sync", "tm_resync", "tm_reopen")
             if k in res and res[k][1] is not None]
    values = {
        "sync_vs_bare": sync / bare if sync and bare else None,
        "neomutt_vs_sync": nm / sync if nm and sync else None,
        "resync": res.get("tm_resync", (None,))[0],
        "reopen": res.get("tm_reopen", (None,))[0],
        "rss_mib": max(rsses) / 1024 if rsses else None,
    }
    print()
    print("%-46s %9s %10s  %s" % ("target", "value", "goal", ""))
    for name, label, spec, unit in (
            ("sync_vs_bare", "tmail first sync / bare stream", "%.3fx", "x"),
            ("neomutt_vs_sync", "neomutt cold / tmail first sync", "%.3fx", "x"),
            ("resync", "tmail resync", "%.3f s", " s"),
            ("reopen", "tmail reopen, first screen", "%.3f s", " s"),
            ("rss_mib", "tmail peak RSS (max of its runs)", "%.1f MiB", " MiB")):
        op, goal = TARGETS[name]
        print("%-46s %9s %10s  %s" % (label, fmt(values[name], spec), "%s %g%s" % (op, goal, unit),
                                      verdict(name, values[name])))
    if nm and res.get("nm_warm"):
        print("(neomutt warm / neomutt cold: %.2fx)" % (res["nm_warm"][0] / nm))
    if nm and bare:
        print("(neomutt cold / bare stream: %.2fx)" % (nm / bare))
    pairs = sorted(res.get("pair_ratios", []))
    if pairs:
        print("(tmail first sync / the bare stream just before it, per pair: %s; median %.3fx)"
              % (" ".join("%.3f" % r for r in res["pair_ratios"]), pairs[len(pairs) // 2]))
    report_cpu(res)
    for d in details:
        print("\ndetails: " + d)


def median(values):
    values = sorted(v for v in values if v is not None)
    return values[len(values) // 2] if values else None


def report_cpu(res):
    """The CPU behind the first-sync ratio: Dovecot and the client share this machine's cores,
    so a run cannot take less than their CPU together divided by the cores."""
    cores = len(os.sched_getaffinity(0))
    med = {}  # side: (Dovecot's median CPU s, the client's), over that side's runs
    for key, runs in res.get("cpu", {}).items():
        server, own = median(r[0] for r in runs), median(r[1] for r in runs)
        if server is not None and own is not None:
            med[key] = (server, own)
    if not med:
        return
    print()
    print("CPU per run, median of each side's runs (Dovecot: all its processes; on %d cores a run "
          "takes at least its CPU / %d):" % (cores, cores))
    for key, label, client in (("bare", "bare stream (whole connection)", "client"),
                               ("tmail", "tmail first sync", "tmail")):
        if key in med:
            server, own = med[key]
            print("  %-32s Dovecot %.3f s + %s %.3f s = %.3f s; / %d cores = %.3f s"
                  % (label, server, client, own, server + own, cores, (server + own) / cores))
    bare = res.get("bare")
    if bare and "tmail" in med:
        server, own = med["tmail"]
        goal = TARGETS["sync_vs_bare"][1]
        print("  within %gx of the bare stream's best (%.3f s) on %d cores, tmail may spend at "
              "most %.3f CPU-s next to Dovecot's %.3f s, with no serial work at all; it spends "
              "%.3f s" % (goal, bare, cores, goal * bare * cores - server, server, own))


# ---- main -------------------------------------------------------------------------------------

def log(msg):
    print(msg, flush=True)


def on_signal(signum, frame):
    raise Interrupted("signal %d" % signum)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=100000)
    ap.add_argument("--tmail", default=os.path.join(SRCDIR, "build", "src", "tmail"))
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (servers stopped)")
    ap.add_argument("--skip-neomutt", action="store_true")
    a = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("run.py: must run as root (the mail server fixture needs it)")
    if a.messages < 1:
        sys.exit("run.py: --messages must be at least 1")
    for tool in ("tmux",) + (() if a.skip_neomutt else ("neomutt",)):
        if not shutil.which(tool):
            sys.exit("run.py: %s not found" % tool)
    tmail = os.path.abspath(a.tmail)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, on_signal)
    top = tempfile.mkdtemp(prefix="tmb.", dir="/tmp")
    os.chmod(top, 0o755)  # vmail must reach the Maildir below it
    srv = os.path.join(top, "srv")
    work = os.path.join(top, "work")
    os.makedirs(work)
    os.environ["TM_TEST_TMPDIR"] = work  # tmux_driver's temp dirs go here too
    started = False
    res = {}
    try:
        log("starting the mail servers in %s ..." % srv)
        started = True
        subprocess.run(["bash", os.path.join(SERVERS, "start.sh"), srv], check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        env = read_env(os.path.join(srv, "env"))

        t0 = time.monotonic()
        log("writing %d messages into %s ..." % (a.messages, env["TM_TEST_MAILDIR"]))
        res["mail_bytes"] = make_maildir(env["TM_TEST_MAILDIR"], a.messages,
                                         int(env["TM_TEST_VMAIL_UID"]),
                                         int(env["TM_TEST_VMAIL_GID"]))
        log("  %.1f s, %.1f MB" % (time.monotonic() - t0, res["mail_bytes"] / 1e6))
        t0 = time.monotonic()
        subprocess.run(["doveadm", "-c", env["TM_TEST_DOVECOT_CONF"], "index", "-u",
                        env["TM_TEST_USER"], "INBOX"], check=True, stdin=subprocess.DEVNULL)
        log("doveadm index: %.1f s" % (time.monotonic() - t0))
        _, secs, nbytes, nmsgs, _ = fetch_headers(env, WARMUP_FIELDS)
        log("server warm-up (Dovecot caches every client's header fields): %.2f s, %d messages"
            % (secs, nmsgs))
        if nmsgs != a.messages:
            raise RuntimeError("the server has %d messages, expected %d" % (nmsgs, a.messages))

        # tmail
        tm = os.path.join(work, "tmail")
        os.makedirs(tm)
        rc = os.path.join(tm, "tmailrc")
        write_tmailrc(rc, env)
        henv = tmail_home(os.path.join(tm, "home"))
        if not os.access(tmail, os.X_OK):
            res["tm_why"] = "no executable at %s" % tmail

        # The bare stream and tmail's first sync, alternately; tmail's each into an empty cache
        # of its own, the peak RSS reported being the highest of its runs.
        best = None
        res["pair_ratios"] = []
        dovecot = int(env["TM_TEST_DOVECOT_PID"])
        res["cpu"] = {"bare": [], "tmail": []}  # per run: (Dovecot's CPU s, the client's CPU s)
        for i in range(PAIRS):
            before = server_cpu(dovecot)
            setup, secs, nbytes, nmsgs, client = fetch_headers(env, BARE_FIELDS)
            res["cpu"]["bare"].append((cpu_between(before, server_cpu(dovecot)), client))
            log("bare stream %d: %.3f s, %.1f MB" % (i + 1, secs, nbytes / 1e6))
            if best is None or secs < best[1]:
                best = (setup, secs, nbytes, nmsgs)
            if res.get("tm_why"):
                continue
            h = henv if i == PAIRS - 1 else tmail_home(os.path.join(tm, "home%d" % i))
            before = server_cpu(dovecot)
            try:
                one = tmail_sync(tmail, rc, h, os.path.join(tm, "sync1-%d.out" % i), 1800)
            except NotMeasured as e:
                res["tm_why"] = str(e)
                continue
            res["cpu"]["tmail"].append((cpu_between(before, server_cpu(dovecot)), one[3]))
            log("tmail first sync %d: %.3f s (%s)" % (i + 1, one[0], one[2]))
            res["pair_ratios"].append(one[0] / secs)
            prev = res.get("tm_sync")
            if prev is None or one[0] < prev[0]:
                res["tm_sync"] = (one[0], max(one[1], prev[1]) if prev else one[1], one[2])
            else:
                res["tm_sync"] = (prev[0], max(one[1], prev[1]), prev[2])
            if h is not henv:
                shutil.rmtree(h["HOME"], ignore_errors=True)
        res["bare_setup"], res["bare"], res["bare_bytes"], res["bare_msgs"] = best

        if not res.get("tm_why"):
            try:
                res["tm_resync"] = tmail_sync(tmail, rc, henv, os.path.join(tm, "sync2.out"), 600)
                log("tmail resync: %.3f s" % res["tm_resync"][0])
            except NotMeasured as e:
                res["tm_why"] = str(e)
        if "tm_sync" in res and not res.get("tm_why"):
            try:
                res["tm_reopen"] = tmail_reopen(tmail, rc, henv,
                                                os.path.join(tm, "reopen.json"), a.messages)
                log("tmail reopen: %.3f s" % res["tm_reopen"][0])
            except NotMeasured as e:
                res["tm_reopen_why"] = str(e)
        if res.get("tm_why"):
            log("tmail: not measured (%s)" % res["tm_why"])

        # neomutt
        if a.skip_neomutt:
            res["nm_cold_why"] = res["nm_warm_why"] = "skipped (--skip-neomutt)"
        else:
            nmh = os.path.join(work, "neomutt")
            try:
                for i in range(RUNS):
                    one = run_neomutt(env, nmh, False)
                    log("neomutt cold %d: %.3f s" % (i + 1, one[0]))
                    best = res.get("nm_cold")
                    res["nm_cold"] = (min(one[0], best[0]) if best else one[0],
                                      max(one[1], best[1]) if best else one[1])
                run_neomutt(env, nmh, True)  # fills the header cache
                res["nm_warm"] = run_neomutt(env, nmh, True)
                log("neomutt warm: %.3f s" % res["nm_warm"][0])
            except NotMeasured as e:
                why = "not measured (%s)" % e
                res.setdefault("nm_cold_why", why)
                res["nm_warm_why"] = why
                log("neomutt: " + why)
        report(a.messages, res)
    except Interrupted as e:
        print("run.py: interrupted (%s); stopping" % e, file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("run.py: interrupted; stopping", file=sys.stderr)
        return 130
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        for pid in list(_children):
            try:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            except OSError:
                pass
        if started:
            cmd = ["bash", os.path.join(SERVERS, "stop.sh")] + (["--keep-dir"] if a.keep else [])
            subprocess.run(cmd + [srv], stdin=subprocess.DEVNULL)
        if a.keep:
            print("kept %s" % top)
        else:
            shutil.rmtree(top, ignore_errors=True)
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == WRAP_FLAG:
        wrap_child(sys.argv[2], sys.argv[3:])
    else:
        sys.exit(main())
