"""test_folders.py - folders of a Maildir++ account in the real binary: the mailbox browser (tree,
counts, markers, names made safe), change-folder with Tab completion and '?', saving a message
to another folder, and deleted messages moved to the trash on $ and on quitting."""

import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tmux_driver import TMAIL, Tmux, run_tests  # noqa: E402



def message(i, subject):
    return ("From: Sender %d <s%d@example.org>\nTo: me@example.org\nSubject: %s\n"
            "Date: Mon, 2 Nov 2026 10:%02d:00 +0000\nMessage-ID: <f%d@example.org>\n\nBody %d\n"
            % (i, i, subject, i, i, i))


def make_tree(root):
    """INBOX: 3 messages (2 unread); Projects: 1 unread; Lists.Dev: 1 read (Lists itself is no
    folder); Trash: empty; and a folder whose name holds an escape sequence."""
    folders = {"": [("new", "inbox one"), ("new", "inbox two"), ("cur", "inbox three")],
               ".Projects": [("new", "project plan")], ".Lists.Dev": [("cur", "dev list")],
               ".Trash": [], ".Evil\x1b[31mRed": []}
    n = 0
    for folder, msgs in folders.items():
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(root, folder, d))
        for sub, subject in msgs:
            n += 1
            name = "%d.M%dP1.test%s" % (1700000000 + n, n, ":2,S" if sub == "cur" else "")
            with open(os.path.join(root, folder, sub, name), "w") as f:
                f.write(message(n, subject))


def count(root, folder):
    return sum(len(os.listdir(os.path.join(root, folder, d))) for d in ("cur", "new"))


def start(root, cols=110, rows=30):
    t = Tmux(["sh", "-c", 'while [ ! -f "$HOME/.go" ]; do sleep 0.05; done; exec "$0"', TMAIL],
             cols=cols, rows=rows)
    with open(os.path.join(t.home, ".tmailrc"), "w") as f:
        f.write('account home\n  set from = "Me <me@example.org>"\n  set maildir = %s\n'
                '  set trash = "=Trash"\nend\n' % root)
    os.chmod(os.path.join(t.home, ".tmailrc"), 0o600)
    open(os.path.join(t.home, ".go"), "w").close()
    return t


def tree_dir():
    with Tmux(["sh", "-c", "true"]) as probe:
        return probe.tmpdir + "-tree"


def test_browser_shows_the_tree_and_change_folder_completes():
    root = tree_dir()
    try:
        make_tree(root)
        with start(root) as t:
            t.wait_for("Msgs:3 New:2")
            t.send_keys("y")
            t.wait_for("Mailboxes:")
            t.wait_for(re.compile(r"(?m)^ +\d+ \*N +2/3 +INBOX$"))
            t.wait_for(re.compile(r"(?m)^ +\d+  N +1/1 +Projects$"), timeout=15)  # from the folder
            t.wait_for(re.compile(r"(?m)\[Trash\] +Trash$"))
            screen = t.screen()
            lists = [i for i, l in enumerate(screen) if l.rstrip().endswith(" Lists")]
            assert lists and "/" not in screen[lists[0]], screen  # not a folder: no counts
            dev = screen[lists[0] + 1]
            assert dev.endswith("Dev") and dev.index("Dev") == screen[lists[0]].index("Lists") + 2, \
                (screen[lists[0]], dev)
            assert "Evil^[[31mRed" in t.text(), t.text()  # the escape is shown, not obeyed
            t.send_keys("q")
            t.wait_for("q:Quit")
            t.send_keys("c")
            t.wait_for("Open mailbox:")
            t.type("Pro")
            t.send_keys("Tab")
            t.wait_for("Open mailbox: Projects")
            t.send_keys("Enter")
            t.wait_for(re.compile(r"/\.Projects \[Msgs:1 New:1\]"))
            t.wait_for("project plan")
            t.send_keys("c")
            t.wait_for("Open mailbox:")
            t.send_keys("?")  # the list instead of a name
            t.wait_for("Mailboxes:")
            t.send_keys("Home", "Enter")
            t.wait_for(re.compile(r"-tree \[Msgs:3"))
            t.wait_for("inbox one")
            t.send_keys("q")
            assert t.wait_exit() == 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_save_and_deleted_messages_go_to_the_trash():
    root = tree_dir()
    try:
        make_tree(root)
        with start(root) as t:
            t.wait_for("Msgs:3")
            t.send_keys("Home")
            t.send_keys("s")
            t.wait_for("Save to mailbox:")
            t.type("=Projects")
            t.send_keys("Enter")
            t.wait_for("Saved to Projects.")
            t.wait_for("Msgs:2")
            assert count(root, ".Projects") == 2 and count(root, "") == 2
            t.send_keys("Home", "d")
            t.wait_for("Del:1")
            t.send_keys("$")
            t.wait_for("Move 1 deleted message to Trash? ([y]/n):")
            t.send_keys("y")
            t.wait_for("Deleted messages moved to Trash: 1.")
            t.wait_for(re.compile(r"\[Msgs:1( New:\d+)?\]"))
            assert count(root, ".Trash") == 1 and count(root, "") == 1
            t.send_keys("d")
            t.wait_for("Del:1")
            t.send_keys("q")
            t.wait_for("Move 1 deleted message to Trash? ([y]/n):")
            t.send_keys("Enter")
            assert t.wait_exit() == 0
        assert count(root, ".Trash") == 2 and count(root, "") == 0
        # in the trash they are undeleted: no T in their names
        names = [n for d in ("cur", "new") for n in os.listdir(os.path.join(root, ".Trash", d))]
        assert all("T" not in n.split(":2,")[-1] for n in names if ":2," in n), names
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    run_tests(globals())
