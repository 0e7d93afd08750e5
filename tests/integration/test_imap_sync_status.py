#!/usr/bin/env python3
"""test_imap_sync_status.py ENVFILE - `tmail --sync` against the fixture's real Dovecot learns the
state of every folder but INBOX in the listing's round (LIST-STATUS) and selects only the folders
whose state moved: a second sync with nothing new selects INBOX alone, yet reports every folder;
a message appended to one folder by another client makes the next sync select that folder (and
only it) and cache the message. Empty folders never synced are recorded without a SELECT, and the
cache they leave lets the next sync select them with QRESYNC.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from imap_support import Home, Other, empty, fill, make_message, run_tests  # noqa: E402

SELECT_RE = re.compile(r" imap test> t\d+ SELECT (.+)$", re.M)
REPORT_RE = re.compile(r" info sync of (.+?): \+(\d+) -(\d+) ~(\d+) in ", re.M)
SUMMARY_RE = re.compile(r"^test: (\d+) mailboxes synced, 0 failed", re.M)


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def selectable_folders():
    """The names of alice's selectable folders, as the server lists them."""
    o = Other()
    names = []
    for line in o.list()[1]:
        m = re.match(r'^\(([^)]*)\) (?:NIL|"[^"]*") "?(.*?)"?$', line.decode())
        if m and "\\noselect" not in m.group(1).lower():
            names.append(m.group(2))
    o.logout()
    return sorted(names)


def with_messages(folders):
    """The folders of folders that hold messages at the server."""
    o = Other()
    full = [f for f in folders if o.uids(f)]
    o.logout()
    return full


def run_sync(h):
    """One tmail --sync: (folders selected, {folder: (added, removed, changed)} reported)."""
    before = len(h.log())
    code, out, err = h.sync()
    check(code == 0, "tmail --sync failed (%d): %s %s" % (code, out, err))
    log = h.log()[before:]
    reported = {m.group(1): tuple(int(x) for x in m.groups()[1:]) for m in REPORT_RE.finditer(log)}
    summary = SUMMARY_RE.search(out)
    check(summary and int(summary.group(1)) == len(reported),
          "summary %r does not count the %d folders reported" % (out, len(reported)))
    return sorted(m.group(1).split(" (")[0] for m in SELECT_RE.finditer(log)), reported, log


def test_second_sync_selects_only_inbox_and_a_new_message_selects_its_folder():
    empty()
    fill("INBOX", 3)
    fill("Quiet", 0, create=True)
    fill("Busy", 2, create=True)
    h = Home(log_level="debug")
    try:
        folders = selectable_folders()
        check({"INBOX", "Quiet", "Busy", "Sent", "Trash"} <= set(folders), "folders %r" % folders)
        selected, reported, log = run_sync(h)
        check(sorted(reported) == folders, "first sync reported %r" % sorted(reported))
        check(re.search(r'> t\d+ LIST "" "\*" RETURN \(.*STATUS \(MESSAGES', log),
              "the listing did not ask LIST-STATUS")
        # the empty folders were recorded from their status; the others have messages to fetch
        full = sorted(set(with_messages(folders)) | {"INBOX"})
        check("Busy" in full and "Quiet" not in full, "server folders with messages: %r" % full)
        check(selected == full, "first sync selected %r, not %r" % (selected, full))
        check(len(h.messages("Busy")) == 2, "Busy not cached")

        selected, reported, _ = run_sync(h)
        check(selected == ["INBOX"], "second sync selected %r" % selected)
        check(sorted(reported) == folders, "second sync reported %r" % sorted(reported))
        check(all(v == (0, 0, 0) for v in reported.values()), "second sync: %r" % reported)

        o = Other()
        o.append('"Busy"', None, None, make_message(7, subject="arrived in Busy"))
        o.append('"Quiet"', None, None, make_message(8, subject="arrived in Quiet"))
        o.logout()
        selected, reported, log = run_sync(h)
        check(selected == ["Busy", "INBOX", "Quiet"], "third sync selected %r" % selected)
        check(re.search(r"SELECT Quiet \(QRESYNC \(\d+ \d+\)\)", log),
              "Quiet (recorded without a SELECT) was not selected with QRESYNC")
        check(reported["Busy"] == (1, 0, 0) and reported["Quiet"] == (1, 0, 0),
              "third sync: %r" % reported)
        check(sorted(reported) == folders, "third sync reported %r" % sorted(reported))
        check("arrived in Busy" in [s for s, _ in h.messages("Busy").values()], "Busy: no message")
        check("arrived in Quiet" in [s for s, _ in h.messages("Quiet").values()],
              "Quiet: no message")
    finally:
        h.cleanup()
        o = Other()
        o.delete("Quiet")
        o.delete("Busy")
        o.logout()


if __name__ == "__main__":
    sys.exit(run_tests(globals()))
