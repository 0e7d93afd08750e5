"""gen_maildir.py - writes a deterministic Maildir of realistic text mail for bench/search.

    python3 bench/search/gen_maildir.py OUTDIR [--messages 10000] [--seed 20261124]

The same seed always gives the same bytes. Bodies are 0.5-8 KiB of prose drawn from common English
words, a few thousand made-up "project" words (so the vocabulary is not tiny) and some accented
words. The mix, by message count:
  40% text/plain utf-8 8bit        12% text/plain iso-8859-1 quoted-printable
  10% text/plain utf-8 base64       18% multipart/alternative (text/plain QP + text/html QP)
   8% text/html only (QP)           12% multipart/mixed: text + a base64 attachment (2-40 KiB)
Subjects and names are partly RFC 2047 encoded. NEEDLE ("zebrafinch") is in the decoded text of
exactly NEEDLE_COUNT messages, spread over every kind (so in base64 and QP bodies too), and
NEEDLE_FILE only in attachment file names (a body search must not find it)."""

import argparse
import base64
import os
import quopri
import random
import time

NEEDLE = "zebrafinch"
NEEDLE_COUNT = 37
NEEDLE_FILE = "quokkafile"
COMMON = ("the of and to in is that for it as was with be by on not this are or from at which "
          "but have an they you were all there would their we been has when who will more no if "
          "out so said what up its about into than them can only other new some could time these "
          "two may then do first any my now such like our over even most made after also did "
          "many before must through back years where much your way well down should because "
          "each just those people mail server meeting budget release schedule report invoice "
          "quarter review draft attached please thanks regards tomorrow yesterday project "
          "deadline customer").split()
ACCENTED = ("café naïve résumé déjà façade über Straße Grüße Zürich Málaga señor año crème "
            "brûlée Ångström fiancée élève garçon").split()
KINDS = [("plain8", 40), ("latin1qp", 12), ("b64", 10), ("alt", 18), ("html", 8), ("mixed", 12)]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        syll = ["ka", "lo", "mi", "ter", "vex", "on", "dra", "pul", "sen", "qui", "bar", "zo",
                "neth", "ix", "ram", "tu", "gor", "phi", "len", "cas"]
        self.made_up = sorted({"".join(self.r.choice(syll) for _ in range(self.r.randint(2, 4)))
                               for _ in range(4000)} - {NEEDLE})

    def word(self, latin):
        x = self.r.random()
        if latin and x < 0.05:
            return self.r.choice(ACCENTED)
        if x < 0.25:
            return self.r.choice(self.made_up)
        return self.r.choice(COMMON)

    def prose(self, size, latin, needle):
        words, n = [], 0
        while n < size:
            w = self.word(latin)
            words.append(w)
            n += len(w) + 1
        if needle:
            words.insert(self.r.randrange(len(words) + 1), NEEDLE)
        lines, line = [], []
        for w in words:
            line.append(w)
            if sum(len(x) + 1 for x in line) > 66:
                lines.append(" ".join(line))
                line = []
        lines.append(" ".join(line))
        return "\n".join(lines) + "\n"

    def header(self, i, ctype):
        r = self.r
        subject = " ".join(self.word(False) for _ in range(r.randint(3, 7)))
        if r.random() < 0.3:
            subject = "=?utf-8?b?%s?=" % base64.b64encode(("Re: " + subject + " é").encode()).decode()
        t = 1790000000 + i * 97
        return ("From: Sender %d <s%d@example.org>\nTo: you@example.org\nSubject: %s\n"
                "Date: %s\nMessage-ID: <b%d@bench.example>\nMIME-Version: 1.0\n%s\n"
                % (i % 211, i % 211, subject,
                   time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(t)), i, ctype))

    def message(self, i, kind, needle):
        r = self.r
        size = int(min(8192, max(512, r.lognormvariate(7.6, 0.7))))
        if kind == "plain8":
            return self.header(i, "Content-Type: text/plain; charset=utf-8\n"
                               "Content-Transfer-Encoding: 8bit\n") + \
                self.prose(size, True, needle)
        if kind == "latin1qp":
            body = quopri.encodestring(self.prose(size, True, needle).encode("latin-1")).decode()
            return self.header(i, "Content-Type: text/plain; charset=iso-8859-1\n"
                               "Content-Transfer-Encoding: quoted-printable\n") + body
        if kind == "b64":
            body = base64.encodebytes(self.prose(size, True, needle).encode()).decode()
            return self.header(i, "Content-Type: text/plain; charset=utf-8\n"
                               "Content-Transfer-Encoding: base64\n") + body
        if kind in ("alt", "html"):
            text = self.prose(size, False, needle)
            html = "<html><body>%s</body></html>\n" % "".join(
                "<p>%s</p>\n" % p for p in text.split("\n") if p)
            html_qp = quopri.encodestring(html.encode()).decode()
            if kind == "html":
                return self.header(i, "Content-Type: text/html; charset=utf-8\n"
                                   "Content-Transfer-Encoding: quoted-printable\n") + html_qp
            b = "alt-%d" % i
            return self.header(i, 'Content-Type: multipart/alternative; boundary="%s"\n' % b) + (
                "--%s\nContent-Type: text/plain; charset=utf-8\n"
                "Content-Transfer-Encoding: quoted-printable\n\n%s\n--%s\n"
                "Content-Type: text/html; charset=utf-8\n"
                "Content-Transfer-Encoding: quoted-printable\n\n%s\n--%s--\n"
                % (b, quopri.encodestring(text.encode()).decode(), b, html_qp, b))
        b = "mix-%d" % i
        data = bytes(r.getrandbits(8) for _ in range(r.randint(2048, 40960)))
        name = "%s-%d.bin" % (NEEDLE_FILE if i % 50 == 0 else "report", i)
        return self.header(i, 'Content-Type: multipart/mixed; boundary="%s"\n' % b) + (
            "--%s\nContent-Type: text/plain; charset=utf-8\n\n%s\n--%s\n"
            "Content-Type: application/octet-stream; name=\"%s\"\n"
            "Content-Disposition: attachment; filename=\"%s\"\n"
            "Content-Transfer-Encoding: base64\n\n%s\n--%s--\n"
            % (b, self.prose(size, False, needle), b, name, name,
               base64.encodebytes(data).decode(), b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--messages", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=20261124)
    a = ap.parse_args()
    g = Gen(a.seed)
    for d in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(a.outdir, d), exist_ok=True)
    # needles on evenly spread messages, so that every kind gets some
    step = max(1, a.messages // NEEDLE_COUNT)
    needles = {k * step + 3 for k in range(NEEDLE_COUNT) if k * step + 3 < a.messages}
    kinds = [k for k, w in KINDS for _ in range(w)]
    for i in range(a.messages):
        kind = kinds[(i * 37) % len(kinds)]
        msg = g.message(i, kind, i in needles)
        path = os.path.join(a.outdir, "cur", "%d.M%dP1.bench:2,S" % (1790000000 + i, i))
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(msg)
    print("%d messages in %s (%d with %s)" % (a.messages, a.outdir, len(needles), NEEDLE))


if __name__ == "__main__":
    main()
