"""test_compose.py - writing mail in the real binary (tmux, a Maildir++ account, a scripted
EDITOR): m with To/Subject prompts and alias completion, Tab over cached senders with a list to
choose from, the editor's private 0600 file, the compose screen with sanitised fields and its
header keys, attaching (prompt, Tab, glob, file browser), detaching, description, content type
and charset, the preview, postponing to Drafts and recalling, replies, forwards and edit-as-new,
mailto: URLs, q with its questions, abort_unmodified, a bad header line from the editor, and the
outbox: an unreachable SMTP server (queued, "1 unsent", the quit question, removing) and one that
refuses a recipient (held, then sent to the accepted one)."""

import os
import re
import shutil
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tmux_driver import TMAIL, Tmux, run_tests  # noqa: E402


# The scripted editor: records what it was given (content, mode, directory), then runs the
# step the test wrote for this call ($HOME/editor.step.N, else $HOME/editor.step) on "$1".
EDITOR = """#!/bin/sh
n=$(cat "$HOME/editor.count" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$HOME/editor.count"
cp "$1" "$HOME/editor.in.$n"
stat -c %a "$1" > "$HOME/editor.mode.$n"
dirname "$1" > "$HOME/editor.dir.$n"
if [ -f "$HOME/editor.step.$n" ]; then . "$HOME/editor.step.$n"
elif [ -f "$HOME/editor.step" ]; then . "$HOME/editor.step"
fi
"""

APPEND = 'printf "Hello from the editor.\\n" >> "$1"\n'


def message(i, subject):
    return ("From: Sender %d <s%d@example.org>\nTo: me@example.org\nSubject: %s\n"
            "Date: Mon, 2 Nov 2026 10:%02d:00 +0000\nMessage-ID: <c%d@example.org>\n\nBody %d\n"
            % (i, i, subject, i, i, i))


def make_maildir(root):
    """INBOX with three messages (the first read), and empty Drafts and Sent folders."""
    for folder in ("", ".Drafts", ".Sent"):
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(root, folder, d))
    for i, subject in enumerate(("inbox one", "inbox two", "inbox three"), 1):
        sub, flags = ("cur", ":2,S") if i == 1 else ("new", "")
        with open(os.path.join(root, sub, "%d.M%dP1.test%s" % (1700000000 + i, i, flags)),
                  "w") as f:
            f.write(message(i, subject))


def scratch_dir():
    with Tmux(["sh", "-c", "true"]) as probe:
        return probe.tmpdir + "-compose"


def start(root, settings="", account="", cwd=None, cols=110, rows=30, args=(), wait="Msgs:3"):
    """tmail on the Maildir at root, EDITOR the scripted one; waits for the index."""
    t = Tmux(["sh", "-c", 'while [ ! -f "$HOME/.go" ]; do sleep 0.05; done; exec "$0" "$@"',
              TMAIL, *args],
             cols=cols, rows=rows, cwd=cwd, env={"EDITOR": os.path.join(root + "-bin", "editor")})
    os.makedirs(root + "-bin", exist_ok=True)
    with open(os.path.join(root + "-bin", "editor"), "w") as f:
        f.write(EDITOR)
    os.chmod(os.path.join(root + "-bin", "editor"), 0o755)
    with open(os.path.join(t.home, ".tmailrc"), "w") as f:
        f.write('alias bob Bob Smith <bob@example.org>\n%s'
                'account home\n  set from = "Me <me@example.org>"\n  set maildir = %s\n'
                '  set drafts = "=Drafts"\n  set sent = "=Sent"\n%send\n'
                % (settings, root, account))
    os.chmod(os.path.join(t.home, ".tmailrc"), 0o600)
    open(os.path.join(t.home, ".go"), "w").close()
    if wait:
        t.wait_for(wait)
    return t


def step(t, text, n=None):
    """What the editor does on its next calls (or only on call n)."""
    name = "editor.step" if n is None else "editor.step.%d" % n
    with open(os.path.join(t.home, name), "w") as f:
        f.write(text)


def editor_calls(t):
    try:
        with open(os.path.join(t.home, "editor.count")) as f:
            return int(f.read())
    except FileNotFoundError:
        return 0


def editor_saw(t, n):
    with open(os.path.join(t.home, "editor.in.%d" % n), errors="replace") as f:
        return f.read()


def new_message(t, to, subject):
    t.send_keys("m")
    t.wait_for(re.compile(r"(?m)^To:$"))
    t.type(to)
    t.send_keys("Enter")
    t.wait_for(re.compile(r"(?m)^Subject:$"))
    t.type(subject)
    t.send_keys("Enter")
    t.wait_for("y:Send")


def abandon(t):
    t.send_keys("q")
    t.wait_for("Postpone this message? ([y]/n):")
    t.send_keys("n")
    t.wait_for("Abort unsent message? ([y]/n):")
    t.send_keys("y")
    t.wait_for("Mail not sent.")
    t.wait_for("q:Quit")


def wait_file(pattern_dir, timeout=10):
    """The files that appear under the Maildir folder pattern_dir (cur and new)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        names = [os.path.join(pattern_dir, d, n) for d in ("cur", "new")
                 for n in os.listdir(os.path.join(pattern_dir, d))]
        if names:
            return names
        time.sleep(0.05)
    raise AssertionError("no message appeared in %s" % pattern_dir)


def with_root(fn):
    def run():
        root = scratch_dir()
        try:
            make_maildir(root)
            fn(root)
        finally:
            shutil.rmtree(root, ignore_errors=True)
            shutil.rmtree(root + "-bin", ignore_errors=True)
            shutil.rmtree(root + "-files", ignore_errors=True)
    run.__name__ = fn.__name__
    return run


@with_root
def test_new_message_completes_an_alias_and_shows_fields_sanitised(root):
    # ESC and a C1 CSI (U+009B, as UTF-8): curses itself would pass the second one through
    esc_subject = ('esc=$(printf "\\033"); csi=$(printf "\\302\\233")\n'
                   'sed -i "s/^Subject: .*/Subject: Hi ${esc}[31mthere${csi}1m/" "$1"\n')
    with start(root, settings="set edit_headers = yes\n") as t:
        step(t, esc_subject + APPEND)
        t.send_keys("m")
        t.wait_for(re.compile(r"(?m)^To:$"))
        t.type("bo")
        t.send_keys("Tab")
        t.wait_for(re.compile(r"(?m)^To: Bob Smith <bob@example.org>$"))
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^Subject:$"))
        t.type("First try")
        t.send_keys("Enter")
        t.wait_for("y:Send")
        t.wait_for(re.compile(r"(?m)^ +To: Bob Smith <bob@example.org>$"))
        # the escape the editor wrote is shown, not obeyed
        t.wait_for(re.compile(r"(?m)^ +Subject: Hi \^\[\[31mthere<U\+009B>1m$"))
        t.wait_for(re.compile(r"(?m)^ +From: Me <me@example.org>$"))
        t.wait_for(re.compile(r"(?m)^ +Fcc: Sent$"))
        t.wait_for(re.compile(r"1 <the message text> +\[text/plain, 23 bytes\]"))
        saw = editor_saw(t, 1)
        assert "To: Bob Smith <bob@example.org>\n" in saw and "Subject: First try\n" in saw, saw
        with open(os.path.join(t.home, "editor.mode.1")) as f:
            assert f.read().strip() == "600"
        with open(os.path.join(t.home, "editor.dir.1")) as f:
            tmpdir = f.read().strip()
        assert os.path.basename(tmpdir).startswith("tmail-"), tmpdir
        assert not os.path.exists(tmpdir), "the editor's directory was left behind"
        t.send_keys("?")
        t.wait_for("Help for compose")
        t.wait_for(re.compile(r"(?m)^y +send-message"))
        t.send_keys("q")
        t.wait_for("y:Send")
        abandon(t)
        time.sleep(0.3)
        assert not os.listdir(os.path.join(root, ".Drafts", "cur")), "abandoned, not postponed"


def make_files(root):
    d = root + "-files"
    os.makedirs(os.path.join(d, "sub"))
    with open(os.path.join(d, "notes.txt"), "w") as f:
        f.write("some notes\n")
    for name in ("a.pdf", "b.pdf"):
        with open(os.path.join(d, name), "wb") as f:
            f.write(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n")
    with open(os.path.join(d, "sub", "inner.txt"), "w") as f:
        f.write("inside\n")
    return d


@with_root
def test_attach_detach_describe_retype_and_preview(root):
    files = make_files(root)
    with start(root, cwd=files) as t:
        step(t, APPEND)
        new_message(t, "carol@example.org", "Files")
        t.send_keys("a")
        t.wait_for("Attach file ('?' for list):")
        t.type(os.path.join(files, "no"))
        t.send_keys("Tab")  # completes the file name
        t.wait_for("notes.txt")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"2 notes\.txt +\[text/plain[^,]*, 11\]"))
        t.send_keys("a")
        t.wait_for("Attach file ('?' for list):")
        t.type(os.path.join(files, "*.pdf"))
        t.send_keys("Enter")
        t.wait_for("Attached 2 files.")
        t.wait_for(re.compile(r"3 a\.pdf +\[application/pdf, "))
        t.wait_for(re.compile(r"4 b\.pdf +\[application/pdf, "))
        t.send_keys("D")  # the cursor is on the last one attached
        t.wait_gone("b.pdf")
        t.send_keys("d")
        t.wait_for("Description:")
        t.type("The plan")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"3 a\.pdf +\[application/pdf, [^\]]+\]  The plan"))
        t.send_keys("C-t")
        t.wait_for("Content-Type: application/pdf")
        t.send_keys("C-u")
        t.type("nonsense")
        t.send_keys("Enter")
        t.wait_for("A content type is type/subtype")
        t.send_keys("C-t")
        t.wait_for("Content-Type: application/pdf")
        t.send_keys("C-u")
        t.type("application/x-plan; name=plan")
        t.send_keys("Enter")
        t.wait_for("[application/x-plan; name=plan, ")
        t.send_keys("k", "C-t")  # the charset of the text attachment
        t.wait_for("Content-Type: text/plain")
        t.send_keys("C-u")
        t.type("text/plain; charset=no-such-charset")
        t.send_keys("Enter")
        t.wait_for("Unknown charset.")
        t.send_keys("C-t", "C-u")
        t.type("text/plain; charset=iso-8859-1")
        t.send_keys("Enter")
        t.wait_for("[text/plain; charset=iso-8859-1, 11]")
        # the file browser: an empty answer lists the current directory
        t.send_keys("a")
        t.wait_for("Attach file ('?' for list):")
        t.send_keys("Enter")
        t.wait_for("-files [5]")
        t.wait_for(re.compile(r"(?m)d +\S.* sub/$"))
        t.send_keys("End", "Enter")  # sub/
        t.wait_for(re.compile(r"-files/sub \[2\]"))
        t.send_keys("End", "Enter")  # inner.txt
        t.wait_for(re.compile(r"4 inner\.txt +\[text/plain"))
        # the preview: the built message in the pager, and back
        t.send_keys("Home", "Enter")
        t.wait_for(re.compile(r"(?m)^Subject: Files$"))
        t.wait_for("Hello from the editor.")
        t.wait_for("a.pdf")
        t.send_keys("j")
        t.wait_for("This is the message being written: q goes back to it.")
        t.send_keys("q")
        t.wait_for("y:Send")
        t.wait_for("inner.txt")
        abandon(t)


@with_root
def test_postpone_to_drafts_then_recall(root):
    with start(root) as t:
        step(t, APPEND)
        new_message(t, "dave@example.org", "Later")
        t.send_keys("b")
        t.wait_for(re.compile(r"(?m)^Bcc:$"))
        t.type("secret@example.org")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^ +Bcc: secret@example.org$"))
        t.send_keys("P")
        t.wait_for("q:Quit")
        names = wait_file(os.path.join(root, ".Drafts"))
        assert len(names) == 1 and re.search(r":2,[A-Z]*D", names[0]), names
        with open(names[0]) as f:
            draft = f.read()
        assert "Bcc: secret@example.org" in draft and "Subject: Later" in draft, draft
        assert "Hello from the editor." in draft, draft
        t.wait_for("Message postponed.")
        t.send_keys("y")  # once the folder list counts the draft, m offers it
        t.wait_for(re.compile(r"(?m) 0/1 +\[Drafts\] +Drafts$"))
        t.send_keys("q")
        t.wait_for("q:Quit")
        t.send_keys("m")
        t.wait_for("Recall postponed message? ([y]/n):")
        t.send_keys("y")
        t.wait_for("press R on one to recall it")
        t.wait_for("Later")
        t.send_keys("R")
        t.wait_for("y:Send")
        t.wait_for(re.compile(r"(?m)^ +To: dave@example.org$"))
        t.wait_for(re.compile(r"(?m)^ +Bcc: secret@example.org$"))
        t.wait_for(re.compile(r"(?m)^ +Subject: Later$"))
        assert editor_calls(t) == 1  # a recalled message goes straight to the compose screen
        abandon(t)


@with_root
def test_reply_from_the_pager_quotes_and_forward_as_attachment(root):
    with start(root, settings="set mime_forward = ask-no\n") as t:
        step(t, 'printf "My answer.\\n" >> "$1"\n')
        t.send_keys("Home", "Enter")
        t.wait_for("Body 1")
        t.send_keys("L")  # no List-Post in it
        t.wait_for("No mailing lists found.")
        t.send_keys("r")
        t.wait_for("Include message in reply? ([y]/n):")
        t.send_keys("y")
        t.wait_for(re.compile(r"(?m)^To: Sender 1 <s1@example.org>$"))
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^Subject: Re: inbox one$"))
        t.send_keys("Enter")
        t.wait_for("y:Send")
        t.wait_for(re.compile(r"(?m)^ +Subject: Re: inbox one$"))
        saw = editor_saw(t, 1)
        assert "> Body 1" in saw, saw
        t.send_keys("Enter")  # preview
        t.wait_for("> Body 1")
        t.wait_for("My answer.")
        t.send_keys("q")
        t.wait_for("y:Send")
        t.send_keys("q")
        t.wait_for("Postpone this message?")
        t.send_keys("n")
        t.wait_for("Abort unsent message?")
        t.send_keys("y")
        t.wait_for("Body 1")  # back in the pager it started from
        t.send_keys("q")
        t.wait_for("q:Quit")
        t.send_keys("Home", "j", "f")
        t.wait_for("Forward as attachment? (y/[n]):")
        t.send_keys("y")
        t.wait_for(re.compile(r"(?m)^To:$"))
        t.type("erin@example.org")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^Subject: .*inbox two"))
        t.send_keys("Enter")
        t.wait_for("y:Send")
        t.wait_for(re.compile(r"2 .*\[message/rfc822"))
        abandon(t)


@with_root
def test_unmodified_message_is_aborted(root):
    with start(root) as t:
        step(t, ":\n")  # the editor changes nothing
        t.send_keys("m")
        t.wait_for(re.compile(r"(?m)^To:$"))
        t.type("x@example.org")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^Subject:$"))
        t.type("nothing")
        t.send_keys("Enter")
        t.wait_for("Aborted unmodified message.")
        t.wait_for("q:Quit")
        assert editor_calls(t) == 1
        t.send_keys("m")  # an empty To abandons the message, as in mutt
        t.wait_for(re.compile(r"(?m)^To:$"))
        t.send_keys("Enter")
        t.wait_for("No recipients specified.")
        assert editor_calls(t) == 1


@with_root
def test_bad_header_line_is_shown_and_the_editor_offered_again(root):
    with start(root, settings="set edit_headers = yes\n") as t:
        step(t, '{ printf "This line is not a header\\n"; cat "$1"; } > "$1.new"\n'
                'mv "$1.new" "$1"\n', 1)
        step(t, 'sed -i "/^This line is not a header$/d" "$1"\n' + APPEND, 2)
        t.send_keys("m")
        t.wait_for(re.compile(r"(?m)^To:$"))
        t.type("x@example.org")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^Subject:$"))
        t.type("Headers")
        t.send_keys("Enter")
        t.wait_for(re.compile(r":1: not a header field: This line is not a header"))
        t.wait_for("Edit the message again? ([y]/n):")
        t.send_keys("y")
        t.wait_for("y:Send")
        assert editor_calls(t) == 2
        assert editor_saw(t, 2).startswith("This line is not a header\n")  # the same file
        t.wait_for(re.compile(r"(?m)^ +Subject: Headers$"))
        abandon(t)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@with_root
def test_unsent_message_waits_in_the_outbox(root):
    account = '  set smtp = "smtp://127.0.0.1:%d"\n' % closed_port()
    with start(root, account=account) as t:
        step(t, APPEND)
        new_message(t, "frank@example.org", "Queued one")
        t.send_keys("y")
        t.wait_for("q:Quit")
        t.wait_for(re.compile(r"\[Msgs:3 New:2 1 unsent\]"))
        t.send_keys("y")
        t.wait_for("Mailboxes:")
        t.wait_for(re.compile(r"(?m)^ +1 +1 unsent +Outbox$"))
        t.send_keys("Home", "Enter")
        t.wait_for("Outbox [1 unsent]")
        t.wait_for(re.compile(r"(?m)^ +1 queued +tries:1 +frank@example.org  Queued one$"),
                   timeout=20)
        t.send_keys("q")
        t.wait_for("Mailboxes:")
        t.send_keys("q")
        t.wait_for("q:Quit")
        t.send_keys("q")
        t.wait_for("1 unsent message will be sent when tmail runs again. Quit anyway? (y/[n]):")
        t.send_keys("n")
        t.wait_for("q:Quit")
        assert t.is_alive()
        t.send_keys("y", "Home", "Enter")
        t.wait_for("Outbox [1 unsent]")
        t.send_keys("D")
        t.wait_for("Remove this unsent message? (y/[n]):")
        t.send_keys("y")
        t.wait_for("The outbox is empty.")
        t.wait_for("Outbox [0 unsent]")
        t.send_keys("q")
        t.wait_for("Mailboxes:")
        t.send_keys("q")
        t.wait_for("q:Quit")
        t.wait_gone("unsent")
        t.send_keys("q")
        assert t.wait_exit() == 0


@with_root
def test_edit_as_new_goes_straight_to_the_editor(root):
    with start(root) as t:
        step(t, ":\n")  # unchanged: still kept, it is a copy to send again
        t.send_keys("Home", "Escape", "e")
        t.wait_for("y:Send")
        t.wait_for(re.compile(r"(?m)^ +To: me@example.org$"))
        t.wait_for(re.compile(r"(?m)^ +Subject: inbox one$"))
        assert editor_calls(t) == 1 and "Body 1" in editor_saw(t, 1), editor_saw(t, 1)
        abandon(t)


@with_root
def test_mailto_url_starts_a_message_and_header_keys_edit_it(root):
    url = "mailto:zed@example.org?subject=Hi%20there&cc=cy@example.org&body=From%20the%20URL"
    with start(root, settings="set askcc = yes\n", args=[url], wait=None) as t:
        step(t, APPEND, 1)
        step(t, 'sed -i "s/^To: .*/To: yan@example.org/" "$1"\n', 2)  # E: with the headers
        t.wait_for(re.compile(r"(?m)^To: zed@example.org$"))
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^Cc: cy@example.org$"))  # askcc
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^Subject: Hi there$"))
        t.send_keys("Enter")
        t.wait_for("y:Send")
        t.wait_for(re.compile(r"(?m)^ +To: zed@example.org$"))
        t.wait_for(re.compile(r"(?m)^ +Cc: cy@example.org$"))
        t.wait_for(re.compile(r"(?m)^ +Subject: Hi there$"))
        assert editor_saw(t, 1).startswith("From the URL"), editor_saw(t, 1)
        t.send_keys("s", "C-u")
        t.type("Changed")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^ +Subject: Changed$"))
        t.send_keys("r")
        t.type("lists@example.org")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^ +Reply-To: lists@example.org$"))
        t.send_keys("Escape", "f")
        t.wait_for(re.compile(r"(?m)^From: Me <me@example.org>$"))
        t.send_keys("C-u")
        t.type("Other <other@example.org>")
        t.send_keys("Enter")
        t.wait_for(re.compile(r"(?m)^ +From: Other <other@example.org>$"))
        t.send_keys("E")
        t.wait_for(re.compile(r"(?m)^ +To: yan@example.org$"))
        assert "Reply-To: lists@example.org\n" in editor_saw(t, 2), editor_saw(t, 2)
        abandon(t)


class FakeSmtp:
    """A plain SMTP server on 127.0.0.1 that refuses bad@example.org (550) and accepts the
    rest; records the recipients of each message it took."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.delivered = []  # one list of recipients per message taken
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(conn,), daemon=True).start()

    def session(self, conn):
        f = conn.makefile("rwb")

        def reply(text):
            f.write(text.encode() + b"\r\n")
            f.flush()
        reply("220 fake ESMTP")
        rcpts = []
        try:
            for line in f:
                cmd = line.decode(errors="replace").strip()
                verb = cmd.split(" ", 1)[0].upper()
                if verb in ("EHLO", "HELO"):
                    reply("250-fake\r\n250 8BITMIME")
                elif verb == "MAIL":
                    rcpts = []
                    reply("250 2.1.0 ok")
                elif verb == "RCPT":
                    if "bad@example.org" in cmd:
                        reply("550 5.1.1 no such user")
                    else:
                        rcpts.append(cmd.split(":", 1)[1].strip().strip("<>"))
                        reply("250 2.1.5 ok")
                elif verb == "DATA":
                    reply("354 go ahead")
                    for data in f:
                        if data in (b".\r\n", b".\n"):
                            break
                    self.delivered.append(rcpts)
                    reply("250 2.0.0 queued")
                elif verb == "QUIT":
                    reply("221 bye")
                    break
                else:
                    reply("250 ok")
        finally:
            conn.close()

    def close(self):
        self.sock.close()


@with_root
def test_refused_recipient_is_held_and_sent_to_the_accepted_one(root):
    server = FakeSmtp()
    account = '  set smtp = "smtp://127.0.0.1:%d"\n  set tls = off\n' % server.port
    try:
        with start(root, account=account) as t:
            step(t, APPEND)
            new_message(t, "good@example.org, bad@example.org", "Half")
            t.send_keys("y")
            t.wait_for("the server refused recipients", timeout=20)
            t.wait_for(re.compile(r"1 unsent\]"))
            assert server.delivered == []
            t.send_keys("y")
            t.wait_for("Mailboxes:")
            t.send_keys("Home", "Enter")
            t.wait_for(re.compile(
                r"(?m)^ +1 held +tries:1 +good@example.org, bad@example.org  Half$"))
            t.wait_for("bad@example.org: 550 5.1.1 no such user")
            t.send_keys("s")
            t.wait_for("The outbox is empty.", timeout=20)
            assert server.delivered == [["good@example.org"]], server.delivered
            t.send_keys("q")
            t.wait_for("Mailboxes:")
            t.send_keys("q")
            t.wait_for("q:Quit")
            t.wait_gone("unsent")
            sent = wait_file(os.path.join(root, ".Sent"))
            with open(sent[0]) as f:
                assert "Subject: Half" in f.read()
    finally:
        server.close()


@with_root
def test_tab_offers_cached_senders_in_a_list(root):
    with start(root) as t:
        t.send_keys("m")
        t.wait_for(re.compile(r"(?m)^To:$"))
        t.type("sen")
        t.send_keys("Tab")  # three senders start so: their common start, and the choices
        t.wait_for(re.compile(r"(?m)^To: Sender$"))
        t.wait_for("s1@example.org>")
        t.send_keys("Tab")  # nothing more in common: the list
        t.wait_for("Addresses [3]")
        screen = t.screen()
        rows = [l for l in screen if re.match(r"^ +\d+ Sender \d <s\d@example.org>$", l)]
        assert len(rows) == 3, screen
        t.send_keys("j", "Enter")
        chosen = rows[1].split(None, 1)[1]
        t.wait_for(re.compile(r"(?m)^To: %s$" % re.escape(chosen)))
        t.send_keys("Escape")
        t.wait_for("q:Quit")


if __name__ == "__main__":
    run_tests(globals())
