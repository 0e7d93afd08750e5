#!/usr/bin/env python3
# make-demo-maildir.py - generate tmail's bundled demo mailbox (share/demo).
#
# What it is for
#   share/demo is a small Maildir that ships with tmail so that a newcomer can
#   run "tmail -f share/demo" (or just start tmail for the first time) and
#   browse realistic mail: an open-source project's mailing list plus some
#   personal mail.  It is also a test fixture: it deliberately contains deep
#   and branching threads, a reply linked only by In-Reply-To, a reply linked
#   only by its subject, RFC 2047 encoded subjects and names (including CJK
#   text), multipart/alternative and multipart/mixed messages with
#   attachments, an ISO-8859-1 quoted-printable body, a long message for the
#   pager, a message full of terminal escape sequences that must be shown and
#   never executed, and Maildir flags (seen, replied, passed, flagged, unread).
#
#   The script also writes tests/data/demo-expected-threads.txt, the thread
#   tree the client is expected to display for this mailbox, derived from the
#   same message table so the two never drift apart.
#
# How to regenerate
#   python3 contrib/make-demo-maildir.py [MAILDIR [THREADS_FILE]]
#
#   MAILDIR defaults to share/demo and THREADS_FILE to
#   tests/data/demo-expected-threads.txt, both relative to the repository
#   root (the parent of this script's directory).  The script removes and
#   recreates MAILDIR/cur, MAILDIR/new and MAILDIR/tmp (nothing else in
#   MAILDIR is touched) and prints a summary.  It uses only the Python 3
#   standard library and is fully deterministic: fixed dates, no clock, no
#   randomness, so re-running it produces byte-identical files.  Edit the
#   message table below, re-run, and commit the result together with the
#   script.

import base64
import datetime
import hashlib
import os
import quopri
import shutil
import struct
import sys
import zlib

# --------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------


class Person:
    def __init__(self, name, addr, name_enc='B', name_charset='utf-8', cte='8bit',
                 attrib='plain', msgid='uuid', ua=None, sig=None):
        self.name = name                  # display name (unicode) or None
        self.addr = addr
        self.name_enc = name_enc          # RFC 2047 encoding used when name is non-ASCII
        self.name_charset = name_charset
        self.cte = cte                    # preferred transfer encoding for non-ASCII bodies
        self.attrib = attrib              # attribution ("X wrote:") style in replies
        self.msgid = msgid                # Message-ID style
        self.ua = ua                      # (header, value) or None
        self.sig = sig                    # signature text or None

    @property
    def domain(self):
        return self.addr.split('@', 1)[1]


ME = 'sam'
LIST_ADDR = 'tmail-dev@lists.example.org'
ANNOUNCE_ADDR = 'tmail-announce@lists.example.org'

P = {
    'sam': Person('Sam Okafor', 'sam@example.net', attrib='mutt', msgid='mutt',
                  ua=('User-Agent', 'tmail/0.8.2-142-g7be01d4')),
    'priya': Person('Priya Raman', 'priya@example.com', attrib='tb', msgid='uuid',
                    ua=('User-Agent', 'tmail/0.9.0-rc1'),
                    sig='Priya Raman \u00b7 tmail co-maintainer'),
    'marco': Person('Marco Bellini', 'marco.bellini@example.org', cte='quoted-printable',
                    attrib='plain', msgid='mutt', ua=('User-Agent', 'NeoMutt/20261009')),
    'juergen': Person('J\u00fcrgen M\u00fcller', 'jmueller@example.com', name_enc='Q',
                      cte='quoted-printable', attrib='gnus', msgid='gnus',
                      ua=('User-Agent', 'Gnus/5.13 (Gnus v5.13)')),
    'yuki': Person('\u7530\u4e2d \u7531\u7d00', 'yuki.tanaka@jp.example.net', name_enc='B',
                   cte='base64', attrib='plain', msgid='sylpheed',
                   ua=('X-Mailer', 'Sylpheed 3.8.0 (GTK+ 2.24.33; x86_64-pc-linux-gnu)')),
    'olu': Person('Olumide Adeyemi', 'olu@example.net', attrib='plain', msgid='webmail',
                  ua=('X-Mailer', 'Roundcube Webmail/1.6.9')),
    'lea': Person('L\u00e9a Fontaine', 'lea@fr.example.org', name_enc='Q',
                  cte='quoted-printable', msgid='uuid', ua=('User-Agent', 'Evolution 3.54.1')),
    'dana': Person('Dana Whitfield', 'dana.w@example.com', attrib='gmail', msgid='gmail'),
    'kofi': Person('Kofi Mensah', 'kofi@example.net', msgid='gmail',
                   ua=('X-Mailer', 'PocketMail for Android 4.2')),
    'hannah': Person('Hannah Kowalski', 'hannah.k@example.org', msgid='gmail'),
    'mum': Person('Grace Okafor', 'grace.okafor@example.com', msgid='gmail'),
    'rustam': Person('Rustam Nazarov', 'rustam@sec.example.org', msgid='mutt',
                     ua=('User-Agent', 'Mutt/2.2.13 (2024-03-09)')),
    'ines': Person('In\u00eas Duarte', 'ines.duarte@example.com', name_enc='Q', msgid='gmail'),
    'tomas': Person('Tom\u00e1s Ortega', 'tomas@example.org', name_enc='Q', msgid='gmail'),
    'gabriel': Person('Gabriel Roux', 'gabriel@debian.example.org', attrib='mutt',
                      msgid='mutt', ua=('User-Agent', 'NeoMutt/20250510')),
    'ci': Person('tmail CI', 'ci@tmail.example.org', msgid='service'),
    'hosting': Person('Hosting Co. Billing', 'billing@hosting.example.com', msgid='service'),
    'registrar': Person('Registrar Notifications', 'noreply@registrar.example.net',
                        msgid='service'),
    'landlord': Person('Maple Court Property Management', 'office@maplecourt.example.com',
                       msgid='gmail'),
    'dentist': Person('Bloor Street Dental', 'reminders@bloordental.example.com',
                      msgid='service'),
    'summit': Person('FOSS Winter Summit Program Committee',
                     'cfp@winter-summit.example.org', msgid='service'),
    'meetup': Person('Lyon Terminal Tools Meetup', 'hello@meetup-lyon.example.org',
                     cte='quoted-printable', msgid='service'),
    'rail': Person('Rail Tickets', 'tickets@rail.example.com', cte='quoted-printable',
                   msgid='service'),
    'weekly': Person('Terminal Weekly', 'editor@terminal-weekly.example.com', msgid='service'),
}

# --------------------------------------------------------------------------
# Encoding helpers
# --------------------------------------------------------------------------

DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun',
          'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']


def mkdate(day, hh, mm, ss, tz):
    """A date in November 2026 at the given local time and UTC offset ("+0530")."""
    sign = 1 if tz[0] == '+' else -1
    off = sign * (int(tz[1:3]) * 60 + int(tz[3:5]))
    return datetime.datetime(2026, 11, day, hh, mm, ss,
                             tzinfo=datetime.timezone(datetime.timedelta(minutes=off)))


def tzstr(dt):
    off = int(dt.utcoffset().total_seconds()) // 60
    sign = '+' if off >= 0 else '-'
    off = abs(off)
    return '%s%02d%02d' % (sign, off // 60, off % 60)


def rfc5322_date(dt):
    return '%s, %02d %s %04d %02d:%02d:%02d %s' % (
        DAYS[dt.weekday()], dt.day, MONTHS[dt.month - 1], dt.year,
        dt.hour, dt.minute, dt.second, tzstr(dt))


def is_ascii(s):
    return all(ord(c) < 128 for c in s)


def h(key, n=8):
    """Deterministic hex digits derived from a string."""
    return hashlib.sha256(key.encode('utf-8')).hexdigest()[:n]


def _q_encode(data):
    out = []
    for b in data:
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in '!*+-/'):
            out.append(c)
        elif c == ' ':
            out.append('_')
        else:
            out.append('=%02X' % b)
    return ''.join(out)


def encode_words(text, charset='utf-8', mode='B'):
    """RFC 2047 encoded-words for text, each at most 75 characters long,
    never splitting a character between two words."""
    prefix = '=?%s?%s?' % (charset.upper(), mode)

    def enc(s):
        data = s.encode(charset)
        if mode == 'B':
            return base64.b64encode(data).decode('ascii')
        return _q_encode(data)

    words, cur = [], ''
    for ch in text:
        if cur and len(prefix + enc(cur + ch) + '?=') > 75:
            words.append(prefix + enc(cur) + '?=')
            cur = ch
        else:
            cur += ch
    if cur:
        words.append(prefix + enc(cur) + '?=')
    return words


def fold(name, value):
    """'Name: value', folded at spaces so that lines stay within 78 octets
    where possible.  Unfolding gives back exactly 'value'."""
    tokens = value.split(' ')
    line = name + ':'
    lines = []
    first = True
    for tok in tokens:
        if not first and tok and len(line) + 1 + len(tok) > 78:
            lines.append(line)
            line = ' ' + tok
        else:
            line += ' ' + tok
        first = False
    lines.append(line)
    return '\n'.join(lines)


SPECIALS = set('()<>[]:;@\\,."')


def fmt_addr(p):
    if p.name is None:
        return p.addr
    if is_ascii(p.name):
        if any(c in SPECIALS for c in p.name):
            name = '"%s"' % p.name.replace('\\', '\\\\').replace('"', '\\"')
        else:
            name = p.name
    else:
        name = ' '.join(encode_words(p.name, p.name_charset, p.name_enc))
    return '%s <%s>' % (name, p.addr)


def fmt_addrs(items):
    out = []
    for it in items:
        if it in P:
            out.append(fmt_addr(P[it]))
        else:
            out.append(it)          # literal address or group syntax
    return ', '.join(out)


def encode_subject(subject, mode):
    if mode is None:
        if is_ascii(subject):
            return subject
        mode = 'B'
    if mode == 'B' or mode == 'Q':
        return ' '.join(encode_words(subject, 'utf-8', mode))
    if mode == 'reB':     # "Re: " stays plain, the rest is encoded
        assert subject.startswith('Re: ')
        return 'Re: ' + ' '.join(encode_words(subject[4:], 'utf-8', 'B'))
    if mode == 'latin1Q':
        return ' '.join(encode_words(subject, 'iso-8859-1', 'Q'))
    raise ValueError(mode)


def encode_text(text, charset, cte):
    """Returns (content-type params, transfer encoding, encoded bytes)."""
    if is_ascii(text):
        return 'charset=us-ascii', '7bit', text.encode('ascii')
    data = text.encode(charset)
    if cte == '8bit':
        body = data
    elif cte == 'quoted-printable':
        body = quopri.encodestring(data)
    elif cte == 'base64':
        body = base64.encodebytes(data)
    else:
        raise ValueError(cte)
    return 'charset=' + charset, cte, body


# --------------------------------------------------------------------------
# A tiny PNG, built by hand (stored deflate blocks, so the bytes do not
# depend on the zlib version): a "screenshot" of the thread index at one
# pixel per character cell.
# --------------------------------------------------------------------------

PALETTE = [
    (0x1d, 0x20, 0x21),   # 0 background
    (0xd5, 0xc4, 0xa1),   # 1 text
    (0x83, 0xa5, 0x98),   # 2 tree lines
    (0x45, 0x85, 0x88),   # 3 cursor bar
    (0xfa, 0xbd, 0x2f),   # 4 unread marker
    (0x50, 0x49, 0x45),   # 5 status bars
    (0xfb, 0x49, 0x34),   # 6 flagged marker
    (0x92, 0x83, 0x74),   # 7 dim text (date, sender)
]


def png_chunk(kind, data):
    return (struct.pack('>I', len(data)) + kind + data +
            struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff))


def zlib_stored(raw):
    out = b'\x78\x01'
    i = 0
    while True:
        blk = raw[i:i + 65535]
        i += len(blk)
        final = i >= len(raw)
        out += bytes([1 if final else 0]) + struct.pack('<HH', len(blk), len(blk) ^ 0xffff) + blk
        if final:
            break
    return out + struct.pack('>I', zlib.adler32(raw) & 0xffffffff)


def make_png(rows):
    """rows: list of (marker, date, from, depth, subject) for the index lines."""
    W, H = 64, 24
    px = [[0] * W for _ in range(H)]

    def text(y, x, s, color, bg, limit):
        for i, c in enumerate(s):
            if x + i >= limit:
                break
            px[y][x + i] = bg if c == ' ' else color

    for y in (0, H - 2):
        px[y] = [5] * W
    text(0, 1, 'q:Quit d:Del u:Undel s:Save m:Mail r:Reply', 1, 5, W - 1)
    text(H - 2, 1, '-*-tmail: share/demo [threads] --(all)--', 1, 5, W - 1)
    for i, (marker, date, frm, depth, subj) in enumerate(rows[:H - 3]):
        y = 1 + i
        bg = 3 if i == 2 else 0
        px[y] = [bg] * W
        if marker:
            px[y][0] = 6 if marker == '!' else 4
        text(y, 2, date, 7, bg, 8)
        text(y, 9, frm, 7, bg, 21)
        x = 22
        if depth:
            for k in range(2 * depth):
                px[y][x + k] = 2
            x += 2 * depth + 1
        text(y, x, subj, 1, bg, W)
    raw = b''.join(b'\x00' + bytes(r) for r in px)
    return (b'\x89PNG\r\n\x1a\n' +
            png_chunk(b'IHDR', struct.pack('>IIBBBBB', W, H, 8, 3, 0, 0, 0)) +
            png_chunk(b'PLTE', b''.join(bytes(c) for c in PALETTE)) +
            png_chunk(b'IDAT', zlib_stored(raw)) +
            png_chunk(b'IEND', b''))


# --------------------------------------------------------------------------
# The messages
# --------------------------------------------------------------------------
#
# M(key, (day, hh, mm, ss, tz), sender, to, subject, body, ...)
#
# body is a string, or a list of chunks for replies: strings are new text,
# q('needle') quotes the parent's paragraph containing 'needle' (or, with
# n=, only n lines starting at the line containing it).  The attribution
# line is inserted before the first quote.
#
# Keyword arguments:
#   parent   key of the message replied to
#   refs     'full' (In-Reply-To + References, the default for replies),
#            'irt' (In-Reply-To only) or 'none' (no threading headers at all)
#   subject_parent  for refs='none': the root the client should attach the
#            message to by subject (used only for the expected thread file)
#   flags    Maildir flags for cur/ ('S', 'RS', 'FS', 'PS', '' = unread in cur/),
#            or None for an unread message in new/
#   subj     how to encode the subject: None (plain, or B if non-ASCII), 'B',
#            'Q', 'reB', 'latin1Q'
#   cte / charset  override the sender's body encoding
#   mime     'alternative', 'patch' or 'png' for the multipart specials
#   cc, extra (list of (header, value))

MSGS = []


class q:
    def __init__(self, needle, n=None):
        self.needle = needle
        self.n = n


def M(key, date, sender, to, subject, body, **kw):
    m = dict(key=key, date=mkdate(*date), sender=sender, to=to, subject=subject,
             body=body, parent=None, refs='full', subject_parent=None, flags='S',
             subj=None, cte=None, charset='utf-8', mime=None, cc=[], extra=[])
    for k, v in kw.items():
        if k not in m:
            raise KeyError(k)
        m[k] = v
    MSGS.append(m)


LIST = [LIST_ADDR]

# ---- Monday 2 November ---------------------------------------------------

M('ci412', (2, 8, 5, 12, '+0000'), 'ci', [ME],
  '[tmail-ci] Build #412 passed: main (a3f9c21)', '''\
Build #412 for tmail passed.

  Branch:    main
  Commit:    a3f9c21 "index: cache decoded subjects"
  Author:    Priya Raman
  Duration:  3m 41s

  Job                      Result   Time
  -----------------------  -------  ------
  build (gcc 14, -O2)      ok       0m52s
  build (clang 19, -O2)    ok       0m48s
  test (unit)              ok       1m12s
  test (asan+ubsan)        ok       2m09s
  lint (cppcheck)          ok       0m31s

Full log: https://ci.tmail.example.org/builds/412

-- 
You are receiving this because you are a maintainer of tmail.
''', extra=[('Auto-Submitted', 'auto-generated'), ('X-CI-Build', '412')])

M('triage45', (2, 18, 40, 3, '+0530'), 'priya', LIST,
  '[tmail-dev] Weekly triage notes (week 45)', '''\
Hi all,

Notes from this week's triage call (Sam, Marco, Olumide, me).

New issues: 7   Closed: 5   Open total: 63

Decisions
- #142 "Status bar flickers under tmux": confirmed, assigned to Marco.
  Looks like we redraw the whole line on every keypress.
- #145 "Support for XOAUTH2": out of scope for 0.9, tagged 'later'.
- #147 "Index column widths wrong with emoji": needs a wcwidth()
  audit; Yuki offered to test with Japanese mail.
- #150 "Crash on malformed Date: header": fixed in a3f9c21.

Release
- The 0.9.0 freeze is Friday 13 November. Anything not merged by
  then moves to 0.9.1.
- The release notes draft lives in NEWS; please add your bits.

Next call: Monday 9 November, 16:00 UTC, same link.

Priya
''')

M('lunch', (2, 19, 22, 48, '-0500'), 'dana', [ME, 'kofi'],
  'Lunch on Friday?', '''\
Hey you two,

It's been ages. Are you free for lunch on Friday? I was thinking the
Ethiopian place on Bloor, 12:30-ish. My treat, since I still owe Sam
for the moving-day pizza.

Kofi, if you can't get away from the office I can bring it to you
instead, just say the word.

Dana
''', flags='RS')

# ---- Tuesday 3 November --------------------------------------------------

M('rfc', (3, 9, 12, 30, '+0530'), 'priya', LIST,
  '[tmail-dev] RFC: config file format (TOML vs. muttrc-style)', '''\
Hi all,

Before 1.0 we need to decide what the config file looks like, because
changing it later will hurt everyone. There are two serious options
on the table:

1. muttrc-style: "set index_format = ...", "bind index j next-entry".
   Pro: every mutt user can copy their muttrc over mostly unchanged.
   Con: the grammar is ad hoc, the quoting rules are famously
   confusing, and we would have to write (and fuzz) our own parser.

2. TOML: [index] format = "...", bind = [{ key = "j", action = "next" }].
   Pro: well specified, plenty of tests in the wild, every editor
   highlights it. Con: another dependency (or a vendored parser), and
   the keymap tables get verbose.

My gut says muttrc-style, but with a much smaller grammar than mutt's:
no backticks, no hooks in the first version, one quoting style.

Please reply with your preference and, more importantly, why. I would
like to close this before the 0.9.0 freeze.

Priya
''', flags='RS')

M('rfc.marco', (3, 11, 47, 9, '+0100'), 'marco', LIST,
  'Re: [tmail-dev] RFC: config file format (TOML vs. muttrc-style)', [
      q('1. muttrc-style'),
      '''\
Strong +1 for muttrc-style. Half of our users arrive with a 15 year
old muttrc and the first thing they do is try to source it. If that
mostly works, they stay; if they get a wall of parse errors, they
leave.

We can still be strict: reject what we do not understand, with a
line number and a hint, instead of silently ignoring it like mutt.''',
      q('2. TOML', n=1),
      '''\
TOML is nice for machines, but nobody hand-edits a 200-line keymap in
it for fun.

Marco''',
  ], parent='rfc')

M('lunch.kofi', (3, 9, 3, 55, '-0500'), 'kofi', ['dana'],
  'Re: Lunch on Friday?', '''\
I'm in! 12:30 works. Not the office please, I need an excuse to
leave my desk.

Sent from my phone
''', cc=[ME], refs='none', subject_parent='lunch')

M('rfc.juergen', (3, 14, 20, 41, '+0100'), 'juergen', LIST,
  'Re: [tmail-dev] RFC: config file format (TOML vs. muttrc-style)', [
      q('We can still be strict'),
      '''\
Agreed, and I would go one step further: make "tmail --check-config"
print every line it ignored or rejected, so people can migrate at
their own pace.

What worries me a bit is encodings. Old muttrc files in the wild are
often Latin-1 (mine certainly was until last year). Do we assume UTF-8
and fail loudly, or try to detect it? I'd vote for "assume UTF-8, fail
loudly, point at iconv".

Gr\u00fc\u00dfe,
J\u00fcrgen''',
  ], parent='rfc.marco')

M('rfc.sam', (3, 12, 30, 17, '-0500'), 'sam', LIST,
  'Re: [tmail-dev] RFC: config file format (TOML vs. muttrc-style)', [
      q('My gut says'),
      '''\
Same here. A small, documented subset we can parse with a few hundred
lines of C is worth more than a full TOML parser we vendor and never
read.

One request: whatever we pick, let's write the grammar down in
doc/tmailrc.5 *before* writing the parser, and generate the tests from
the examples in the man page. Then the docs can't drift.

Sam''',
  ], parent='rfc')

M('rfc.olu', (3, 19, 10, 26, '+0100'), 'olu', LIST,
  'Re: [tmail-dev] RFC: config file format (TOML vs. muttrc-style)', [
      q('Strong +1'),
      '''\
Counterpoint from someone who never used mutt: I arrived with no
muttrc at all, and the thing that confused me most in the docs was
exactly the quoting rules. I don't mind muttrc-style, but please
let's have one example config that is commented line by line and
ships in share/, so newcomers can start from that.

Olumide''',
  ], parent='rfc.marco')

# ---- Wednesday 4 November ------------------------------------------------

M('rfc.priya2', (4, 7, 55, 2, '+0530'), 'priya', LIST,
  'Re: [tmail-dev] RFC: config file format (TOML vs. muttrc-style)', [
      q('What worries me'),
      '''\
Yes. UTF-8 only, with a clear error like

  tmailrc:12: invalid UTF-8 (byte 0xfc at column 9);
  convert the file with: iconv -f latin1 -t utf-8

That is cheap to implement and impossible to misunderstand.

And --check-config is a good idea, I've opened #153 for it.''',
  ], parent='rfc.juergen')

M('rfc.priya3', (4, 10, 40, 44, '+0530'), 'priya', LIST,
  'Re: [tmail-dev] RFC: config file format (TOML vs. muttrc-style)', [
      q('One request'),
      '''\
Love it. I'll start doc/tmailrc.5 this week with the subset we agree
on, and mark everything else as "not yet". Marco, J\u00fcrgen: reviews
are welcome once the first draft is up.''',
  ], parent='rfc.sam')

M('rfc.marco2', (4, 9, 31, 50, '+0100'), 'marco', LIST,
  'Re: [tmail-dev] RFC: config file format (TOML vs. muttrc-style)', [
      q('tmailrc:12:'),
      '''\
Perfect, that error message is better than anything mutt ever told
me. Let's also give the column in characters, not bytes, when the
line is otherwise valid, or people with tabs and accents will be
confused.

I think we have consensus: muttrc-style, small grammar, UTF-8 only.
Shall I write that up in the decision log?

Marco''',
  ], parent='rfc.priya2')

M('invoice', (4, 12, 0, 4, '+0100'), 'hosting', [ME],
  'Invoice INV-2026-1147 for tmail.example.org hosting', '''\
Hello Sam Okafor,

Your invoice for November 2026 is now available.

  Invoice number:   INV-2026-1147
  Invoice date:     4 November 2026
  Due date:         18 November 2026

  Description                          Qty     Amount
  -----------------------------------  ---  ---------
  VPS small (2 vCPU, 4 GB) - tmail-1     1   EUR 9.00
  Object storage, 50 GB                  1   EUR 2.50
  Backup snapshots                       1   EUR 1.20
                                            ---------
  Total (incl. VAT)                         EUR 12.70

The amount will be charged to the card ending in 4417 on the due
date. No action is needed.

You can download a PDF copy from your customer area:
https://my.hosting.example.com/invoices/INV-2026-1147

Thank you for hosting with us.
Hosting Co.
''', flags='PS')

M('mum.sunday', (4, 23, 31, 40, '+0000'), 'mum', [ME],
  'Sunday call', '''\
Hello love,

Are we still on for the video call on Sunday? Your father has finally
figured out how to turn the camera on, so brace yourself: you will
mostly see his forehead.

Auntie Ngozi says hello and asks when you are going to visit. I told
her you are "very busy with the computer mail thing". I hope that is
correct.

Love,
Mum
''')

# ---- Thursday 5 November -------------------------------------------------

M('crash', (5, 6, 45, 33, '+0100'), 'olu', LIST,
  '[tmail-dev] Crash when opening an empty Maildir (segfault in maildir_scan)', '''\
Hi,

tmail from current main (7be01d4) segfaults when I point it at a
Maildir that exists but has nothing in cur/ and new/:

  $ mkdir -p /tmp/empty/cur /tmp/empty/new /tmp/empty/tmp
  $ ./tmail -f /tmp/empty
  Segmentation fault (core dumped)

Backtrace:

  #0  0x000055555556a1c4 in maildir_scan (m=0x5555555a32a0) at src/maildir.c:214
  #1  0x0000555555561f90 in mailbox_open (path=0x7fffffffe4a1 "/tmp/empty") at src/mailbox.c:88
  #2  0x000055555555d2b7 in main (argc=3, argv=0x7fffffffe1c8) at src/main.c:141

Line 214 is

  m->cursor = m->msgs[0].id;  /* select the first message */

and m->msgs is NULL when the directory is empty, so this dereferences
a NULL pointer.

OS: Debian trixie, gcc 14.2, glibc 2.41.

Olumide
''', flags='RS')

M('crash.sam', (5, 8, 10, 21, '-0500'), 'sam', LIST,
  'Re: [tmail-dev] Crash when opening an empty Maildir (segfault in maildir_scan)', [
      q('Line 214 is', n=1),
      q('m->cursor ='),
      q('and m->msgs is NULL'),
      '''\
Ouch, that one is mine, sorry. We used to always have at least the
"welcome" message in the test fixtures, so this path never ran.

Fix is to only set the cursor when count > 0. Can you check whether
"tmail -f" on an empty *mbox* file survives as well? I suspect the
same pattern in mbox.c.

Sam''',
  ], parent='crash')

M('ci415', (5, 11, 0, 37, '+0000'), 'ci', [ME],
  '[tmail-ci] Build #415 FAILED: main (9d2e6f0)', '''\
Build #415 for tmail FAILED.

  Branch:    main
  Commit:    9d2e6f0 "tests: add empty Maildir regression test (#151)"
  Author:    Olumide Adeyemi
  Duration:  4m 02s

  Job                      Result   Time
  -----------------------  -------  ------
  build (gcc 14, -O2)      ok       0m55s
  build (clang 19, -O2)    ok       0m49s
  test (unit)              ok       1m15s
  test (asan+ubsan)        FAILED   1m58s
  lint (cppcheck)          ok       0m30s

First failure (test (asan+ubsan)):

  src/maildir.c:214:22: runtime error: member access within null pointer of type 'struct msg'
  AddressSanitizer:DEADLYSIGNAL
  ==48213==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000
  ==48213==The signal is caused by a READ memory access.
      #0 0x55d1c3a1 in maildir_scan src/maildir.c:214
      #1 0x55d1b7e2 in mailbox_open src/mailbox.c:88
      #2 0x55d18c11 in test_open_empty tests/test_maildir.c:57

Full log: https://ci.tmail.example.org/builds/415

-- 
You are receiving this because you are a maintainer of tmail.
''', extra=[('Auto-Submitted', 'auto-generated'), ('X-CI-Build', '415')])

M('crash.olu', (5, 16, 20, 5, '+0100'), 'olu', LIST,
  'Re: [tmail-dev] Crash when opening an empty Maildir (segfault in maildir_scan)', [
      q('Can you check whether'),
      '''\
Good instinct: an empty mbox crashes too, same backtrace shape but in
mbox_parse() at src/mbox.c:97. A zero-byte file and a file containing
only a newline both trigger it. I pushed a regression test for the
Maildir case (9d2e6f0), which is why CI is red right now.

(Apologies if this reply breaks threading for you: I'm on the
university webmail today and it doesn't seem to set References.)

Olumide''',
  ], parent='crash.sam', refs='irt')

M('crash.priya', (5, 22, 5, 19, '+0530'), 'priya', LIST,
  'Re: [tmail-dev] Crash when opening an empty Maildir (segfault in maildir_scan)', [
      q('Good instinct'),
      '''\
Sam's fix plus the same one for mbox.c are in 0c5e8aa, together with
tests/data/empty.mbox. CI is running now and should go green again.

Thanks for the clear report, Olumide, the backtrace made this a
five-minute fix.''',
  ], parent='crash.olu')

M('ci416', (5, 17, 2, 51, '+0000'), 'ci', [ME],
  '[tmail-ci] Build #416 passed: main (0c5e8aa)', '''\
Build #416 for tmail passed.

  Branch:    main
  Commit:    0c5e8aa "maildir, mbox: handle empty mailboxes (fixes #151)"
  Author:    Priya Raman
  Duration:  3m 44s

  Job                      Result   Time
  -----------------------  -------  ------
  build (gcc 14, -O2)      ok       0m53s
  build (clang 19, -O2)    ok       0m47s
  test (unit)              ok       1m14s
  test (asan+ubsan)        ok       2m11s
  lint (cppcheck)          ok       0m31s

This build fixes the failure introduced in #415.

Full log: https://ci.tmail.example.org/builds/416

-- 
You are receiving this because you are a maintainer of tmail.
''', extra=[('Auto-Submitted', 'auto-generated'), ('X-CI-Build', '416')])

# ---- Friday 6 November ---------------------------------------------------

M('heating', (6, 16, 40, 0, '-0500'), 'landlord', ['undisclosed-recipients:;'],
  'Heating maintenance on Tuesday 10 November', '''\
Dear residents,

Our contractor will service the boilers on Tuesday 10 November
between 9:00 and 13:00. Heating and hot water will be off for about
two hours during that window.

Technicians will need access to the utility cupboard in each unit on
floors 3 and 4. If you will not be home, please leave a key with the
concierge by Monday evening.

We apologise for the inconvenience.

Kind regards,
Maple Court Property Management
41 Maple Court, Toronto
''')

# ---- Saturday 7 November -------------------------------------------------

M('bookclub', (7, 11, 20, 13, '-0500'), 'hannah', [ME, 'dana', 'kofi'],
  'Book club: December pick', '''\
Hi everyone,

Time to pick December's book! The shortlist, from the suggestions at
the last meeting:

  1. "The Left Hand of Darkness" - Ursula K. Le Guin
  2. "Piranesi" - Susanna Clarke
  3. "The Soul of a New Machine" - Tracy Kidder (Sam's pick, of course)

Reply with your vote by Friday. Ties will be settled by whoever
brings the best snacks.

The meeting is on Thursday 3 December, 19:00, at my place as usual.

Hannah
''', flags='RS')

M('nihongo', (7, 21, 30, 8, '+0900'), 'yuki', LIST,
  '\u65e5\u672c\u8a9e\u306e\u30c6\u30b9\u30c8\uff08\u8868\u793a\u5e45\u306e\u78ba\u8a8d\uff09',
  '''\
tmail-dev \u306e\u7686\u3055\u3093\u3001\u3053\u3093\u306b\u3061\u306f\u3002

#147\uff08\u7d75\u6587\u5b57\u3084\u5168\u89d2\u6587\u5b57\u306e\u30ab\u30e9\u30e0\u5e45\uff09\u306e\u30c6\u30b9\u30c8\u7528\u30e1\u30fc\u30eb\u3067\u3059\u3002
\u4ef6\u540d\u3068\u672c\u6587\u306b\u5168\u89d2\u6587\u5b57\u304c\u5165\u3063\u3066\u3044\u307e\u3059\u3002\u30a4\u30f3\u30c7\u30c3\u30af\u30b9\u753b\u9762\u3067
\u4ef6\u540d\u306e\u5217\u304c\u305a\u308c\u306a\u3044\u304b\u3001\u78ba\u8a8d\u3092\u304a\u9858\u3044\u3057\u307e\u3059\u3002

  \u534a\u89d2: abcdefghij (10 columns)
  \u5168\u89d2: \u3042\u3044\u3046\u3048\u304a\u304b\u304d\u304f\u3051\u3053 (20 columns)
  \u6df7\u5728: tmail\u3067\u65e5\u672c\u8a9e (13 columns)

In English: this is a test mail for #147. The subject and the body
contain double-width characters; please check that the subject column
in the index does not shift. The three sample strings above are 10,
20 and 13 terminal columns wide.

\u7530\u4e2d \u7531\u7d00 (Yuki Tanaka)
''', subj='B', cte='8bit')

M('nihongo.juergen', (7, 15, 5, 36, '+0100'), 'juergen', LIST,
  'Re: \u65e5\u672c\u8a9e\u306e\u30c6\u30b9\u30c8\uff08\u8868\u793a\u5e45\u306e\u78ba\u8a8d\uff09', [
      q('\u534a\u89d2:'),
      '''\
These render correctly here (kitty, Noto Sans CJK), but in the index
the subject is cut one column too early when it ends on a wide
character: I see "\u65e5\u672c\u8a9e\u306e\u30c6\u30b9\u30c8\uff08\u8868\u793a\u5e45\u306e" and then a blank, where
there is still room for "\u78ba". Looks like we truncate at width-1
whenever the next character is double-width, even if it would fit.

Reproduction without a screenshot: COLUMNS=60 tmail -f share/demo,
then look at the subject column.

Danke f\u00fcrs Testen!
J\u00fcrgen''',
  ], parent='nihongo', subj='reB')

# ---- Sunday 8 November ---------------------------------------------------

M('umlaute', (8, 10, 44, 27, '+0100'), 'juergen', [ME],
  'Umlaute in Ordnernamen (Entw\u00fcrfe)', '''\
Hallo Sam,

a quick one before I file it properly: folders with umlauts in their
names show up garbled in the sidebar. Locally my Maildir++ folders
are still plain Latin-1 on this old box:

  .Entw\u00fcrfe
  .Gel\u00f6schte Elemente
  .Privat.Steuererkl\u00e4rung 2025

tmail lists them as ".Entw\\374rfe" and so on. Renaming them to UTF-8
fixes it, of course, but I suspect I'm not the only one with a
15-year-old Maildir. Maybe a "folder_charset" option, like mutt's
$charset fallback?

I am sending this mail as ISO-8859-1 on purpose, so you also have a
test case for the pager. Umlaute: \u00e4 \u00f6 \u00fc \u00c4 \u00d6 \u00dc \u00df, und \u00abAnf\u00fchrungszeichen\u00bb.

Sch\u00f6ne Gr\u00fc\u00dfe aus K\u00f6ln,
J\u00fcrgen
''', flags='RS', subj='latin1Q', charset='iso-8859-1', cte='quoted-printable')

M('hike', (8, 20, 12, 3, '-0500'), 'kofi', [ME, 'dana'],
  'Photos from the hike', '''\
Hi both,

I uploaded the photos from Saturday's hike, 48 of them, sorry, I got
carried away at the lookout:

  https://photos.example.net/s/kofi-hike-nov

The one of Dana pretending to be lost on purpose is my favourite.
Sam, you're in exactly one picture and you're checking your phone in
it. Unbelievable.

Kofi
''')

# ---- Monday 9 November ---------------------------------------------------

M('domain', (9, 3, 0, 0, '-0800'), 'registrar', [ME],
  'Your domain tmail.example.org renews in 30 days', '''\
Hello,

This is a reminder that the following domain will renew automatically
on 9 December 2026:

  Domain:        tmail.example.org
  Term:          1 year
  Price:         USD 14.99
  Auto-renew:    ON
  Payment:       card ending in 4417

If you want to keep the domain, you don't need to do anything. To turn
off auto-renew or update your payment details, visit
https://registrar.example.net/account/domains

Please do not reply to this message; this mailbox is not monitored.
''')

M('triage46', (9, 18, 30, 11, '+0530'), 'priya', LIST,
  '[tmail-dev] Weekly triage notes (week 46)', '''\
Hi all,

Notes from today's triage call (Sam, Marco, J\u00fcrgen, Yuki, me).

New issues: 9   Closed: 11   Open total: 61

Decisions
- #151 "Crash on empty Maildir": fixed in 0c5e8aa, thanks Olumide.
- #147 "Index column widths wrong with emoji": Yuki sent test mail,
  J\u00fcrgen found the off-by-one in the truncation. Marco takes it.
- #153 "tmail --check-config": accepted for 0.9.1.
- #155 "Folder names in Latin-1": needs design; J\u00fcrgen will write
  up the options. Not for 0.9.
- Config format RFC: consensus on muttrc-style with a small grammar,
  UTF-8 only. Marco is writing the decision record.

Release
- Freeze is this Friday (13 November). Release planned for Monday 16.
- Olumide's pager scroll fix should go in before the freeze.

Next call: Monday 16 November, 16:00 UTC.

Priya
''')

PATCH = '''\
From 5e1c0a7d2b9f4e3a8c6d1f0b7a2e9c4d3b1a0f8e Mon Sep 17 00:00:00 2001
From: Olumide Adeyemi <olu@example.net>
Date: Mon, 9 Nov 2026 21:41:07 +0100
Subject: [PATCH] pager: fix off-by-one when scrolling past last line

When the remaining text is shorter than a page, pager_next_page()
advanced top_line by a full page and then clamped it against nlines
instead of nlines - rows, leaving blank lines at the bottom. Clamp
against the last full page instead.

Fixes #149.
---
 src/pager.c        |  6 +++---
 tests/test_pager.c | 12 ++++++++++++
 2 files changed, 15 insertions(+), 3 deletions(-)

diff --git a/src/pager.c b/src/pager.c
index 3f2a9b1..8c4d0e7 100644
--- a/src/pager.c
+++ b/src/pager.c
@@ -212,9 +212,9 @@ void pager_next_page(struct pager *p)
 {
 \tint rows = pager_text_rows(p);
 
-\tp->top_line += rows;
-\tif (p->top_line > p->nlines)
-\t\tp->top_line = p->nlines;
+\tp->top_line += rows - p->overlap;
+\tif (p->top_line > p->nlines - rows)
+\t\tp->top_line = p->nlines > rows ? p->nlines - rows : 0;
 }
 
 void pager_prev_page(struct pager *p)
diff --git a/tests/test_pager.c b/tests/test_pager.c
index 0b8e4c2..d61f3a9 100644
--- a/tests/test_pager.c
+++ b/tests/test_pager.c
@@ -88,8 +88,20 @@ static void test_prev_page_at_top(void)
 \tASSERT_EQ(p.top_line, 0);
 }
 
+/* regression test for #149 */
+static void test_next_page_clamps(void)
+{
+\tstruct pager p = { .nlines = 30, .rows = 24, .overlap = 0 };
+
+\tpager_next_page(&p);
+\tASSERT_EQ(p.top_line, 6);
+\tpager_next_page(&p);
+\tASSERT_EQ(p.top_line, 6);
+}
+
 int main(void)
 {
 \tRUN(test_prev_page_at_top);
+\tRUN(test_next_page_clamps);
 \treturn 0;
 }
-- 
2.47.1
'''
PATCH_NAME = '0001-pager-fix-off-by-one-when-scrolling-past-last-line.patch'

M('patch', (9, 21, 50, 14, '+0100'), 'olu', LIST,
  '[tmail-dev] [PATCH] pager: fix off-by-one when scrolling past last line', '''\
Hi,

Attached is a fix for the pager showing blank lines at the bottom
when you press <Space> on the last page of a message. Found while
reading the (long!) release announcement draft in tmail itself.

I attached the patch instead of using git send-email because my
webmail mangles whitespace in inline patches. Sorry!

Olumide
''', flags='RS', mime='patch')

# ---- Tuesday 10 November -------------------------------------------------

M('patch.sam', (10, 9, 12, 40, '-0500'), 'sam', LIST,
  'Re: [tmail-dev] [PATCH] pager: fix off-by-one when scrolling past last line', [
      q('Attached is a fix'),
      '''\
Applied to main as 2b7e4f1 with a slightly reworded commit message,
thanks! Nice touch adding the regression test.''',
      q('I attached the patch'),
      '''\
Attachments are totally fine on this list, don't worry about
send-email.

Sam''',
  ], parent='patch')

M('cafe', (10, 8, 30, 52, '+0100'), 'lea', [ME, 'marco', 'priya'],
  'Caf\u00e9 cr\u00e8me \u2014 r\u00e9union de jeudi', '''\
Salut Sam, Marco, Priya,

Puisque Sam sera \u00e0 Lyon pour le meetup, je propose qu'on se retrouve
jeudi matin, au caf\u00e9 \u00ab Le Petit Terminal \u00bb pr\u00e8s de la gare
Part-Dieu, vers 10 h. Caf\u00e9 cr\u00e8me offert par la maison (enfin, par
moi).

Ordre du jour, tr\u00e8s informel :
  \u2013 la traduction fran\u00e7aise de la doc (j'ai commenc\u00e9 tmailrc.5) ;
  \u2013 les accents dans les noms de dossiers (le souci de J\u00fcrgen) ;
  \u2013 qui apporte les autocollants ?

(For the non-French speakers: coffee on Thursday morning at 10:00
near Part-Dieu station, before the meetup. Agenda: French docs,
accented folder names, stickers.)

Bises,
L\u00e9a
''', flags='RS', subj='Q')

M('cafe.marco', (10, 9, 2, 18, '+0100'), 'marco', ['lea', ME, 'priya'],
  'Re: Caf\u00e9 cr\u00e8me \u2014 r\u00e9union de jeudi', [
      q('(For the non-French speakers'),
      '''\
Count me in, I'm coming over from Turin on Wednesday evening anyway.
I'll bring the stickers: the new batch with the envelope logo
arrived last week.

A domani... well, a gioved\u00ec,
Marco''',
  ], parent='cafe', subj='B')

M('talk', (10, 16, 0, 0, '+0100'), 'summit', [ME],
  'Your talk "Mail in the terminal in 2026" has been accepted', '''\
Dear Sam Okafor,

Congratulations! We are happy to let you know that your proposal

  "Mail in the terminal in 2026: what mutt got right, and what we
   changed in tmail"

has been accepted for the Terminal & CLI track of FOSS Winter Summit
2027 (Brussels, 6-7 February 2027).

Format: 25-minute talk + 5 minutes of Q&A
Room:   to be announced with the schedule in December

Please confirm your participation by 24 November 2026, either by
replying to this message or via the speaker dashboard:

  https://winter-summit.example.org/cfp/speaker/

Speakers get free admission, and we can cover travel costs on request
(see the speaker FAQ). Slides are due one week before the event so
that the video team can prepare.

Thank you for submitting, and see you in Brussels!

The FOSS Winter Summit Program Committee
''', flags='FS')

# ---- Wednesday 11 November -----------------------------------------------

M('dentist', (11, 8, 0, 0, '-0500'), 'dentist', [ME],
  'Appointment reminder: Thursday 19 November, 15:30', '''\
Hi Sam,

This is a friendly reminder of your upcoming appointment:

  Date:      Thursday 19 November 2026
  Time:      15:30
  With:      Dr. A. Lindqvist
  Type:      Check-up and cleaning (45 min)

Please arrive 10 minutes early. If you need to reschedule, call us at
least 24 hours in advance at 416-555-0142.

See you soon,
Bloor Street Dental
''')

M('shot', (11, 13, 25, 31, '+0100'), 'marco', LIST,
  '[tmail-dev] Screenshot: new thread view', '''\
Hi all,

The thread view branch (marco/thread-tree) is ready for a first look.
Attached is a tiny screenshot. Yes, it's tiny: the list rejects large
attachments, so I rendered it at one pixel per character cell. Squint
and you'll see the tree lines.

What changed:
- the tree is drawn with line-drawing characters and falls back to
  ASCII when the locale isn't UTF-8
- collapsed threads show the number of hidden messages
- missing parents (broken References) are shown as a "?" node
  instead of being silently reattached

Try it with:
  git checkout marco/thread-tree && make && ./tmail -f share/demo

Marco
''', mime='png')

M('shot.priya', (11, 19, 2, 45, '+0530'), 'priya', LIST,
  'Re: [tmail-dev] Screenshot: new thread view', [
      q('What changed:'),
      '''\
The "?" node is great. I've lost count of how often silent
reattaching confused me about who replied to whom.

Small request: could the collapsed count be shown as "(+3)" rather
than "3"? A bare number next to the subject reads like part of it.''',
  ], parent='shot')

M('shot.yuki', (11, 22, 48, 7, '+0900'), 'yuki', LIST,
  'Re: [tmail-dev] Screenshot: new thread view', [
      q('Try it with:'),
      '''\
Tested in foot with ja_JP.UTF-8: the tree lines look right and stay
aligned next to my \u65e5\u672c\u8a9e test subject. With LANG=C the tree falls back
to ASCII as promised, and each Japanese character becomes "??", two
columns wide, so even then the alignment survives.

\u3042\u308a\u304c\u3068\u3046\u3054\u3056\u3044\u307e\u3059\u3002
Yuki''',
  ], parent='shot')

# ---- Thursday 12 November ------------------------------------------------

M('escape', (12, 14, 17, 9, '+0300'), 'rustam', [ME],
  'Terminal escape test', '''\
Hi Sam,

Following up on our chat on IRC: here is a harmless test message for
terminal escape handling in the pager and the index. If tmail passes
raw control characters to the terminal, you will see the effects
described in brackets. If it is safe, every escape below is shown as
visible text (like ^[ or \\x1b) and nothing changes colour, moves,
beeps or retitles your terminal.

1. Colour (SGR):         \x1b[31mRED\x1b[0m and \x1b[1;5;42mBLINK\x1b[0m
   [text turns red / blinks on green]
2. Window title (OSC):   \x1b]0;pwned\x07
   [the terminal title becomes "pwned"]
3. Bell (BEL):           ding\x07ding\x07
   [the terminal beeps twice]
4. Clear screen:         \x1b[2J\x1b[H
   [the screen is cleared, the cursor jumps to the top left]
5. Hyperlink (OSC 8):    \x1b]8;;https://evil.example.com/\x1b\\innocent link\x1b]8;;\x1b\\
   [a clickable link to an unexpected place]
6. Backspace overstrike: safe\x08\x08\x08\x08evil
   [you read "evil" instead of "safe"]
7. Cursor up and erase:  \x1b[1A\x1b[2K
   [the line above disappears]
8. Title report (CSI t): \x1b[21t
   [the terminal types its title back, as if you had typed it]

If any of the bracketed things actually happened, please treat it as
a security bug (cf. CVE-2003-0063, the xterm title reporting issue).

Cheers,
Rustam
''')

M('keybindings', (12, 20, 5, 55, '+0000'), 'ines', [ME],
  'Quick question about keybindings', '''\
Hi Sam,

Sorry to write to you directly, I wasn't sure whether the list is the
right place for beginner questions.

I'm trying tmail after many years of mutt. In mutt I had

  bind index,pager \\Cn next-unread
  macro index S "<save-message>=archive<enter>"

The bind works in tmail, but the macro line gives "unknown command:
macro". Is there a way to do this yet, or should I wait for 1.0?

Thanks for tmail, it's lovely to have something mutt-like whose source
I can actually read.

In\u00eas
''', flags='RS')

# ---- Friday 13 November --------------------------------------------------

MEETUP_TEXT = '''\
Bonjour Sam,

You're invited to the next Terminal Tools Meetup in Lyon!

  Quand / When:    jeudi 26 novembre 2026, 18:30\u201321:30
  O\u00f9 / Where:      Salle Lumi\u00e8re, 12 rue de la Charit\u00e9, 69002 Lyon
  Entr\u00e9e / Entry:  gratuite, boissons 3 \u20ac (free, drinks 3 \u20ac)

Au programme / Programme:

  18:30  Accueil, caf\u00e9 et croissants (oui, le soir)
  19:00  \u00ab tmail : un client mail \u00e0 l'ancienne, en 2026 \u00bb \u2013 Sam Okafor
  19:40  Les s\u00e9quences d'\u00e9chappement, ou comment pirater un terminal
         avec un e-mail \u2013 Rustam Nazarov
  20:20  Lightning talks (5 min, inscription sur place)
  21:00  Ap\u00e9ro

Please RSVP so we know how many croissants to buy:
https://meetup-lyon.example.org/events/2026-11-26/rsvp

\u00c0 bient\u00f4t !
L'\u00e9quipe du meetup
'''

MEETUP_HTML = '''\
<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Terminal Tools Meetup, Lyon</title>
</head>
<body style="font-family: sans-serif; max-width: 36em; margin: auto;">
<p>Bonjour Sam,</p>
<h1 style="color: #458588;">You&rsquo;re invited to the next Terminal Tools Meetup in Lyon!</h1>
<table>
<tr><th align="left">Quand / When</th><td>jeudi 26 novembre 2026, 18:30\u201321:30</td></tr>
<tr><th align="left">O\u00f9 / Where</th><td>Salle Lumi\u00e8re, 12 rue de la Charit\u00e9, 69002 Lyon</td></tr>
<tr><th align="left">Entr\u00e9e / Entry</th><td>gratuite, boissons 3&nbsp;\u20ac (free, drinks 3&nbsp;\u20ac)</td></tr>
</table>
<h2>Au programme / Programme</h2>
<ul>
<li><b>18:30</b> Accueil, caf\u00e9 et croissants (oui, le soir)</li>
<li><b>19:00</b> \u00ab&nbsp;tmail&nbsp;: un client mail \u00e0 l&rsquo;ancienne, en 2026&nbsp;\u00bb \u2013 <i>Sam Okafor</i></li>
<li><b>19:40</b> Les s\u00e9quences d&rsquo;\u00e9chappement, ou comment pirater un terminal avec un e-mail \u2013 <i>Rustam Nazarov</i></li>
<li><b>20:20</b> Lightning talks (5 min, inscription sur place)</li>
<li><b>21:00</b> Ap\u00e9ro</li>
</ul>
<p><a href="https://meetup-lyon.example.org/events/2026-11-26/rsvp" style="background: #458588; color: #ffffff; padding: 0.5em 1em; text-decoration: none;">RSVP</a></p>
<p>\u00c0 bient\u00f4t&nbsp;!<br>L&rsquo;\u00e9quipe du meetup</p>
</body>
</html>
'''

M('meetup', (13, 10, 0, 0, '+0100'), 'meetup', [ME],
  "You're invited: Terminal Tools Meetup, Lyon (Thu 26 Nov)", MEETUP_TEXT,
  mime='alternative',
  extra=[('List-Unsubscribe', '<https://meetup-lyon.example.org/unsubscribe?m=8c41e2>')])

# ---- Saturday 14 November ------------------------------------------------

M('coffee', (14, 17, 40, 22, '+0100'), 'tomas', [ME],
  'Coffee next week?', '''\
Hey Sam,

Long time no see! I'll be in Toronto from 17 to 20 November for a
conference (yes, another Kubernetes one, don't laugh). Any chance of a
coffee? Wednesday or Thursday afternoon would work best for me.

I've been following tmail from afar, by the way. I tried it on our
build servers where I only have SSH, and it's the first mail client
in years that I didn't uninstall after ten minutes.

Abrazos,
Tom\u00e1s
''')

# ---- Monday 16 November --------------------------------------------------

ANN = '''\
Hi everyone,

We are happy to announce tmail 0.9.0, the last feature release before
1.0. tmail is a small, fast, mutt-like terminal mail client written in
C, for people who like their mail in plain text and their keybindings
in muscle memory.

This release took four months, 212 commits and 14 contributors, five
of them first-timers. Thank you all!


Download
========

  https://tmail.example.org/releases/tmail-0.9.0.tar.gz
  https://tmail.example.org/releases/tmail-0.9.0.tar.gz.asc

  SHA-256  6f3b1c0e9a4d27b85c1e0f9a3d6b2c48e7a1f05d9c3b8e2a4f6d0c7b1e9a3f52

The tarball is signed with the release key 0x5A3C9E1F7B2D4A60, which
is also published on the website and in KEYS in the repository.


Highlights
==========

* Threading. The index now threads messages using References and
  In-Reply-To, and falls back to subject matching for mailers that
  drop both. Threads can be collapsed with <Tab>; a collapsed thread
  shows how many messages it hides.

* MIME. multipart/alternative is handled properly (text/plain is
  preferred, text/html is shown through an optional filter), and
  attachments can be listed, viewed and saved with "v".

* Charsets. Bodies and headers in any charset iconv knows are
  converted to your locale, including RFC 2047 encoded subjects and
  names. Wide (CJK) and combining characters are measured with
  wcwidth(), so columns stay aligned.

* Safety. Control characters and terminal escape sequences in mail
  are never sent to the terminal; they are shown as visible ^[ and ^G
  notation. Thanks to Rustam Nazarov for the thorough test message.

* Demo mailbox. share/demo is a small Maildir with realistic mail
  (threads, attachments, encodings, one deliberately evil message).
  Try it with: tmail -f share/demo


Changes since 0.8.2
===================

Index
  - New threaded view (sort=threads), with sort_aux=date by default
  - Collapse and expand threads with <Tab> and <Esc>v (#118)
  - Thread tree drawn with line-drawing characters; ASCII fallback
    when the locale is not UTF-8 (#121)
  - Broken threads (missing parent) are shown with a "?" node instead
    of being silently reattached (#124)
  - New index_format expandos: %Z (flags), %X (attachment count)
  - Subject column truncation is now width-aware (#133)
  - The status line shows new, unread and flagged counts (#134)
  - Faster startup on large Maildirs: headers are cached (#129)

Pager
  - Control characters are shown as ^X, escape sequences as ^[[...
    (#140, reported by Rustam Nazarov)
  - Quoted text is coloured by depth (color quoted0 ... quoted3)
  - The signature ("-- ") is dimmed and can be hidden with 'S'
  - <Space> on the last page no longer scrolls into nothingness
    (#149, Olumide Adeyemi)
  - Search highlights all matches, not only the first one (#137)
  - Long lines are wrapped at word boundaries when possible
  - Tabs expand to the next multiple of 8 columns correctly when the
    line contains wide characters (#138)

MIME and charsets
  - Quoted-printable and base64 decoding rewritten, with tests taken
    from the examples in RFC 2045 and RFC 2047 (#112)
  - RFC 2231 parameter continuations (long attachment names) (#116)
  - RFC 2047 encoded words in From, To, Cc and Subject are decoded
  - Charset aliases: latin1, cp1252, utf8 and friends (#119)
  - Invalid UTF-8 is replaced with U+FFFD instead of truncating the
    line (#127)
  - text/html is passed to $html_filter (default: none) (#130)

Mailboxes
  - Maildir: flags are read from and written to file names (D, F, P,
    R, S, T), and new/ is moved to cur/ on open (#101)
  - Maildir: empty mailboxes no longer crash (#151, Olumide Adeyemi)
  - mbox: empty files and files containing only a newline no longer
    crash (#151)
  - mbox: ">From " lines in bodies are unescaped when displayed
  - The mailbox is re-scanned when it changes on disk (#106)

Configuration
  - tmailrc(5) man page, written before the parser, as promised
  - Config files must be UTF-8; other encodings give a clear error
    with a suggested iconv command line (#152)
  - "set", "unset", "toggle", "bind", "color" and "source" are
    supported; "macro" and hooks are planned for 1.0
  - tmail -n skips the system-wide config file

Build and portability
  - Builds warning-free with gcc 12 to 14 and clang 16 to 19
  - Tested on Linux (glibc and musl), FreeBSD 14 and macOS 15
  - ncursesw is now required (plain ncurses cannot do wide characters)
  - "make check" runs the unit tests; "make check-asan" runs them
    under AddressSanitizer and UBSan
  - No more dependency on libmagic (#125)

Bug fixes
  - Crash on a malformed Date: header (#150)
  - Crash when a multipart message has no closing boundary (#141)
  - Wrong year shown for messages dated 1 January in some time zones
    (#135)
  - The index cursor jumped to the top after deleting the last
    message (#131)
  - Memory leak when opening and closing the same folder repeatedly
    (#128)
  - Status bar flicker under tmux (#142, Marco Bellini)
  - The Cc: header was dropped when replying to a list message (#120)
  - Flagged messages lost their flag after a rename race (#117)


Known issues
============

  - #147: a subject that ends in a double-width character can be
    truncated one column too early in the index. Fixed on main, will
    be in 0.9.1.
  - #155: Maildir folder names that are not UTF-8 are shown with
    octal escapes. Needs design, see the list archive.
  - No IMAP yet. Use mbsync or offlineimap and point tmail at the
    resulting Maildir. Native IMAP is not planned before 1.0.


Upgrading
=========

Most 0.8 config files keep working. Things to check:

  1. If your tmailrc is not UTF-8, convert it:
       iconv -f latin1 -t utf-8 ~/.tmailrc > ~/.tmailrc.new
  2. "set sort=date-received" is now spelled "set sort=received".
  3. The header cache is new; tmail creates ~/.cache/tmail on first
     start. It is safe to delete at any time.

Run "tmail --version" to make sure you got the new binary, and
"tmail -f share/demo" to see the new features in action.


Contributors
============

Thanks to everyone who sent patches, reviews, bug reports and test
mail for this release:

  Olumide Adeyemi, Marco Bellini, L\u00e9a Fontaine, Nadia Haddad,
  Kai Hoffmann, Wen Li, Ruth Mbeki, J\u00fcrgen M\u00fcller,
  Rustam Nazarov, Sam Okafor, Priya Raman, Pablo Serrano,
  \u7530\u4e2d \u7531\u7d00 (Yuki Tanaka), Anna Virtanen

Special thanks to the mutt developers, whose manual we keep open in
another terminal at all times.


What's next
===========

1.0 is planned for early 2027. The main items are macros, hooks,
--check-config, a stable config grammar, and translated docs (French
is under way; volunteers for other languages are very welcome).

Please report bugs on the tracker or on this list. And if you use
tmail every day, tell us what annoys you most: that is the best input
for 1.0.

Happy reading,
Priya, for the tmail maintainers
'''

M('ann', (16, 12, 0, 0, '+0530'), 'priya', [ANNOUNCE_ADDR],
  '[ANN] tmail 0.9.0 released', ANN, cc=LIST)

M('triage47', (16, 18, 45, 30, '+0530'), 'priya', LIST,
  '[tmail-dev] Weekly triage notes (week 47)', '''\
Hi all,

Short one this week, since most of the call was release prep.
Attendees: Sam, Marco, Olumide, L\u00e9a, me.

New issues: 6   Closed: 9   Open total: 58

Decisions
- 0.9.0 is out (see the announcement). Thanks, everyone!
- #147 "Index column widths wrong with emoji": the fix is merged on
  main and will ship in 0.9.1, together with #153 (--check-config).
- #156 "Show attachment sizes in the attachment menu": good first
  issue, tagged.
- #157 "Escape sequences in Subject: headers": Rustam found that we
  sanitise bodies but not the index. Security relevant; Sam is on it.
- L\u00e9a proposes po4a for the doc translations; no objections.

Next call: Monday 23 November, 16:00 UTC. Sam will be travelling the
week after, so Marco chairs on 30 November.

Priya
''', flags='')

# ---- Tuesday 17 November -------------------------------------------------

M('ann.yuki', (17, 9, 20, 41, '+0900'), 'yuki', [ANNOUNCE_ADDR],
  'Re: [ANN] tmail 0.9.0 released', [
      q('1.0 is planned'),
      '''\
\u304a\u3081\u3067\u3068\u3046\u3054\u3056\u3044\u307e\u3059\uff01 Congratulations on the release.

I would be happy to translate the docs into Japanese. I already
translated tmailrc(5) for myself while reading it, so that part is
mostly done. Is there a preferred workflow (po4a? plain copies of the
man pages?), and who should I talk to?

Yuki''',
  ], parent='ann', cc=LIST)

M('ann.priya', (17, 10, 5, 12, '+0530'), 'priya', [ANNOUNCE_ADDR],
  'Re: [ANN] tmail 0.9.0 released', [
      q('I would be happy'),
      '''\
Yes please, that would be wonderful! L\u00e9a is setting up po4a for the
French translation right now (see this week's triage notes), so the
workflow will be the same for every language. L\u00e9a, could you loop
Yuki in once the first .po files are in the repository?

\u3042\u308a\u304c\u3068\u3046, Yuki!''',
  ], parent='ann.yuki', cc=LIST)

M('debian', (17, 14, 10, 37, '+0100'), 'gabriel', LIST,
  '[tmail-dev] Packaging tmail for Debian', '''\
Hello tmail folks,

I'm a Debian Developer and would like to package tmail now that 0.9.0
is out (ITP filed). A few questions before I upload:

1. The tarball contains share/demo, a sample Maildir. May I ship it
   in /usr/share/doc/tmail/examples? It is handy for a quick try.
2. Is contrib/ under the same license as the main code?
3. The test suite wants a UTF-8 locale; is C.UTF-8 enough?
4. Do you sign release tarballs with a stable key? I'd like to add a
   watch file with signature checking.

Thanks for the clean build system, it was a pleasure to package
compared to some.

Gabriel
''', flags='RS')

# ---- Wednesday 18 November -----------------------------------------------

M('train', (18, 7, 12, 0, '+0100'), 'rail', [ME],
  'Your booking confirmation: Paris - Lyon, 25 November (ref. QX7K2M)', '''\
Bonjour Sam Okafor,

Thank you for your booking. Your e-ticket is available in your
account and in the app.

  Reference:   QX7K2M
  Passenger:   Sam Okafor (adult, no discount card)

  Outbound \u2014 Wednesday 25 November 2026
    08:57  Paris Gare de Lyon
    10:53  Lyon Part-Dieu
    Train 6611 \u00b7 Coach 14 \u00b7 Seat 83 (window, upper deck)

  Return \u2014 Friday 27 November 2026
    17:04  Lyon Part-Dieu
    19:00  Paris Gare de Lyon
    Train 6628 \u00b7 Coach 7 \u00b7 Seat 25 (aisle)

  Total paid:  118,00 \u20ac

Changes and refunds are free until 3 days before departure.

Bon voyage !
''')

M('weekly', (18, 15, 0, 0, '-0330'), 'weekly', [ME],
  'Terminal Weekly #213: escape sequences, sixel, and a new mail client', '''\
TERMINAL WEEKLY \u2014 Issue #213 \u2014 18 November 2026
Your weekly dose of command-line news, tools and tips.

=== TOP STORIES ===

1. Sixel is back, and this time it's everywhere
   Three more terminals gained sixel and kitty graphics support this
   month. We look at what actually works over SSH.
   https://terminal-weekly.example.com/213/sixel

2. "Never cat an e-mail": a history of escape sequence attacks
   From xterm's title reporting bug in 2003 to this year's OSC 8
   phishing demos. Includes a test message you can send yourself.
   https://terminal-weekly.example.com/213/escapes

3. tmail 0.9.0: mutt-like mail, written for the 2020s
   A small C mail client with threading, MIME and a refreshing
   paranoia about control characters.
   https://terminal-weekly.example.com/213/tmail

=== TOOL OF THE WEEK ===

  watchexec-lite \u2014 rerun a command when files change, in 400 lines
  of C. https://terminal-weekly.example.com/213/tool

=== TIP ===

  In most terminals, Ctrl-S freezes output and Ctrl-Q resumes it. If
  your terminal "hangs" after a typo, try Ctrl-Q before you kill it.

You are receiving this because you subscribed at
terminal-weekly.example.com. Unsubscribe:
https://terminal-weekly.example.com/unsubscribe?u=5f2a9c
''', flags='',
  extra=[('List-Id', 'Terminal Weekly <weekly.terminal-weekly.example.com>'),
         ('List-Unsubscribe', '<https://terminal-weekly.example.com/unsubscribe?u=5f2a9c>'),
         ('Precedence', 'bulk')])

# ---- Thursday 19 November ------------------------------------------------

M('docs', (19, 10, 15, 48, '+0100'), 'marco', LIST,
  '[tmail-dev] Docs: tmailrc(5) man page is live', '''\
Hi all,

Priya's tmailrc(5) is now rendered on the website:

  https://tmail.example.org/man/tmailrc.5.html

It documents the config grammar we agreed on in the RFC thread
(muttrc-style, small, UTF-8 only), and every example in it is
extracted and run by "make check", as Sam suggested. If you find an
example that doesn't work, that's a failing test: please report it.

L\u00e9a's French translation will follow once the English text settles.

Marco
''')

# ---- Saturday 21 November - Monday 23 November (unread, in new/) ---------

M('bookclub2', (21, 9, 30, 16, '-0500'), 'hannah', [ME, 'dana', 'kofi'],
  'Book club: venue change for 3 December', '''\
Hi all,

The results are in: "Piranesi" won with 5 votes (sorry Sam, "The Soul
of a New Machine" got 2, and one of them was yours).

Also, my kitchen is being redone, so we're meeting at Dana's instead:
same time, 19:00 on Thursday 3 December. Dana says she'll make her
famous lentil soup.

Hannah
''', flags=None)

M('ci430', (22, 3, 0, 9, '+0000'), 'ci', [ME],
  '[tmail-ci] Nightly build #430 passed: main (e41b0d2)', '''\
Nightly build #430 for tmail passed.

  Branch:    main
  Commit:    e41b0d2 "index: sanitise control characters in headers (#157)"
  Author:    Sam Okafor
  Duration:  9m 12s

  Job                      Result   Time
  -----------------------  -------  ------
  build (gcc 14, -O2)      ok       0m54s
  build (clang 19, -O2)    ok       0m50s
  test (unit)              ok       1m16s
  test (asan+ubsan)        ok       2m15s
  fuzz (mime, 5 min)       ok       5m00s
  lint (cppcheck)          ok       0m32s

Full log: https://ci.tmail.example.org/builds/430

-- 
You are receiving this because you are a maintainer of tmail.
''', flags=None, extra=[('Auto-Submitted', 'auto-generated'), ('X-CI-Build', '430')])

M('xmas', (22, 18, 20, 33, '+0000'), 'mum', [ME],
  'Christmas plans', '''\
Hello love,

Your sister wants to know, so I am asking for her: are you coming
home for Christmas this year? If so, for how long? She wants to plan
the sleeping arrangements and I want to plan the jollof.

Your father says that if you bring "the laptop" again, you must
promise to close it during dinner.

Love,
Mum
''', flags=None)

M('roadmap', (23, 8, 5, 44, '+0100'), 'juergen', LIST,
  '[tmail-dev] Proposal: 1.0 roadmap draft', '''\
Hallo zusammen,

as promised in the triage call, here is a first draft of the 1.0
roadmap, ordered by how much I think users would miss each item:

  1. macros and hooks (folder-hook, send-hook, reply-hook)
  2. --check-config (#153)
  3. folder names in legacy charsets (#155), at least read-only
  4. sanitising headers in the index, not only bodies (#157)
  5. translated docs (French, Japanese; po4a)
  6. a stable, documented config grammar with a version number

Things I would explicitly *not* do for 1.0: IMAP, a built-in editor,
HTML rendering. They can all come later without breaking anything.

Comments welcome, especially on the order. I'll put it on the agenda
for today's call.

Gr\u00fc\u00dfe aus K\u00f6ln,
J\u00fcrgen
''', flags=None)

# --------------------------------------------------------------------------
# Building the messages
# --------------------------------------------------------------------------

BY_KEY = {m['key']: m for m in MSGS}
assert len(BY_KEY) == len(MSGS), 'duplicate message key'


def msgid_for(m):
    p = P[m['sender']]
    k = m['key']
    u = m['date'].astimezone(datetime.timezone.utc)
    stamp = u.strftime('%Y%m%d%H%M%S')
    style = p.msgid
    if style == 'mutt':
        return '<%s.GA%d@%s>' % (stamp, 1000 + int(h(k, 4), 16) % 30000, p.domain)
    if style == 'uuid':
        x = h(k, 32)
        return '<%s-%s-%s-%s-%s@%s>' % (x[:8], x[8:12], x[12:16], x[16:20], x[20:], p.domain)
    if style == 'webmail':
        return '<%s@%s>' % (h(k, 32), p.domain)
    if style == 'gnus':
        return '<87%s.fsf@%s>' % (h(k, 10), p.domain)
    if style == 'gmail':
        b = base64.b64encode(hashlib.sha256(k.encode()).digest()[:30]).decode()
        return '<CA%s@mail.%s>' % (b.replace('/', 'x'), p.domain)
    if style == 'sylpheed':
        return '<%s.%s.yuki@%s>' % (stamp, h(k, 8).upper(), p.domain)
    if style == 'service':
        return '<%s.%s@%s>' % (stamp, h(k, 12), p.domain)
    raise ValueError(style)


for m in MSGS:
    m['msgid'] = msgid_for(m)
assert len({m['msgid'] for m in MSGS}) == len(MSGS), 'duplicate Message-ID'


def attribution_line(author, parent):
    """The 'X wrote:' line, in the style of the replying person's client."""
    p = P[parent['sender']]
    d = parent['date']
    style = P[author].attrib
    if style == 'mutt':
        return '* %s <%s> [%04d-%02d-%02d %02d:%02d %s]:' % (
            p.name, p.addr, d.year, d.month, d.day, d.hour, d.minute, tzstr(d))
    if style == 'tb':
        return 'On %02d/%02d/%04d %02d:%02d, %s wrote:' % (
            d.day, d.month, d.year, d.hour, d.minute, p.name)
    if style == 'gnus':
        return '%s <%s> writes:' % (p.name, p.addr)
    if style == 'gmail':
        h12 = d.hour % 12 or 12
        return 'On %s, %s %d, %d at %d:%02d %s %s <%s> wrote:' % (
            DAYS[d.weekday()], MONTHS[d.month - 1], d.day, d.year, h12, d.minute,
            'AM' if d.hour < 12 else 'PM', p.name, p.addr)
    return 'On %s, %d %s %d at %02d:%02d %s, %s wrote:' % (
        DAYS[d.weekday()], d.day, MONTHS[d.month - 1], d.year, d.hour, d.minute,
        tzstr(d), p.name)


def own_paragraphs(text):
    own = text.split('\n-- \n')[0]
    return [p.strip('\n') for p in own.split('\n\n') if p.strip('\n')]


def render_text(m):
    """The body text (unicode) of a text message, signature included."""
    body = m['body']
    if isinstance(body, str):
        text = body.rstrip('\n')
    else:
        parent = BY_KEY[m['parent']]
        paras = own_paragraphs(parent['text'])
        chunks, attributed = [], False
        for c in body:
            if isinstance(c, q):
                hits = [p for p in paras if c.needle in p]
                assert hits, (m['key'], c.needle)
                lines = hits[0].split('\n')
                if c.n is not None:
                    i = next(i for i, l in enumerate(lines) if c.needle in l)
                    lines = lines[i:i + c.n]
                quoted = '\n'.join('> ' + l if l else '>' for l in lines)
                if not attributed:
                    quoted = attribution_line(m['sender'], parent) + '\n' + quoted
                    attributed = True
                # consecutive quotes belong to one block
                if chunks and chunks[-1][0] == 'q':
                    chunks[-1] = ('q', chunks[-1][1] + '\n>\n' + quoted)
                else:
                    chunks.append(('q', quoted))
            else:
                chunks.append(('t', c.strip('\n')))
        text = '\n\n'.join(c[1] for c in chunks)
    sig = P[m['sender']].sig
    if sig and '\n-- \n' not in text:
        text += '\n\n-- \n' + sig
    return text + '\n'


for m in MSGS:
    m['text'] = render_text(m)

# ---- thread structure (used for References and for the expected file) ----


def base_subject(s):
    while s.lower().startswith('re: '):
        s = s[4:]
    return s


for m in MSGS:
    m['children'] = []
for m in MSGS:
    par = m['parent'] if m['refs'] != 'none' else m['subject_parent']
    if m['refs'] == 'none' and m['parent']:
        raise ValueError('refs=none with a parent: %s' % m['key'])
    if par:
        BY_KEY[par]['children'].append(m)
        m['tparent'] = BY_KEY[par]
    else:
        m['tparent'] = None
    if m['subject_parent']:
        sp = BY_KEY[m['subject_parent']]
        assert base_subject(m['subject']) == sp['subject'] and m['subject'].startswith('Re: ')


def utc(m):
    return m['date'].astimezone(datetime.timezone.utc)


def thread_order():
    """[(depth, msg)] in display order: threads by root date, children by date."""
    out = []

    def walk(m, depth):
        out.append((depth, m))
        for c in sorted(m['children'], key=utc):
            walk(c, depth + 1)
    for r in sorted((m for m in MSGS if m['tparent'] is None), key=utc):
        walk(r, 0)
    return out


ORDER = thread_order()
ROOT_SUBJECTS = [base_subject(m['subject']) for m in MSGS if m['tparent'] is None]
assert len(set(ROOT_SUBJECTS)) == len(ROOT_SUBJECTS), 'two roots share a base subject'
for m in MSGS:
    if m['tparent'] is not None:
        assert utc(m) > utc(m['tparent']), 'reply older than its parent: ' + m['key']
assert len({utc(m) for m in MSGS}) == len(MSGS), 'two messages with the same date'

# ---- headers --------------------------------------------------------------

RELAY_IPS = ['192.0.2.%d', '198.51.100.%d', '203.0.113.%d']


def received(m, from_list):
    p = P[m['sender']]
    k = m['key']
    host = 'lists.example.org' if from_list else 'mail.' + p.domain
    ip = RELAY_IPS[int(h('ip' + host, 2), 16) % 3] % (10 + int(h(host, 2), 16) % 240)
    arrival = utc(m) + datetime.timedelta(seconds=3 + int(h('d' + k, 2), 16) % 40)
    qid = base64.b32encode(hashlib.sha256(('q' + k).encode()).digest()).decode()[:14]
    return ('Received', 'from %s (%s [%s])\n\tby mx.example.net (Postfix) with ESMTPS id %s'
            '\n\tfor <%s>; %s (UTC)' % (host, host, ip, qid, P[ME].addr,
                                        rfc5322_date(arrival)))


def references(m):
    """In-Reply-To / References as a conforming client would build them
    (RFC 5322 section 3.6.4)."""
    parent = BY_KEY[m['parent']]
    if parent.get('references'):
        refs = parent['references'] + [parent['msgid']]
    elif parent.get('in_reply_to'):
        refs = [parent['in_reply_to'], parent['msgid']]
    else:
        refs = [parent['msgid']]
    return refs


def build_headers(m):
    p = P[m['sender']]
    from_list = LIST_ADDR in m['to'] + m['cc'] or ANNOUNCE_ADDR in m['to']
    lid = 'tmail-announce' if ANNOUNCE_ADDR in m['to'] else 'tmail-dev'
    envelope = lid + '-bounces@lists.example.org' if from_list else p.addr
    hs = [('Return-Path', '<%s>' % envelope),
          ('Delivered-To', P[ME].addr),
          received(m, from_list),
          ('Date', rfc5322_date(m['date'])),
          ('From', fmt_addr(p) if m['charset'] == 'utf-8' or is_ascii(p.name) else
           '%s <%s>' % (' '.join(encode_words(p.name, m['charset'], 'Q')), p.addr)),
          ('To', fmt_addrs(m['to']))]
    if m['cc']:
        hs.append(('Cc', fmt_addrs(m['cc'])))
    hs.append(('Subject', encode_subject(m['subject'], m['subj'])))
    hs.append(('Message-ID', m['msgid']))
    m['in_reply_to'] = None
    m['references'] = None
    if m['parent'] and m['refs'] != 'none':
        refs = references(m)
        m['in_reply_to'] = BY_KEY[m['parent']]['msgid']
        hs.append(('In-Reply-To', m['in_reply_to']))
        if m['refs'] == 'full':
            m['references'] = refs
            hs.append(('References', ' '.join(refs)))
    if from_list:
        hs += [('List-Id', 'tmail %s <%s.lists.example.org>' % (
                    'announcements' if lid == 'tmail-announce' else 'development', lid)),
               ('List-Post', '<mailto:%s@lists.example.org>' % lid),
               ('List-Archive', '<https://lists.example.org/archive/%s/>' % lid),
               ('List-Unsubscribe', '<mailto:%s-request@lists.example.org?subject=unsubscribe>'
                % lid),
               ('Precedence', 'list')]
    hs += m['extra']
    if p.ua:
        hs.append(p.ua)
    hs.append(('MIME-Version', '1.0'))
    return hs


def boundary(m, n=1):
    return '=_tmail_demo_%s_%d' % (h('b' + m['key'], 12), n)


def multipart(subtype, bnd, parts):
    out = b'This is a multi-part message in MIME format.\n'
    for hdrs, body in parts:
        out += b'\n--' + bnd.encode() + b'\n'
        out += ''.join(fold(k, v) + '\n' for k, v in hdrs).encode('ascii')
        out += b'\n' + body
        if not body.endswith(b'\n'):
            out += b'\n'
    out += b'\n--' + bnd.encode() + b'--\n'
    return ('Content-Type', 'multipart/%s; boundary="%s"' % (subtype, bnd)), out


def text_part(text, charset, cte, subtype='plain', extra_params=''):
    params, cte, body = encode_text(text, charset, cte)
    return ([('Content-Type', 'text/%s; %s%s' % (subtype, params, extra_params)),
             ('Content-Transfer-Encoding', cte)], body)


def build_body(m):
    p = P[m['sender']]
    cte = m['cte'] or p.cte
    mime = m['mime']
    if mime is None:
        return text_part(m['text'], m['charset'], cte)
    if mime == 'alternative':
        plain = text_part(m['text'], 'utf-8', 'quoted-printable')
        html = text_part(MEETUP_HTML, 'utf-8', 'quoted-printable', subtype='html')
        ct, body = multipart('alternative', boundary(m), [plain, html])
        return [ct], body
    if mime == 'patch':
        text = text_part(m['text'], m['charset'], cte)
        att = ([('Content-Type', 'text/x-patch; charset=us-ascii; name="%s"' % PATCH_NAME),
                ('Content-Disposition', 'attachment; filename="%s"' % PATCH_NAME),
                ('Content-Transfer-Encoding', '7bit')], PATCH.encode('ascii'))
        ct, body = multipart('mixed', boundary(m), [text, att])
        return [ct], body
    if mime == 'png':
        text = text_part(m['text'], m['charset'], cte)
        rows = []
        for depth, x in ORDER:
            if utc(x) >= utc(m):
                continue    # the screenshot was taken before this message was sent
            flags = x['flags']
            marker = '!' if flags and 'F' in flags else ('' if flags and 'S' in flags else 'N')
            d = x['date']
            rows.append((marker, '%s %02d' % (MONTHS[d.month - 1], d.day),
                         P[x['sender']].name,
                         depth, x['subject'] if depth == 0 else ''))
        png = make_png(rows)
        att = ([('Content-Type', 'image/png; name="thread-view.png"'),
                ('Content-Disposition', 'attachment; filename="thread-view.png"'),
                ('Content-Transfer-Encoding', 'base64')], base64.encodebytes(png))
        ct, body = multipart('mixed', boundary(m), [text, att])
        return [ct], body
    raise ValueError(mime)


def build_message(m):
    hs = build_headers(m)
    ct, body = build_body(m)
    hs += ct
    lines = []
    for k, v in hs:
        if '\n' in v:
            lines.append('%s: %s' % (k, v))    # already folded (Received)
        else:
            lines.append(fold(k, v))
    head = '\n'.join(lines) + '\n\n'
    data = head.encode('ascii') + body
    assert data.endswith(b'\n') and b'\r' not in data, m['key']
    assert all(len(l) <= 998 for l in data.split(b'\n')), m['key']
    return data


# --------------------------------------------------------------------------
# Writing the Maildir and the expected thread tree
# --------------------------------------------------------------------------

def filename(m, n):
    ts = int(m['date'].timestamp())
    base = '%d.M%dP100Q%d.demo' % (ts, n, n)
    if m['flags'] is None:
        return 'new', base
    assert m['flags'] == ''.join(sorted(m['flags']))
    return 'cur', base + ':2,' + m['flags']


THREADS_HEADER = '''\
# Expected thread tree of the demo Maildir (share/demo).
# Generated by contrib/make-demo-maildir.py -- do not edit; re-run the script.
#
# Format: one line per message, in display order.  Each line is the
# message's Subject, RFC 2047 decoded and unfolded, as UTF-8 text, preceded
# by two spaces per thread depth (0 = thread root, 1 = reply to the root...).
# Lines starting with '#' are comments.
#
# Threading: a message's parent is the last entry of References, or else
# In-Reply-To.  A "Re:" message with neither header whose subject, with the
# "Re: " prefix removed, equals a thread root's subject becomes a child of
# that root (JWZ subject grouping).
# Order: threads by the date of their root, ascending; the children of a
# message by date, ascending (mutt: sort=threads, sort_aux=date).  Dates are
# compared as instants (UTC), not as local wall-clock times.
'''


def main(argv):
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    maildir = argv[1] if len(argv) > 1 else os.path.join(repo, 'share', 'demo')
    threads_file = argv[2] if len(argv) > 2 else os.path.join(
        repo, 'tests', 'data', 'demo-expected-threads.txt')

    os.makedirs(maildir, exist_ok=True)
    for sub in ('cur', 'new', 'tmp'):
        path = os.path.join(maildir, sub)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)
        os.mkdir(path)
    with open(os.path.join(maildir, 'tmp', '.gitkeep'), 'wb'):
        pass

    chrono = sorted(MSGS, key=utc)
    names = {}
    for n, m in enumerate(chrono, 1):
        data = build_message(m)
        sub, name = filename(m, n)
        names[m['key']] = os.path.join(sub, name)
        with open(os.path.join(maildir, sub, name), 'wb') as f:
            f.write(data)

    os.makedirs(os.path.dirname(threads_file), exist_ok=True)
    with open(threads_file, 'w', encoding='utf-8', newline='\n') as f:
        f.write(THREADS_HEADER)
        f.write('# %d messages in %d threads (%d of them single messages).\n' % (
            len(MSGS), sum(1 for d, _ in ORDER if d == 0),
            sum(1 for d, m in ORDER if d == 0 and not m['children'])))
        for depth, m in ORDER:
            f.write('  ' * depth + m['subject'] + '\n')

    # ---- summary ----
    def count(pred):
        return sum(1 for m in MSGS if pred(m))
    print('Wrote %d messages to %s' % (len(MSGS), maildir))
    print('  cur/: %d (seen %d, replied %d, passed %d, flagged %d, unread %d)' % (
        count(lambda m: m['flags'] is not None),
        count(lambda m: m['flags'] and 'S' in m['flags']),
        count(lambda m: m['flags'] and 'R' in m['flags']),
        count(lambda m: m['flags'] and 'P' in m['flags']),
        count(lambda m: m['flags'] and 'F' in m['flags']),
        count(lambda m: m['flags'] == '')))
    print('  new/: %d (unread)' % count(lambda m: m['flags'] is None))
    print('Expected thread tree written to %s' % threads_file)
    roots = [m for d, m in ORDER if d == 0]
    multi = [r for r in roots if r['children']]
    print('Threads: %d, of which %d with replies:' % (len(roots), len(multi)))

    def size(m):
        return 1 + sum(size(c) for c in m['children'])

    def depth(m):
        return max([depth(c) + 1 for c in m['children']] or [0])

    for r in multi:
        notes = []
        if any(x['refs'] == 'irt' and _in_thread(x, r) for x in MSGS):
            notes.append('In-Reply-To only')
        if max(len(x['children']) for x in MSGS if _in_thread(x, r)) > 1:
            notes.append('branching')
        if any(x['subject_parent'] == r['key'] for x in MSGS):
            notes.append('subject fallback')
        print('  %2d messages, depth %d: %s%s' % (
            size(r), depth(r), r['subject'], ' [%s]' % ', '.join(notes) if notes else ''))
    print('  %d single messages' % (len(roots) - len(multi)))
    return 0


def _in_thread(x, root):
    while x is not None:
        if x is root:
            return True
        x = x['tparent']
    return False


if __name__ == '__main__':
    sys.exit(main(sys.argv))
