#!/usr/bin/env python3
"""test_search.py - mutt's index search and limit in the real binary (tmux, demo mailbox): / with
a pattern, n for the next match, wrapping with a note, <Esc>/ backwards, a miss, and l to show
only matching messages (and all of them again). Body and header search (~b ~B ~h =b) on a
Maildir account: text in quoted-printable ISO-8859-1, base64 UTF-8 and HTML-only bodies is found
by its decoded words, a word only in an attachment's file name or a header is not found by ~b,
limits combine body terms with others, and a long first search shows its progress, leaves the
keys working and stops on Ctrl-G."""

import base64
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tmux_driver import TMAIL, Tmux, demo_count, open_demo, run_tests  # noqa: E402

SUBJECT = re.compile(r"^Subject: (.*)$", re.M)


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
        t.send_keys("l")
        t.wait_for("Limit to messages matching:")
        t.type("~s Lunch")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"\[Msgs:2[ \]]"))
        t.wait_for("Lim:~s Lunch")
        rows = [l for l in t.screen() if re.match(r"^\s*\d+ ", l)]
        assert len(rows) == 2 and all("Lunch" in r for r in rows), rows
        assert subject_under_cursor(t) in ("Lunch on Friday?", "Re: Lunch on Friday?")
        t.send_keys("l")
        t.wait_for("Limit to messages matching:")
        t.send_keys("C-u")
        t.type("all")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"\[Msgs:%d[ \]]" % demo_count()))
        t.wait_gone("Lim:")


# ---- body and header search on a Maildir account ----

def body_message(i, subject, body_headers, body, flags=""):
    return ("From: Sender %d <s%d@example.org>\nTo: me@example.org\nSubject: %s\n"
            "Date: Mon, 2 Nov 2026 10:%02d:00 +0000\nMessage-ID: <b%d@example.org>\n%s\n%s"
            % (i, i, subject, i, i, body_headers, body), flags)


GRUSS = base64.b64encode("Grüße aus Zürich, sagt der Fuchs.\n".encode()).decode()
BODY_MESSAGES = [
    body_message(1, "plain heron", "", "The heron flies over the lake.\n", "F"),
    body_message(2, "latin dessert",
                 "MIME-Version: 1.0\nContent-Type: text/plain; charset=iso-8859-1\n"
                 "Content-Transfer-Encoding: quoted-printable\n",
                 "Un caf=E9 cr=E8me br=FBl=E9e pour finir.\n"),
    body_message(3, "greetings b64",
                 "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                 "Content-Transfer-Encoding: base64\n", GRUSS + "\n"),
    body_message(4, "html bird",
                 "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n",
                 "<html><body><p>The <b>kingfisher</b> dives.</p></body></html>\n"),
    body_message(5, "Quarterly files",
                 "X-Project: wombat\nMIME-Version: 1.0\n"
                 "Content-Type: multipart/mixed; boundary=BB\n",
                 "--BB\nContent-Type: text/plain\n\nSee the attached file.\n--BB\n"
                 "Content-Type: application/pdf; name=\"platypus-notes.pdf\"\n"
                 "Content-Disposition: attachment; filename=\"platypus-notes.pdf\"\n"
                 "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--BB--\n"),
    body_message(6, "second bird", "", "Another heron sighting today.\n"),
]


def write_maildir(root, messages):
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for n, (text, flags) in enumerate(messages, 1):
        name = "%d.M%dP1.search:2,S%s" % (1790000000 + n, n, flags)
        with open(os.path.join(root, "cur", name), "w", encoding="utf-8") as f:
            f.write(text)


def start_maildir(messages, cols=110, rows=30):
    t = Tmux(["sh", "-c", 'while [ ! -f "$HOME/.go" ]; do sleep 0.05; done; exec "$0"', TMAIL],
             cols=cols, rows=rows)
    root = os.path.join(t.tmpdir, "Mail")
    write_maildir(root, messages)
    with open(os.path.join(t.home, ".tmailrc"), "w") as f:
        f.write('account home\n  set from = "Me <me@example.org>"\n  set maildir = %s\nend\n'
                % root)
    os.chmod(os.path.join(t.home, ".tmailrc"), 0o600)
    open(os.path.join(t.home, ".go"), "w").close()
    t.wait_for("Msgs:%d" % len(messages), timeout=20)
    return t


SGR = re.compile(r"\x1b\[[0-9;]*m")


def current_subject(t):
    """The subject on the index row drawn in reverse video (the cursor), or None. tmux writes
    only changes of attributes, so reverse video is followed from line to line."""
    reverse = False
    for line in t.screen_with_attributes():
        first = None  # reverse video at the line's first character
        pos = 0
        for m in SGR.finditer(line):
            if first is None and m.start() > pos:
                first = reverse
            pos = m.end()
            for code in (m.group(0)[2:-1] or "0").split(";"):
                if code in ("", "0"):
                    reverse = False
                elif code == "7":
                    reverse = True
                elif code == "27":
                    reverse = False
        if first is None:
            first = reverse
        text = SGR.sub("", line)
        if first and re.match(r"^\s*\d+ ", text):
            m = re.search(r"\)\s+(.*?)\s*$", text)
            return m.group(1) if m else None
    return None


def wait_cursor_on(t, subject, timeout=10):
    deadline = time.monotonic() + timeout
    while current_subject(t) != subject:
        if time.monotonic() > deadline:
            raise AssertionError("cursor on %r, not %r\n%s" % (current_subject(t), subject,
                                                               t.dump()))
        time.sleep(0.05)


def search(t, pattern):
    t.send_keys("/")
    t.wait_for("Search for:")
    t.send_keys("C-u")
    t.type(pattern)
    t.send_keys("Enter")


def limit(t, pattern):
    t.send_keys("l")
    t.wait_for("Limit to messages matching:")
    t.send_keys("C-u")
    t.type(pattern)
    t.send_keys("Enter")


def test_body_search_finds_decoded_text_and_only_text():
    with start_maildir(BODY_MESSAGES) as t:
        t.send_keys("Home")
        wait_cursor_on(t, "plain heron")
        for pattern, subject in (("~b brûlée", "latin dessert"),      # QP, ISO-8859-1
                                 ("~b grüße", "greetings b64"),       # base64, UTF-8
                                 ("~b kingfisher", "html bird"),      # HTML only
                                 ("~h wombat", "Quarterly files"),    # a header line
                                 ("=b 'heron flies'", "plain heron")):  # a string, wraps
            search(t, pattern)
            wait_cursor_on(t, subject)
        # an attachment's file name, a header and the subject are not the body
        for pattern in ("~b platypus", "~b wombat", "~b quarterly", "~b 'kingfisher</b>'"):
            search(t, pattern)
            t.wait_for("Not found.")
            assert current_subject(t) == "plain heron", t.dump()
            t.send_keys("Home")  # clears the message line for the next one
            t.wait_gone("Not found.")
        search(t, "~B wombat")  # the whole message holds its headers
        wait_cursor_on(t, "Quarterly files")
        search(t, "~b Heron")  # smart case: "heron" is not "Heron"
        t.wait_for("Not found.")
        t.send_keys("Home")
        search(t, "~b heron")
        wait_cursor_on(t, "second bird")
        t.send_keys("n")  # the next match, wrapping around
        wait_cursor_on(t, "plain heron")
        t.wait_for("Search wrapped to top.")


def rows(t):
    return [SGR.sub("", l) for l in t.screen() if re.match(r"^\s*\d+ ", l)]


def test_body_limit_combines_with_other_terms():
    with start_maildir(BODY_MESSAGES) as t:
        limit(t, "~b heron")
        t.wait_for("Lim:~b heron")
        t.wait_for("Msgs:2")
        assert [r for r in rows(t) if "bird" in r or "heron" in r] and len(rows(t)) == 2, t.dump()
        limit(t, "~b heron ~F")  # the flagged one of them
        t.wait_for(re.compile(r"Msgs:1[ \]]"))
        assert "plain heron" in rows(t)[0], t.dump()
        limit(t, "!~b heron")
        t.wait_for(re.compile(r"Msgs:4[ \]]"))
        assert not any("heron" in r or "second bird" in r for r in rows(t)), t.dump()
        limit(t, "~b kingfisher | ~s latin")
        t.wait_for(re.compile(r"Msgs:2[ \]]"))
        assert {r.split(")")[-1].strip() for r in rows(t)} == {"html bird", "latin dessert"}
        limit(t, "~b '(cr.me|sagt der)'")  # a regular expression with no literal: a scan
        t.wait_for(re.compile(r"Msgs:2[ \]]"))
        limit(t, "all")
        t.wait_for(re.compile(r"Msgs:6[ \]]"))
        t.wait_gone("Lim:")


def big_mailbox(n, needle_at):
    words = "mail terminal thread index pager header cache sync folder server".split()
    out = []
    for i in range(n):
        body = "\n".join(" ".join(words[(i + j + k) % len(words)] for k in range(12))
                         for j in range(30))
        if i == needle_at:
            body += "\nthe zzyzx road sign\n"
        out.append(body_message(i % 60, "bulk %04d" % i, "", body + "\n"))
    return out


def test_long_body_search_shows_progress_keeps_keys_and_stops_on_ctrl_g():
    n = 4000
    with start_maildir(big_mailbox(n, n - 2), rows=24) as t:
        t.wait_gone("Syncing", timeout=60)
        search(t, "~b zzyzx")
        t.wait_for(re.compile(r"Indexing messages for search\.\.\. [\d,]+/4,000"), timeout=20)
        t.send_keys("Enter")  # reading a message works while the worker indexes
        t.wait_for(re.compile(r"(?m)^Subject: bulk \d{4}"), timeout=10)
        t.send_keys("q")
        t.wait_for("Msgs:%d" % n)
        t.send_keys("C-g")
        t.wait_for("Search stopped.", timeout=10)
        t.wait_gone("Indexing messages", timeout=10)
        time.sleep(0.5)
        assert "Search stopped." in t.text(), t.dump()
        t.send_keys("n")  # again: it goes on from what was indexed, and finds it
        wait_cursor_on(t, "bulk %04d" % (n - 2), timeout=120)


if __name__ == "__main__":
    run_tests(globals())
