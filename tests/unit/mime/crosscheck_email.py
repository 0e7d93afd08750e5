#!/usr/bin/env python3
"""crosscheck_email.py - compares tmail's MIME tree (tm_mime_dump_json, through the test tool
dump_mime_tool) with Python's email package on every test message: the subject, and per part its
path, content type, filename, leaf flag and the sha256 of the decoded payload.

Prints "ok NAME" or "FAIL NAME: reason" per message and "N passed, N failed"; exits 1 on any
failure. The tool is $DUMP_MIME_TOOL (default build-test/tests/unit/dump_mime_tool). Known,
deliberate disagreements are listed in KNOWN with the reason; they are not failures.
Standard library only."""

import email
import email.policy
import glob
import hashlib
import json
import os
import subprocess
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
TOOL = os.environ.get("DUMP_MIME_TOOL", os.path.join(ROOT, "build-test/tests/unit/dump_mime_tool"))
SOURCES = ["tests/data/mime/*", "share/demo/cur/*", "share/demo/new/*",
           "tests/fuzz/corpus/render/*"]

# (message name, field) -> why tmail deliberately differs from Python. field is "subject",
# "parts" (the part list differs in shape) or "PATH:key" for one part's key.
KNOWN = {
    # Python parses every message/* type except delivery-status as an embedded message; tmail
    # embeds only message/rfc822 and message/global (RFC 2046 5.2, RFC 6532) and shows the
    # others (disposition-notification, feedback-report, delivery-status) as leaves.
    ("delivery-status.txt", "parts"): "message/delivery-status is a leaf in tmail",
    ("delivery-status2.txt", "parts"): "message/delivery-status is a leaf in tmail",
    ("delivery-status-multiple-blank-lines.txt", "parts"): "message/delivery-status is a leaf",
    ("delivery-status-no-blank-line.txt", "parts"): "message/delivery-status is a leaf",
    ("delivery-status.anonymized.eml", "parts"): "message/delivery-status is a leaf in tmail",
    ("mimekit-delivery-status-no-blank-line.txt", "parts"): "message/delivery-status is a leaf",
    ("mimekit-bounce.txt", "parts"): "message/delivery-status is a leaf in tmail",
    ("bounce.txt", "parts"): "message/delivery-status is a leaf in tmail",
    ("disposition-notification.txt", "parts"): "message/disposition-notification is a leaf",
    ("disposition-notification.anonymized.eml", "parts"): "message/disposition-notification "
                                                          "is a leaf",
    ("feedback-report.txt", "parts"): "message/feedback-report is a leaf in tmail",
    # A byte order mark glued to the first field: Python ends the header there, tmail skips
    # the damaged line and reads the rest of the header (doc/VIOLATIONS.md, header fields).
    ("feedback-report.txt", "subject"): "BOM line skipped, the header goes on",
    # A header line with neither colon nor leading blank: Python ends the header (and so sees
    # text/plain), tmail skips the line and keeps reading fields (doc/VIOLATIONS.md).
    ("issue358.txt", "parts"): "colon-less header line skipped, Content-Type still read",
    ("mimekit-issue358.txt", "parts"): "colon-less header line skipped, Content-Type still read",
    # A multipart part whose own delimiters never appear: Python keeps the line break before
    # the outer delimiter in its payload; RFC 2046 5.1.1 says it belongs to the delimiter.
    ("empty-multipart.txt", "1:sha256"): "the CRLF before a delimiter is not content",
    ("mimekit-empty-multipart.txt", "1:sha256"): "the CRLF before a delimiter is not content",
}


def part_path(parent, index):
    return str(index) if parent == "" else "%s.%d" % (parent, index)


def python_parts(msg, path=""):
    """The parts of msg depth-first as dicts like tmail's, with Python's decoding."""
    leaf = not msg.is_multipart()
    entry = {"path": path, "content_type": msg.get_content_type(),
             "filename": msg.get_filename() or None, "leaf": leaf, "sha256": None}
    if leaf:
        payload = msg.get_payload(decode=True)
        if payload is None:
            payload = b""
        entry["sha256"] = hashlib.sha256(payload).hexdigest()
    out = [entry]
    if not leaf:
        for i, child in enumerate(msg.get_payload(), 1):
            out.extend(python_parts(child, part_path(path, i)))
    return out


def compare(name, ours, theirs):
    """A list of (field, reason) disagreements."""
    problems = []
    subject = theirs["subject"]
    if ours["headers"]["subject"] != subject:
        problems.append(("subject", "subject %r != python %r" % (ours["headers"]["subject"],
                                                                  subject)))
    mine = ours["parts"]
    if [p["path"] for p in mine] != [p["path"] for p in theirs["parts"]]:
        problems.append(("parts", "paths %s != python %s" % (
            [p["path"] + ":" + p["content_type"] for p in mine],
            [p["path"] + ":" + p["content_type"] for p in theirs["parts"]])))
        return problems
    for a, b in zip(mine, theirs["parts"]):
        for key in ("content_type", "filename", "leaf", "sha256"):
            if a[key] != b[key]:
                problems.append(("%s:%s" % (a["path"], key), "part %r %s %r != python %r" % (
                    a["path"], key, a[key], b[key])))
    return problems


def python_view(data):
    msg = email.message_from_bytes(data, policy=email.policy.default)
    subject = msg["subject"]
    subject = str(subject) if subject is not None else None
    return {"subject": subject or None, "parts": python_parts(msg)}


def check(path):
    """Returns (ok, reason or None, kept disagreements)."""
    name = os.path.basename(path)
    with open(path, "rb") as f:
        data = f.read()
    run = subprocess.run([TOOL, path], capture_output=True)
    if run.returncode != 0:
        return False, "tool failed: %s" % run.stderr.decode(errors="replace").strip(), []
    try:
        ours = json.loads(run.stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return False, "invalid JSON: %s" % e, []
    try:
        theirs = python_view(data)
    except Exception as e:  # Python's parser giving up is not our failure
        return True, None, ["python raised %s" % type(e).__name__]
    kept, bad = [], []
    for field, reason in compare(name, ours, theirs):
        known = KNOWN.get((name, field))
        if not known and field != "subject":
            known = KNOWN.get((name, "parts"))
        (kept if known else bad).append(reason if not known else "%s (%s)" % (field, known))
    return not bad, "; ".join(bad) or None, kept


def main():
    files = []
    for pattern in SOURCES:
        files.extend(sorted(p for p in glob.glob(os.path.join(ROOT, pattern))
                            if os.path.isfile(p) and not p.endswith("README.md")))
    if not os.access(TOOL, os.X_OK):
        print("FAIL setup: no dump_mime_tool at %s (set DUMP_MIME_TOOL)" % TOOL)
        print("0 passed, 1 failed")
        return 1
    passed = failed = kept_total = 0
    for path in files:
        label = os.path.relpath(path, ROOT)
        ok, reason, kept = check(path)
        kept_total += len(kept)
        if ok:
            passed += 1
            print("ok %s%s" % (label, " (known: %s)" % "; ".join(kept) if kept else ""))
        else:
            failed += 1
            print("FAIL %s: %s" % (label, reason))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
