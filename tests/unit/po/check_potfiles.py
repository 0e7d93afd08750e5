#!/usr/bin/env python3
"""check_potfiles.py - po/POTFILES.in against the sources: every src/ file that marks strings
for translation (_("...") or N_("...")) must be listed, or xgettext leaves its strings out of
po/tmail.pot and they are never translated; and every listed file must exist, or the pot target
fails. Comments and string literals are skipped, so a `_(` in them does not count.

Prints "ok NAME" or "FAIL NAME: reason" per check and "N passed, N failed"; exits 1 on any
failure. Honours TM_TEST_FILTER (run only checks whose name contains it). Standard library only."""

import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
POTFILES = os.path.join(ROOT, "po", "POTFILES.in")
MARK = re.compile(r"(?<![A-Za-z0-9_])N?_\(")


def code_only(text):
    """text without its comments, and with string and character literals emptied."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def marking_files():
    """Paths relative to ROOT of the src/ C files that mark strings, sorted."""
    found = []
    for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, "src")):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                if MARK.search(code_only(f.read())):
                    found.append(os.path.relpath(path, ROOT))
    return found


def listed_files():
    with open(POTFILES, encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]


def check_every_marking_file_is_listed():
    missing = sorted(set(marking_files()) - set(listed_files()))
    if missing:
        return "not in po/POTFILES.in (their strings are never translated): " + " ".join(missing)
    return None


def check_every_listed_file_exists():
    gone = [p for p in listed_files() if not os.path.isfile(os.path.join(ROOT, p))]
    if gone:
        return "listed in po/POTFILES.in but missing: " + " ".join(gone)
    return None


def check_the_scanner_sees_marks_not_comments():
    """The check itself: a mark counts in code only."""
    cases = [('x = _("a");', True), ('f(N_("a"))', True), ('/* _("a") */', False),
             ('// _(x)\n', False), ('s = "_(";', False), ("c = '\\''; y = _(\"b\");", True),
             ('tm_(1); my_(2);', False)]
    wrong = [src for src, want in cases if bool(MARK.search(code_only(src))) != want]
    return "misjudged: " + " | ".join(wrong) if wrong else None


def main():
    only = os.environ.get("TM_TEST_FILTER", "")
    checks = [("potfiles_scanner_sees_marks_not_comments", check_the_scanner_sees_marks_not_comments),
              ("potfiles_lists_every_file_with_translated_strings",
               check_every_marking_file_is_listed),
              ("potfiles_lists_only_existing_files", check_every_listed_file_exists)]
    passed = failed = 0
    for name, fn in checks:
        if only not in name:
            continue
        reason = fn()
        if reason:
            failed += 1
            print("FAIL %s: %s" % (name, reason))
        else:
            passed += 1
            print("ok %s" % name)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
