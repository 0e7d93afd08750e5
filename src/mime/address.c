/* address.c - address-list header values: mailboxes, groups, obsolete routes and the junk real
 * mail carries, parsed for the index and formatted for display. (RFC 5322 3.4 and 4.4) */
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/array.h"

enum tok_kind { TOK_END, TOK_ATOM, TOK_QUOTED, TOK_LITERAL, TOK_SPECIAL };

struct addr_token {
    enum tok_kind kind;
    const char *s; /* TOK_QUOTED: the content between the quotes, escapes still in */
    size_t len;
    bool space_before; /* blanks or a comment preceded it */
};

/* The display name or the addr-spec of the entry being read. Its words are appended as they
 * come, but lazily: while the text is one stretch of the value, as "John Doe" and
 * "john@example.com" usually are, only the stretch is noted. The first word that breaks it
 * copies the stretch into buf, and the text goes on there. */
struct entry_text {
    const char *s, *e; /* the stretch (s == NULL: empty), until copied */
    bool copied;       /* the text is buf's */
    struct tm_buf buf; /* owned by the parser, reused from entry to entry */
};

/* A name or addr-spec ready for the sink: borrowed from the value or from the parser's buffers,
 * valid until the next entry is read. s == NULL: absent. */
struct addr_text {
    const char *s;
    size_t len;
};

/* Where the entries of a value go: a list of malloc'd items, the first mailbox only, or the
 * display string, formatted as each entry is read. */
enum addr_sink_kind { SINK_LIST, SINK_FIRST, SINK_DISPLAY };

struct addr_sink {
    enum addr_sink_kind kind;
    size_t count;                /* entries so far, of every kind (MIME_ADDR_MAX) */
    struct mime_addr_list *list; /* SINK_LIST */
    char **name, **addr;         /* SINK_FIRST: set once, from the first mailbox */
    bool found;                  /* SINK_FIRST */
    struct tm_buf *out;          /* SINK_DISPLAY */
    bool first_in_group;         /* SINK_DISPLAY: the next mailbox opens the list or a group */
};

struct addr_parser {
    const char *p;
    const char *fallback; /* charset for raw 8-bit display names (NULL: the default) */
    struct entry_text display, spec;
    struct tm_buf comment; /* the first comment of the current mailbox, unescaped */
    struct tm_buf decoded; /* a name that decoding changed */
    struct tm_buf clean;   /* an addr-spec whose invalid UTF-8 was replaced */
    bool have_comment;
    bool in_group;
    struct addr_sink *sink;
    enum tm_status st;
};

static const struct addr_text no_text = {NULL, 0};

/* Byte classes, one table look-up per byte of every address: blanks (isspace in the C locale),
 * the end, and the characters that end an atom, each its own bit so that a separator test is
 * one mask. '.' is not among them: dots belong to atoms here, which covers dot-atoms and the
 * obsolete "John Q. Public" phrase alike. */
enum {
    CH_BLANK = 1 << 0,
    CH_END = 1 << 1,
    CH_LPAREN = 1 << 2,
    CH_RPAREN = 1 << 3,
    CH_LT = 1 << 4,
    CH_GT = 1 << 5,
    CH_AT = 1 << 6,
    CH_COMMA = 1 << 7,
    CH_SEMI = 1 << 8,
    CH_COLON = 1 << 9,
    CH_BACKSLASH = 1 << 10,
    CH_DQUOTE = 1 << 11,
    CH_LBRACKET = 1 << 12,
    CH_RBRACKET = 1 << 13,
    CH_SPECIAL = (1 << 14) - CH_LPAREN,
};

static const unsigned short char_class[256] = {
    ['\0'] = CH_END,   [' '] = CH_BLANK,    ['\t'] = CH_BLANK,   ['\n'] = CH_BLANK,
    ['\v'] = CH_BLANK, ['\f'] = CH_BLANK,   ['\r'] = CH_BLANK,   ['('] = CH_LPAREN,
    [')'] = CH_RPAREN, ['<'] = CH_LT,       ['>'] = CH_GT,       ['@'] = CH_AT,
    [','] = CH_COMMA,  [';'] = CH_SEMI,     [':'] = CH_COLON,    ['\\'] = CH_BACKSLASH,
    ['"'] = CH_DQUOTE, ['['] = CH_LBRACKET, [']'] = CH_RBRACKET,
};

static unsigned char_bits(char c)
{
    return char_class[(unsigned char)c];
}

/* Skips a comment at p ('(' included); the outermost one's text is kept for a bare address
 * that has no display name ("user@host (Name)"). Unterminated comments end with the value.
 * Rare, so kept out of next_token. */
__attribute__((noinline)) static const char *skip_comment(struct addr_parser *ap, const char *p)
{
    bool keep = !ap->have_comment;
    int depth = 0;
    for (; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (*p == '(' && depth++ == 0)
            continue;
        else if (*p == ')' && --depth == 0)
            break;
        if (keep && ap->st == TM_OK)
            ap->st = tm_buf_append_char(&ap->comment, *p);
    }
    ap->have_comment = ap->have_comment || keep;
    return *p ? p + 1 : p;
}

/* The end of a quoted string or domain literal whose content starts at p, and the content's
 * length: stops at close or at the end of the value (a missing close is tolerated). */
static const char *scan_delimited(const char *p, char close, size_t *len)
{
    const char *s = p;
    while (*p && *p != close) {
        if (*p == '\\' && p[1])
            p++;
        p++;
    }
    *len = (size_t)(p - s);
    return *p ? p + 1 : p;
}

/* Inlined into each of its loops: the token then lives in registers, which cut a tenth of the
 * parse. */
__attribute__((always_inline)) static inline void next_token(struct addr_parser *ap,
                                                             struct addr_token *t)
{
    const char *p = ap->p;
    unsigned c = char_bits(*p);
    t->space_before = false;
    while (c & (CH_BLANK | CH_LPAREN)) {
        p = c & CH_LPAREN ? skip_comment(ap, p) : p + 1;
        c = char_bits(*p);
        t->space_before = true;
    }
    t->s = p;
    t->len = 1;
    if (!(c & (CH_END | CH_SPECIAL))) {
        t->kind = TOK_ATOM;
        while (!(char_bits(*++p) & (CH_BLANK | CH_END | CH_SPECIAL)))
            ;
        t->len = (size_t)(p - t->s);
    } else if (c & CH_END) {
        t->kind = TOK_END;
        t->len = 0;
    } else if (c & (CH_DQUOTE | CH_LBRACKET)) {
        t->kind = *p == '"' ? TOK_QUOTED : TOK_LITERAL;
        t->s = p + (*p == '"');
        p = scan_delimited(p + 1, *p == '"' ? '"' : ']', &t->len);
        t->len += t->kind == TOK_LITERAL; /* a literal keeps its '[' */
    } else {
        t->kind = TOK_SPECIAL;
        p++;
    }
    ap->p = p;
}

/* The special t is one of the characters in set (CH_ bits). */
static bool is_special_in(const struct addr_token *t, unsigned set)
{
    return t->kind == TOK_SPECIAL && (char_bits(t->s[0]) & set);
}

static bool is_sep(const struct addr_token *t, unsigned set)
{
    return t->kind == TOK_END || is_special_in(t, set);
}

/* ---- the entry's text ---- */

static void text_clear(struct entry_text *x)
{
    x->s = x->e = NULL;
    x->copied = false;
}

static struct addr_text text_view(const struct entry_text *x)
{
    if (x->copied)
        return (struct addr_text){x->buf.data, x->buf.len};
    return (struct addr_text){x->s, x->s ? (size_t)(x->e - x->s) : 0};
}

/* Whether t, gap bytes after the stretch (a blank when gap is 1), makes the stretch longer and
 * no more: not a quoted string, whose text is not the value's bytes; and no longer than buf may
 * grow, so that a text too long fails as appending it would. */
static bool text_extends(const struct entry_text *x, const struct addr_token *t, size_t gap)
{
    if (x->copied || t->kind == TOK_QUOTED)
        return false;
    if (!x->s)
        return t->len <= x->buf.limit;
    return t->s == x->e + gap && (gap == 0 || *x->e == ' ') &&
           (size_t)(t->s + t->len - x->s) <= x->buf.limit;
}

/* Copies the stretch into buf, where the next words are appended. */
static enum tm_status text_copy(struct entry_text *x)
{
    tm_buf_reset(&x->buf);
    x->copied = true;
    return x->s ? tm_buf_append(&x->buf, x->s, (size_t)(x->e - x->s)) : TM_OK;
}

/* A word appended to a display name: quoted strings lose their quotes and escapes. */
static enum tm_status append_display(struct tm_buf *b, const struct addr_token *t)
{
    enum tm_status st = TM_OK;
    if (b->len > 0 && t->space_before)
        st = tm_buf_append_char(b, ' ');
    if (t->kind != TOK_QUOTED)
        return st ? st : tm_buf_append(b, t->s, t->len);
    for (size_t i = 0; i < t->len && st == TM_OK;) {
        const char *bs = memchr(t->s + i, '\\', t->len - i);
        size_t run = bs ? (size_t)(bs - (t->s + i)) : t->len - i;
        st = tm_buf_append(b, t->s + i, run); /* the text up to the next escape */
        i += run;
        if (i == t->len || st)
            break;
        if (i + 1 < t->len)
            i++; /* the escaped character, kept; a final lone backslash is kept itself */
        st = tm_buf_append_char(b, t->s[i++]);
    }
    return st;
}

/* A token appended to an addr-spec: blanks and comments go (obs-local-part allows CFWS). */
static enum tm_status append_spec(struct tm_buf *b, const struct addr_token *t)
{
    if (t->kind != TOK_QUOTED)
        return tm_buf_append(b, t->s, t->len);
    enum tm_status st = tm_buf_append_char(b, '"');
    if (st == TM_OK)
        st = tm_buf_append(b, t->s, t->len);
    return st ? st : tm_buf_append_char(b, '"');
}

static void text_extend(struct entry_text *x, const struct addr_token *t)
{
    x->s = x->s ? x->s : t->s;
    x->e = t->s + t->len;
}

/* The first word of a display name has no space before it (its text is still empty). */
static enum tm_status display_word(struct entry_text *x, const struct addr_token *t)
{
    if (text_extends(x, t, x->s && t->space_before)) {
        text_extend(x, t);
        return TM_OK;
    }
    enum tm_status st = x->copied ? TM_OK : text_copy(x);
    return st ? st : append_display(&x->buf, t);
}

static enum tm_status spec_word(struct entry_text *x, const struct addr_token *t)
{
    if (text_extends(x, t, 0)) {
        text_extend(x, t);
        return TM_OK;
    }
    enum tm_status st = x->copied ? TM_OK : text_copy(x);
    return st ? st : append_spec(&x->buf, t);
}

/* A display name (or a comment standing in for one) decoded: encoded words and raw 8-bit text
 * to UTF-8, exactly as tm_mime_decode_header_text would; absent when empty. */
static struct addr_text decode_name(struct addr_parser *ap, struct addr_text raw)
{
    struct addr_text t = no_text;
    if (raw.len == 0 || ap->st)
        return t;
    ap->st = mime_decode_header_view(raw.s, raw.len, ap->fallback, &ap->decoded, &t.s, &t.len);
    return ap->st || t.len == 0 ? no_text : t;
}

/* The addr-spec made valid UTF-8 (RFC 6532): each invalid byte becomes U+FFFD; absent when
 * empty. */
static struct addr_text clean_spec(struct addr_parser *ap)
{
    struct addr_text t = text_view(&ap->spec);
    if (t.len == 0 || ap->st)
        return no_text;
    size_t ascii = mime_ascii_prefix(t.s, t.len);
    if (ascii == t.len || mime_utf8_valid(t.s + ascii, t.len - ascii))
        return t;
    tm_buf_reset(&ap->clean);
    if (mime_utf8_sanitize(&ap->clean, t.s, t.len) != TM_OK) {
        ap->st = TM_ENOMEM; /* as when the copy for the caller fails */
        return no_text;
    }
    return (struct addr_text){ap->clean.data, ap->clean.len};
}

/* ---- the sinks ---- */

/* A malloc'd copy of t, or NULL when absent; *st = TM_ENOMEM when the copy fails. */
static char *text_dup(struct addr_text t, enum tm_status *st)
{
    if (!t.s || *st)
        return NULL;
    char *s = malloc(t.len + 1);
    if (!s) {
        *st = TM_ENOMEM;
        return NULL;
    }
    memcpy(s, t.s, t.len);
    s[t.len] = 0;
    return s;
}

static enum tm_status list_add(struct mime_addr_list *list, enum mime_addr_kind kind,
                               struct addr_text name, struct addr_text addr)
{
    enum tm_status st = TM_OK;
    char *n = text_dup(name, &st), *a = text_dup(addr, &st);
    if (st || TM_ARRAY_RESERVE(list->items, list->count, list->cap, 4)) {
        free(n);
        free(a);
        return TM_ENOMEM;
    }
    list->items[list->count++] = (struct mime_addr){kind, n, a};
    return TM_OK;
}

static enum tm_status display_append(struct tm_buf *b, struct addr_text t)
{
    return t.s ? tm_buf_append(b, t.s, t.len) : TM_OK;
}

/* "name <addr>", "name" or "addr" for a mailbox; "name:" or ";" for a group's ends; separated by
 * ", ", or by " " after a group's "name:". */
static enum tm_status display_add(struct addr_sink *sk, enum mime_addr_kind kind,
                                  struct addr_text name, struct addr_text addr)
{
    struct tm_buf *b = sk->out;
    enum tm_status st = TM_OK;
    if (kind == MIME_ADDR_GROUP_END) {
        sk->first_in_group = false;
        return tm_buf_append_char(b, ';');
    }
    if (b->len > 0)
        st = sk->first_in_group ? tm_buf_append_char(b, ' ') : tm_buf_append(b, ", ", 2);
    sk->first_in_group = kind == MIME_ADDR_GROUP_START;
    if (st == TM_OK && kind == MIME_ADDR_GROUP_START) {
        st = display_append(b, name);
        return st ? st : tm_buf_append_char(b, ':');
    }
    if (st || !name.s || !addr.s)
        return st ? st : display_append(b, name.s ? name : addr);
    st = display_append(b, name);
    if (st == TM_OK)
        st = tm_buf_append(b, " <", 2);
    if (st == TM_OK)
        st = display_append(b, addr);
    return st ? st : tm_buf_append_char(b, '>');
}

/* Hands one entry to the sink (after an error, nothing). */
static void sink_add(struct addr_parser *ap, enum mime_addr_kind kind, struct addr_text name,
                     struct addr_text addr)
{
    struct addr_sink *sk = ap->sink;
    if (ap->st)
        return;
    sk->count++;
    if (sk->kind == SINK_LIST) {
        ap->st = list_add(sk->list, kind, name, addr);
    } else if (sk->kind == SINK_DISPLAY) {
        ap->st = display_add(sk, kind, name, addr);
    } else if (!sk->found && kind == MIME_ADDR_MAILBOX) {
        sk->found = true;
        *sk->name = text_dup(name, &ap->st);
        *sk->addr = text_dup(addr, &ap->st);
    }
}

/* ---- the grammar ---- */

/* Reads <...> after the display name into the spec: an obsolete route ("@a,@b:") is dropped,
 * anything after the '>' up to the next separator is junk. t receives that separator. */
static void parse_angle(struct addr_parser *ap, struct addr_token *t)
{
    const char *start = ap->p;
    next_token(ap, t);
    if (is_special_in(t, CH_AT)) {
        while (!is_sep(t, CH_COLON | CH_GT))
            next_token(ap, t);
        if (!is_special_in(t, CH_COLON))
            ap->p = start; /* no route after all: the '@' is part of the spec */
        next_token(ap, t);
    } /* else t is the spec's first token (read again, it would be the same) */
    for (; !is_sep(t, CH_GT) && ap->st == TM_OK; next_token(ap, t)) {
        if (!is_special_in(t, CH_COMMA | CH_SEMI | CH_COLON | CH_LT))
            ap->st = spec_word(&ap->spec, t);
    }
    while (!is_sep(t, CH_COMMA | CH_SEMI))
        next_token(ap, t);
}

/* Adds a mailbox; a bare address's comment stands in for its name. */
static void add_mailbox(struct addr_parser *ap, struct addr_text name, struct addr_text addr)
{
    if (!name.s && ap->have_comment)
        name = decode_name(ap, (struct addr_text){ap->comment.data, ap->comment.len});
    sink_add(ap, MIME_ADDR_MAILBOX, name, addr);
}

/* What the words before an entry's separator were like. */
struct entry_words {
    bool any, has_at, phrase_like;
    bool spec_noted; /* the spec is the stretch noted; else it must be spelled out again */
    size_t count, spec_len;
};

/* Reads the entry's words up to its separator (into t) as a display name, and notes them as an
 * addr-spec while they are one stretch of the value: which of the two the entry is shows only
 * at the separator, and a "Name Surname" before <addr> never needs its spec spelled out. */
static struct entry_words read_words(struct addr_parser *ap, struct addr_token *t)
{
    struct entry_words w = {false, false, false, true, 0, 0};
    for (next_token(ap, t); !is_sep(t, CH_LT | CH_COLON | CH_COMMA | CH_SEMI) && ap->st == TM_OK;
         next_token(ap, t)) {
        ap->st = display_word(&ap->display, t);
        w.spec_len += t->len + (t->kind == TOK_QUOTED ? 2 : 0);
        if (ap->st == TM_OK && w.spec_len > ap->spec.buf.limit)
            ap->st = TM_ELIMIT; /* as appending the spec would fail */
        w.spec_noted = w.spec_noted && text_extends(&ap->spec, t, 0);
        if (w.spec_noted)
            text_extend(&ap->spec, t);
        w.has_at = w.has_at || is_special_in(t, CH_AT);
        w.phrase_like = w.phrase_like || t->kind == TOK_QUOTED || (w.any && t->space_before);
        w.any = true;
        w.count++;
    }
    return w;
}

/* Spells out the addr-spec of the count words that start at from, reading them again (the same
 * tokens: a comment among them was kept the first time). */
static void spell_spec(struct addr_parser *ap, const char *from, size_t count)
{
    struct addr_token t;
    const char *p = ap->p;
    ap->p = from;
    text_clear(&ap->spec);
    for (size_t i = 0; i < count && ap->st == TM_OK; i++) {
        next_token(ap, &t);
        ap->st = spec_word(&ap->spec, &t);
    }
    ap->p = p;
}

/* Reads one mailbox, or a group's opening "name:", with the separator after it. Returns false
 * once the value is used up. */
static bool parse_entry(struct addr_parser *ap)
{
    struct addr_token t;
    struct addr_text name = no_text, addr = no_text;
    text_clear(&ap->display);
    text_clear(&ap->spec);
    tm_buf_reset(&ap->comment);
    ap->have_comment = false;
    const char *from = ap->p;
    struct entry_words w = read_words(ap, &t);
    if (ap->st)
        return false;
    if (t.s[0] == ':' && !ap->in_group) { /* "name:" opens a group (RFC 5322 3.4) */
        sink_add(ap, MIME_ADDR_GROUP_START, decode_name(ap, text_view(&ap->display)), no_text);
        ap->in_group = ap->st == TM_OK;
        return ap->st == TM_OK;
    }
    bool angle = t.s[0] == '<';
    if (angle) {
        text_clear(&ap->spec);
        parse_angle(ap, &t);
    }
    if (angle || (!w.has_at && w.phrase_like)) /* "John Doe" with no address at all too */
        name = decode_name(ap, text_view(&ap->display));
    bool bare = !angle && w.any && (w.has_at || !w.phrase_like); /* "john@example.com" */
    if (bare && !w.spec_noted)
        spell_spec(ap, from, w.count);
    if (angle || bare)
        addr = clean_spec(ap);
    if (w.any || angle)
        add_mailbox(ap, name, addr);
    if (ap->in_group && (t.kind == TOK_END || t.s[0] == ';')) {
        ap->in_group = false;
        sink_add(ap, MIME_ADDR_GROUP_END, no_text, no_text);
    }
    return t.kind != TOK_END && ap->st == TM_OK;
}

/* Field by field, not "= {...}": zeroing the whole parser, buffers and all, cost a fifth of
 * parsing a one-address value. */
static void parser_init(struct addr_parser *ap, const char *value, const char *fallback,
                        struct addr_sink *sink)
{
    ap->p = value ? value : "";
    ap->fallback = fallback;
    tm_buf_init(&ap->display.buf, 0);
    tm_buf_init(&ap->spec.buf, 0);
    tm_buf_init(&ap->comment, 0);
    tm_buf_init(&ap->decoded, 0);
    tm_buf_init(&ap->clean, 0);
    ap->have_comment = ap->in_group = false;
    ap->sink = sink;
    ap->st = TM_OK;
}

/* The buffers are only allocated for the entries whose text is not a stretch of the value. */
static void parser_cleanup(struct addr_parser *ap)
{
    struct tm_buf *bufs[] = {&ap->display.buf, &ap->spec.buf, &ap->comment, &ap->decoded,
                             &ap->clean};
    for (size_t i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
        if (bufs[i]->data)
            tm_buf_cleanup(bufs[i]);
    }
}

/* Parses value (may be NULL) into the sink. */
static enum tm_status parse_list(const char *value, const char *fallback, struct addr_sink *sink)
{
    struct addr_parser ap;
    parser_init(&ap, value, fallback, sink);
    while (sink->count < MIME_ADDR_MAX && parse_entry(&ap))
        ;
    parser_cleanup(&ap);
    return ap.st;
}

enum tm_status mime_addr_list_parse(const char *value, struct mime_addr_list *list)
{
    return mime_addr_list_parse_fb(value, NULL, list);
}

enum tm_status mime_addr_list_parse_fb(const char *value, const char *fallback,
                                       struct mime_addr_list *list)
{
    struct addr_sink sink = {.kind = SINK_LIST, .list = list};
    memset(list, 0, sizeof(*list));
    enum tm_status st = parse_list(value, fallback, &sink);
    if (st)
        mime_addr_list_cleanup(list);
    return st;
}

void mime_addr_list_cleanup(struct mime_addr_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].name);
        free(list->items[i].addr);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

enum tm_status tm_mime_first_address(const char *value, char **name, char **addr)
{
    return mime_first_address_fb(value, NULL, name, addr);
}

enum tm_status mime_first_address_fb(const char *value, const char *fallback, char **name,
                                     char **addr)
{
    struct addr_sink sink = {.kind = SINK_FIRST, .name = name, .addr = addr};
    *name = NULL;
    *addr = NULL;
    enum tm_status st = parse_list(value, fallback, &sink);
    if (st) {
        free(*name);
        free(*addr);
        *name = *addr = NULL;
    }
    return st;
}

enum tm_status mime_addr_display(const char *value, char **out)
{
    return mime_addr_display_fb(value, NULL, out);
}

enum tm_status mime_addr_display_fb(const char *value, const char *fallback, char **out)
{
    struct tm_buf b;
    struct addr_sink sink = {.kind = SINK_DISPLAY, .out = &b, .first_in_group = true};
    *out = NULL;
    tm_buf_init(&b, 0);
    enum tm_status st = parse_list(value, fallback, &sink);
    if (st == TM_OK && b.len > 0 && !(*out = tm_buf_steal(&b)))
        st = TM_ENOMEM;
    tm_buf_cleanup(&b);
    return st;
}
