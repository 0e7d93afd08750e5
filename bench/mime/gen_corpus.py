"""gen_corpus.py - writes a deterministic corpus of realistic mail for bench/mime.

    python3 bench/mime/gen_corpus.py OUTDIR [--mb 64] [--seed 20261123]

Writes OUTDIR/cur/NNNNNN.eml (LF line ends, like a Maildir) until at least --mb MiB are written.
The same seed always gives the same bytes. The mix, by message count:
  40% plain text: us-ascii 7bit, utf-8 8bit or quoted-printable, iso-8859-1 and windows-1252
                  (8bit or QP), ISO-2022-JP 7bit, Shift_JIS 8bit or base64
  30% multipart/alternative: text/plain + text/html, both quoted-printable (some in latin-1/SJIS)
   8% multipart/mixed: a text body and 1-3 base64 attachments (PDF/PNG/ZIP/JPEG-like random data,
                  10 KB - 2 MB, skewed small; about 1 in 60 of them 4-8 MB)
  12% forwards: multipart/mixed with a message/rfc822 part (any of the kinds above), one in
                  four of them nested twice
  10% replies deep in a thread: long References, quoted text, a signature part
Headers carry RFC 2047 subjects and display names (B and Q, utf-8, iso-8859-1, ISO-2022-JP).
No format=flowed parts (tmail unflows them in tm_mime_part_text; GMime does not)."""

import argparse
import base64
import binascii
import os
import random
import sys

ASCII_WORDS = ("the of and to in is that for it as was with be by on not he this are or his from "
               "at which but have an they you were her all she there would their we him been has "
               "when who will more no if out so said what up its about into than them can only "
               "other new some could time these two may then do first any my now such like our "
               "over man me even most made after also did many before must through back years "
               "where much your way well down should because each just those people mail server "
               "meeting budget release schedule report invoice quarter review draft attached "
               "please thanks regards tomorrow yesterday project deadline customer").split()
LATIN_WORDS = ("café naïve résumé déjà façade über Straße Grüße Zürich Málaga señor año "
               "crème brûlée Ångström smørrebrød coöperate fiancée élève garçon").split()
CP1252_EXTRA = ["“quoted”", "it’s", "—", "…", "€100", "‘single’", "•"]
JA_SENTENCES = ["お世話になっております。", "会議の資料を添付いたします。", "ご確認のほどよろしくお願いいたします。",
                "明日の打ち合わせは十時からです。", "先日はありがとうございました。", "予算案について相談させてください。",
                "東京本社の山田です。", "来週の出張の件でご連絡しました。", "以上、よろしくお願い申し上げます。"]
UTF8_EXTRA = ["naïve", "€", "—", "Привет", "Ελλάδα", "日本語", "😀", "→", "Ćevapi", "Łódź"]
NAMES = [("Alice Martin", "alice@example.com"), ("Bob Jones", "bob@example.org"),
         ("José Müller", "jose.mueller@example.de"), ("François Dupré", "f.dupre@example.fr"),
         ("山田 太郎", "yamada@example.jp"), ("Søren Kierkegård", "soren@example.dk"),
         ("Zoë O'Brien", "zoe@example.ie"), ("Carol White", "carol@example.net"),
         ("Дмитрий Петров", "dmitry@example.ru"), ("Renée Lefèvre", "renee@example.fr")]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.n = 0

    # ---- text ----
    def words(self, n, extra=None, p=0.08):
        r = self.r
        out = []
        for _ in range(n):
            if extra and r.random() < p:
                out.append(r.choice(extra))
            else:
                out.append(r.choice(ASCII_WORDS))
        return out

    def paragraphs(self, size, extra=None, p=0.08):
        """Text of about size bytes, wrapped at 72 columns, blank lines between paragraphs."""
        r = self.r
        lines, total = [], 0
        while total < size:
            para = self.words(r.randint(20, 90), extra, p)
            para[0] = para[0].capitalize()
            line = ""
            for w in para:
                if len(line) + len(w) + 1 > 72:
                    lines.append(line)
                    total += len(line) + 1
                    line = w
                else:
                    line = w if not line else line + " " + w
            lines.append(line + ".")
            lines.append("")
            total += len(line) + 2
        return "\n".join(lines) + "\n"

    def japanese(self, size):
        r = self.r
        out, total = [], 0
        while total < size:
            s = "".join(r.choice(JA_SENTENCES) for _ in range(r.randint(1, 3)))
            out.append(s)
            total += len(s.encode("utf-8")) + 1
            if r.random() < 0.2:
                out.append("")
        return "\n".join(out) + "\n"

    def html(self, text):
        paras = [p for p in text.split("\n\n") if p.strip()]
        body = "".join('<p style="margin:0 0 1em 0;font-family:Arial,sans-serif">%s</p>\n'
                       % p.replace("&", "&amp;").replace("<", "&lt;").replace("\n", "<br>\n")
                       for p in paras)
        return ("<!DOCTYPE html>\n<html><head><meta http-equiv=\"Content-Type\" "
                "content=\"text/html; charset=utf-8\"><style>td{padding:4px}</style></head>\n"
                "<body><div class=\"WordSection1\">\n%s<table><tr><td><b>Regards</b></td></tr>"
                "</table></div></body></html>\n" % body)

    # ---- encodings ----
    @staticmethod
    def qp(data):
        return binascii.b2a_qp(data).decode("ascii").replace("\r\n", "\n")

    @staticmethod
    def b64(data):
        return base64.encodebytes(data).decode("ascii")

    def ew(self, text, charset="utf-8"):
        """An RFC 2047 encoded word (or several) for non-ASCII text; ASCII stays as is."""
        try:
            text.encode("ascii")
            return text
        except UnicodeEncodeError:
            pass
        raw = text.encode(charset)
        if self.r.random() < 0.5 or charset.lower() == "iso-2022-jp":
            words, chunk = [], 30
            for i in range(0, len(raw), chunk):
                words.append("=?%s?B?%s?=" % (charset, base64.b64encode(raw[i:i + chunk]).decode()))
            return "\n ".join(words) if len(words) > 2 else " ".join(words)
        q = "".join(chr(b) if (48 <= b <= 57 or 65 <= b <= 90 or 97 <= b <= 122) else
                    ("_" if b == 32 else "=%02X" % b) for b in raw)
        return "=?%s?Q?%s?=" % (charset, q)

    def addr(self, who=None):
        name, mail = who or self.r.choice(NAMES)
        cs = "iso-8859-1" if self.r.random() < 0.3 else "utf-8"
        try:
            name.encode(cs)
        except UnicodeEncodeError:
            cs = "utf-8"
        enc = self.ew(name, cs)
        if enc == name:
            enc = '"%s"' % name if "'" in name else name
        return "%s <%s>" % (enc, mail)

    def subject(self):
        r = self.r
        k = r.random()
        if k < 0.5:
            s = " ".join(self.words(r.randint(3, 9))).capitalize()
            return s
        if k < 0.8:
            s = " ".join(self.words(r.randint(3, 8), UTF8_EXTRA, 0.3)).capitalize()
            return self.ew(s, "utf-8")
        if k < 0.9:
            s = " ".join(self.words(r.randint(3, 8), LATIN_WORDS, 0.3)).capitalize()
            return self.ew(s, "iso-8859-1")
        return self.ew(r.choice(JA_SENTENCES) + r.choice(JA_SENTENCES), "iso-2022-jp")

    def msgid(self):
        return "<%08x.%d@mail.example.com>" % (self.r.getrandbits(32), self.r.randint(1, 10**9))

    def header(self, ctype_lines, refs=0, subject=None):
        r = self.r
        self.n += 1
        day = 1 + self.n % 28
        h = ["Return-Path: <bounce-%d@lists.example.com>" % self.n,
             "Received: from mx%d.example.net (mx%d.example.net [192.0.2.%d])\n\tby mail.example.com "
             "with ESMTPS id %08X\n\tfor <me@example.com>; Mon, %d Nov 2026 10:%02d:%02d +0000"
             % (r.randint(1, 9), r.randint(1, 9), r.randint(1, 254), r.getrandbits(32), day,
                r.randint(0, 59), r.randint(0, 59)),
             "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net; s=sel;\n\th=from:to:"
             "subject:date; bh=%s;\n\tb=%s" % (base64.b64encode(r.randbytes(32)).decode(),
                                                base64.b64encode(r.randbytes(96)).decode()),
             "From: %s" % self.addr(),
             "To: %s" % ", ".join(self.addr() for _ in range(r.randint(1, 3))),
             ]
        if r.random() < 0.3:
            h.append("Cc: %s" % ",\n    ".join(self.addr() for _ in range(r.randint(1, 5))))
        h.append("Subject: %s" % (subject or self.subject()))
        h.append("Date: Mon, %d Nov 2026 %02d:%02d:%02d +0100" % (day, r.randint(0, 23),
                                                                  r.randint(0, 59), r.randint(0, 59)))
        h.append("Message-ID: %s" % self.msgid())
        if refs:
            ids = [self.msgid() for _ in range(refs)]
            h.append("In-Reply-To: %s" % ids[-1])
            h.append("References: %s" % "\n ".join(ids))
        h.append("MIME-Version: 1.0")
        h.extend(ctype_lines)
        return "\n".join(h) + "\n\n"

    # ---- bodies: each returns (header lines, body str) ----
    def text_body(self, size):
        r = self.r
        k = r.random()
        if k < 0.25:
            t = self.paragraphs(size)
            return ['Content-Type: text/plain; charset="us-ascii"',
                    "Content-Transfer-Encoding: 7bit"], t
        if k < 0.5:
            t = self.paragraphs(size, UTF8_EXTRA).encode("utf-8")
            if r.random() < 0.5:
                return ["Content-Type: text/plain; charset=utf-8",
                        "Content-Transfer-Encoding: 8bit"], t.decode("utf-8")
            return ["Content-Type: text/plain; charset=UTF-8",
                    "Content-Transfer-Encoding: quoted-printable"], self.qp(t)
        if k < 0.65:
            t = self.paragraphs(size, LATIN_WORDS).encode("iso-8859-1")
            return self.bytes_part("text/plain; charset=iso-8859-1", t)
        if k < 0.8:
            t = self.paragraphs(size, LATIN_WORDS + CP1252_EXTRA).encode("windows-1252")
            return self.bytes_part("text/plain; charset=windows-1252", t)
        if k < 0.9:
            t = self.japanese(size).encode("iso-2022-jp")
            return ['Content-Type: text/plain; charset="ISO-2022-JP"',
                    "Content-Transfer-Encoding: 7bit"], t.decode("ascii")
        t = self.japanese(size).encode("shift_jis")
        return self.bytes_part("text/plain; charset=Shift_JIS", t)

    def bytes_part(self, ctype, data):
        """8bit (as latin-1 so bytes pass through), quoted-printable or base64."""
        k = self.r.random()
        if k < 0.4:
            # raw bytes ride in the str as surrogates; main() encodes with surrogateescape
            return ["Content-Type: " + ctype, "Content-Transfer-Encoding: 8bit"], \
                data.decode("ascii", "surrogateescape")
        if k < 0.8:
            return ["Content-Type: " + ctype, "Content-Transfer-Encoding: quoted-printable"], \
                self.qp(data)
        return ["Content-Type: " + ctype, "Content-Transfer-Encoding: base64"], self.b64(data)

    def alternative(self, size):
        r = self.r
        k = r.random()
        if k < 0.7:
            cs, text = "utf-8", self.paragraphs(size, UTF8_EXTRA, 0.04)
        elif k < 0.9:
            cs, text = "iso-8859-1", self.paragraphs(size, LATIN_WORDS)
        else:
            cs, text = "shift_jis", self.japanese(size)
        html = self.html(text).replace("charset=utf-8", "charset=" + cs)
        b = self.boundary()
        body = ("This is a multi-part message in MIME format.\n\n--%s\n"
                "Content-Type: text/plain; charset=%s\nContent-Transfer-Encoding: quoted-printable\n\n"
                "%s\n--%s\nContent-Type: text/html; charset=%s\n"
                "Content-Transfer-Encoding: quoted-printable\n\n%s\n--%s--\n"
                % (b, cs, self.qp(text.encode(cs)), b, cs, self.qp(html.encode(cs)), b))
        return ['Content-Type: multipart/alternative;\n boundary="%s"' % b], body

    def boundary(self):
        return "----=_Part_%d_%d.%d" % (self.r.getrandbits(30), self.n, self.r.getrandbits(40))

    def attachment(self):
        r = self.r
        if r.random() < 1 / 60:
            size = r.randint(4 << 20, 8 << 20)
        else:  # log-uniform 10 KB .. 2 MB
            size = int(10_000 * (200 ** r.random()))
        kind = r.choice(["pdf", "png", "jpeg", "zip", "docx"])
        payload = r.randbytes(size)
        if kind == "pdf":
            payload = b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n" \
                + payload + b"\nendstream\nendobj\n%%EOF\n"
            ctype = "application/pdf"
        elif kind == "png":
            payload = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + payload
            ctype = "image/png"
        elif kind == "jpeg":
            payload = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + payload
            ctype = "image/jpeg"
        elif kind == "zip":
            payload = b"PK\x03\x04\x14\x00" + payload
            ctype = "application/zip"
        else:
            payload = b"PK\x03\x04\x14\x00\x06\x00" + payload
            ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        base = r.choice(["report", "scan", "IMG_%04d" % r.randint(0, 9999), "Rechnung_Müller",
                         "résumé", "見積書", "invoice-%d" % r.randint(1000, 9999)])
        name = "%s.%s" % (base, {"jpeg": "jpg"}.get(kind, kind))
        fname = self.ew(name, "utf-8")
        if fname != name and r.random() < 0.5:  # RFC 2231 form instead
            fname_hdr = "filename*=utf-8''%s" % "".join(
                chr(c) if chr(c).isalnum() or chr(c) in "._-" else "%%%02X" % c
                for c in name.encode("utf-8"))
        else:
            fname_hdr = 'filename="%s"' % fname
        return ('Content-Type: %s; name="%s"\nContent-Disposition: attachment;\n %s\n'
                "Content-Transfer-Encoding: base64\n\n%s" % (ctype, fname, fname_hdr,
                                                             self.b64(payload)))

    def mixed(self, parts_text):
        b = self.boundary()
        body = "This is a multi-part message in MIME format.\n"
        for p in parts_text:
            body += "\n--%s\n%s" % (b, p)
        body += "\n--%s--\n" % b
        return ['Content-Type: multipart/mixed;\n boundary="%s"' % b], body

    def part(self, hdr_lines, body):
        return "\n".join(hdr_lines) + "\n\n" + body

    def with_attachments(self):
        r = self.r
        first = self.part(*(self.text_body(r.randint(300, 4000)) if r.random() < 0.6
                            else self.alternative(r.randint(500, 5000))))
        atts = [self.attachment() for _ in range(r.choice([1, 1, 1, 1, 2, 2, 3]))]
        return self.mixed([first] + atts)

    def message(self, depth=0):
        """A whole message as str: real UTF-8 text, and 8-bit legacy-charset bytes as surrogates."""
        r = self.r
        k = r.random()
        refs = 0
        if k < 0.40:
            ct, body = self.text_body(int(1500 * (12 ** r.random())))
        elif k < 0.70:
            ct, body = self.alternative(int(1500 * (12 ** r.random())))
        elif k < 0.78 and depth < 2:
            ct, body = self.with_attachments()
        elif k < 0.90 and depth < 2:
            inner = self.message(depth + 1 if r.random() < 0.25 else 2)
            note = self.part(*self.text_body(r.randint(200, 1500)))
            fwd = "Content-Type: message/rfc822\nContent-Disposition: inline\n\n" + inner
            ct, body = self.mixed([note, fwd])
        else:
            refs = r.randint(8, 60)
            quoted = "".join("> " + line + "\n" for line in
                             self.paragraphs(r.randint(1000, 8000)).splitlines())
            text = self.paragraphs(r.randint(200, 2000), UTF8_EXTRA, 0.03) + "\n" + quoted
            sig = "-- \nSent from my terminal\n"
            ct, body = self.mixed([self.part(["Content-Type: text/plain; charset=utf-8",
                                              "Content-Transfer-Encoding: 8bit"], text),
                                   self.part(['Content-Type: text/plain; charset=us-ascii;'
                                              ' name="signature.txt"',
                                              "Content-Disposition: inline"], sig)])
        return self.header(ct, refs) + body


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--mb", type=float, default=64)
    ap.add_argument("--seed", type=int, default=20261123)
    a = ap.parse_args()
    cur = os.path.join(a.outdir, "cur")
    os.makedirs(cur, exist_ok=True)
    g = Gen(a.seed)
    total, n, largest = 0, 0, 0
    while total < a.mb * 1024 * 1024:
        data = g.message().encode("utf-8", "surrogateescape")
        with open(os.path.join(cur, "%06d.eml" % n), "wb") as f:
            f.write(data)
        total += len(data)
        largest = max(largest, len(data))
        n += 1
    print("%d messages, %.1f MiB, largest %.1f MiB in %s" % (n, total / 1048576,
                                                             largest / 1048576, cur))


if __name__ == "__main__":
    sys.exit(main())
