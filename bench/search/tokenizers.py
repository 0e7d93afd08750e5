"""tokenizers.py - which SQLite FTS5 tokenizer suits tmail's body search: size of the index, time
to build it, and time to answer substring queries, over the decoded text of a Maildir.

    python3 bench/search/tokenizers.py MAILDIR

The text is decoded with Python's email package (text/plain and text/html parts, charsets), the
way tmail's search_text.c does it, then loaded into one FTS5 table per candidate in a temporary
database. Python's sqlite3 module uses the system's SQLite, the same library tmail links.

A body search is a substring or regular-expression search (mutt's ~b), so the index is only a
prefilter and every candidate is confirmed on its text. With the trigram tokenizer a literal of
three or more characters is one phrase query; with unicode61 only whole words inside the literal
can be asked for ("finch" of "zebrafinch" cannot), so a literal that is part of a longer word
means reading every message. Each query prints the candidates and the confirmed matches."""

import email
import email.policy
import os
import re
import sqlite3
import sys
import tempfile
import time

CANDIDATES = [
    ("trigram", "tokenize='trigram'"),
    ("trigram, detail=column", "tokenize='trigram', detail='column'"),
    ("trigram, detail=none", "tokenize='trigram', detail='none'"),
    ("unicode61", "tokenize='unicode61'"),
    ("unicode61, detail=none", "tokenize='unicode61', detail='none'"),
]
QUERIES = ["zebrafinch", "ebrafin", "meeting budget", "résumé", "tomorrow"]


def text_of(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    headers = "".join("%s: %s\n" % (k, v) for k, v in msg.items())
    body = []
    for part in msg.walk():
        if part.get_content_maintype() != "text" or part.is_multipart():
            continue
        try:
            t = part.get_content()
        except (LookupError, UnicodeError):
            continue
        if part.get_content_subtype() == "html":
            t = re.sub(r"<[^>]*>", "", t)
        body.append(t)
    return headers, "\n".join(body)


def phrase(lit):
    return '"%s"' % lit.replace('"', '""')


def unicode61_query(lit):
    """Whole words strictly inside the literal (the first and last may be cut), else None."""
    words = re.findall(r"\w+", lit)
    inner = words[1:-1] if len(words) > 2 else []
    if len(words) >= 2:  # the last word may be a prefix of a longer one
        inner.append(words[-1] + "*")
    return " AND ".join(phrase(w) if not w.endswith("*") else phrase(w[:-1]) + "*"
                        for w in inner) or None


def main():
    maildir = sys.argv[1]
    files = sorted(os.path.join(maildir, "cur", n) for n in os.listdir(os.path.join(maildir, "cur")))
    t0 = time.time()
    docs = [text_of(p) for p in files]
    raw = sum(os.path.getsize(p) for p in files)
    text = sum(len(h.encode()) + len(b.encode()) for h, b in docs)
    print("%d messages, %.1f MiB raw, %.1f MiB decoded text (decoding %.1f s in Python)"
          % (len(docs), raw / 2**20, text / 2**20, time.time() - t0))
    tmp = tempfile.mkdtemp(prefix="tmtok.")
    for name, options in CANDIDATES:
        path = os.path.join(tmp, re.sub(r"\W+", "_", name) + ".sqlite")
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, headers TEXT, body TEXT)")
        db.execute("CREATE VIRTUAL TABLE i USING fts5(headers, body, content='t', "
                   "content_rowid='id', %s)" % options)
        db.executemany("INSERT INTO t VALUES(?, ?, ?)",
                       ((n + 1, h, b) for n, (h, b) in enumerate(docs)))
        db.commit()
        base = os.path.getsize(path)
        t0 = time.time()
        db.execute("INSERT INTO i(i) VALUES('rebuild')")
        db.commit()
        build = time.time() - t0
        db.execute("VACUUM")
        size = os.path.getsize(path) - base
        print("\n%-24s index %6.1f MiB (%.2fx the text), built in %.2f s"
              % (name, size / 2**20, size / text, build))
        for q in QUERIES:
            trigram = name.startswith("trigram")
            match = phrase(q) if trigram else unicode61_query(q)
            if trigram and "detail=" in name:  # no phrases: every trigram must be present
                match = " AND ".join(phrase(q[k:k + 3]) for k in range(len(q) - 2))
            t0 = time.time()
            if match:
                rows = db.execute(
                    "SELECT t.body FROM t WHERE t.id IN (SELECT rowid FROM i WHERE i MATCH ?)",
                    ("body : (%s)" % match if "detail=none" not in name else match,)).fetchall()
            else:
                rows = db.execute("SELECT body FROM t").fetchall()
            rx = re.compile(re.escape(q), re.I)
            hits = sum(1 for (b,) in rows if rx.search(b))
            print("  %-16s %8.1f ms  %5d candidates  %3d matches%s"
                  % (q, (time.time() - t0) * 1000, len(rows), hits,
                     "" if match else "  (no usable word: read every message)"))
        db.close()
        os.unlink(path)
    os.rmdir(tmp)


if __name__ == "__main__":
    main()
