/* envelope.c - what the index needs of a message header: decoded subject and addresses, message
 * ids and the date. (RFC 5322 3.6, RFC 2047) */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/i18n.h"

#define MSGID_MAX 998 /* longer "ids" are junk, not references */

enum env_field { F_SUBJECT, F_FROM, F_TO, F_CC, F_MSGID, F_IRT, F_REFS, F_DATE, F_COUNT };

static const struct {
    const char *name;
    size_t len;
} fields[F_COUNT] = {
#define FIELD(s)                                                                                   \
    {                                                                                              \
        s, sizeof(s) - 1                                                                           \
    }
    FIELD("Subject"),    FIELD("From"),        FIELD("To"),         FIELD("Cc"),
    FIELD("Message-ID"), FIELD("In-Reply-To"), FIELD("References"), FIELD("Date"),
#undef FIELD
};

/* strncasecmp(a, b, n) == 0 for names without NULs, inline: strncasecmp is a call through the
 * locale per field of every header, this the same tolower, only for bytes that differ. */
static bool same_name(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i] && tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    }
    return true;
}

static int field_index(const struct tm_header_field *f)
{
    for (int i = 0; i < F_COUNT; i++) {
        if (fields[i].len == f->name_len && same_name(f->name, fields[i].name, f->name_len))
            return i;
    }
    return -1;
}

/* Skips a comment or quoted string starting at s (which is '(' or '"'): text there, such as
 * the address in `(John <john@example.com>)`, is not a message id. An unterminated one is
 * just a stray character. */
static const char *skip_noise(const char *s)
{
    const char *p = s + 1;
    int depth = 1;
    for (; *p; p++) {
        if (*p == '\\' && p[1])
            p++;
        else if (*s == '"' && *p == '"')
            return p + 1;
        else if (*s == '(' && *p == '(')
            depth++;
        else if (*s == '(' && *p == ')' && --depth == 0)
            return p + 1;
    }
    return s + 1;
}

/* Whether the 8 bytes of w are all kept by take_id as they are: printable ASCII but '<' and
 * '>' (no NUL, blank, control, DEL or 8-bit byte). Exact: each borrow or carry below starts at
 * a byte that is itself a hit. */
static bool plain_id_word(uint64_t w)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t lt = w ^ ones * '<', gt = w ^ ones * '>';
    uint64_t hits = ((lt - ones) & ~lt) | ((gt - ones) & ~gt) | /* '<', '>' */
                    ((w - ones * '!') & ~w) |                   /* below '!' */
                    (w + ones) | w;                             /* above '~' */
    return !(hits & highs);
}

/* The end of the id whose text starts at p (at end, the value ends): its first '<', '>' or
 * NUL. *plain: every byte before it is kept as it is. Ids are read 8 bytes at a time: a long
 * References field is mostly ids. */
static const char *scan_id(const char *p, const char *end, bool *plain)
{
    for (uint64_t w; end - p >= 8; p += 8) {
        memcpy(&w, p, 8);
        if (!plain_id_word(w))
            break;
    }
    *plain = true;
    for (; *p && *p != '>' && *p != '<'; p++)
        *plain = *plain && (unsigned char)*p > ' ' && (unsigned char)*p < 0x7F;
    return p;
}

/* Appends id[0..n) to out (ascii: it needs no UTF-8 check), after the separator ' ' when out is
 * not empty; an empty or too long id is dropped. */
static void append_id(struct tm_buf *out, const char *id, size_t n, bool ascii, bool replace,
                      enum tm_status *st)
{
    if (n == 0 || n > MSGID_MAX)
        return;
    if (replace)
        tm_buf_reset(out);
    if (out->len > 0)
        *st = tm_buf_append_char(out, ' ');
    if (*st == TM_OK)
        *st = ascii ? tm_buf_append(out, id, n) : mime_utf8_sanitize(out, id, n);
}

/* Appends the id between '<' at s and the next '>' to out (blanks and controls dropped);
 * returns the end of what it read. */
static const char *take_id(const char *s, const char *end, struct tm_buf *out, bool replace,
                           enum tm_status *st)
{
    bool plain;
    const char *e = scan_id(s + 1, end, &plain);
    if (*e != '>')
        return e; /* unterminated, or a '<' inside: start again there */
    if (plain) {
        append_id(out, s + 1, (size_t)(e - (s + 1)), true, replace, st);
        return e + 1;
    }
    size_t n = 0;
    char id[MSGID_MAX + 1];
    unsigned char bits = 0; /* all bytes or'ed: ASCII ids need no UTF-8 check */
    for (const char *p = s + 1; p < e && n <= MSGID_MAX; p++) {
        unsigned char c = (unsigned char)*p;
        if (c > ' ' && c != 0x7F) {
            id[n++] = (char)c;
            bits |= c;
        }
    }
    append_id(out, id, n, bits < 0x80, replace, st);
    return e + 1;
}

/* Collects the <msg-id>s of value in order (last_only: just the last one), ignoring any text
 * between them. */
static enum tm_status collect_ids(const char *value, bool last_only, struct tm_buf *out)
{
    enum tm_status st = TM_OK;
    const char *s = value, *end = value + strlen(value);
    while (*s && st == TM_OK) {
        if (*s == '(' || *s == '"')
            s = skip_noise(s);
        else if (*s == '<')
            s = take_id(s, end, out, last_only, &st);
        else
            s++;
    }
    return st;
}

/* One msg-id: the first (or last) bracketed one; a value with no brackets that is one word
 * with an '@' is taken as a bare id (a common violation). */
static enum tm_status one_id(const char *value, bool last, char **out)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status st = collect_ids(value, last, &b);
    if (st == TM_OK && b.len > 0 && !last)
        b.len = strcspn(b.data, " ");
    if (st == TM_OK && b.len == 0 && !strpbrk(value, " \t<>()\"") && strchr(value, '@'))
        st = mime_utf8_sanitize(&b, value, strlen(value));
    if (st == TM_OK && b.len > 0 && !(*out = tm_buf_steal(&b)))
        st = TM_ENOMEM;
    tm_buf_cleanup(&b);
    return st;
}

static enum tm_status all_ids(const char *value, char **out)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    (void)tm_buf_reserve(&b, strlen(value)); /* about the ids' length: no regrowing */
    enum tm_status st = collect_ids(value, false, &b);
    if (st == TM_OK && b.len > 0 && !(*out = tm_buf_steal(&b)))
        st = TM_ENOMEM;
    tm_buf_cleanup(&b);
    return st;
}

static enum tm_status fill(struct tm_envelope *env, char *const raw[F_COUNT], const char *fb)
{
    enum tm_status st = TM_OK;
    if (raw[F_SUBJECT] && !(env->subject = tm_mime_decode_header_text(raw[F_SUBJECT], fb)))
        return TM_ENOMEM;
    if (raw[F_FROM])
        st = mime_first_address_fb(raw[F_FROM], fb, &env->from_name, &env->from_addr);
    if (st == TM_OK && raw[F_TO])
        st = mime_addr_display_fb(raw[F_TO], fb, &env->to);
    if (st == TM_OK && raw[F_CC])
        st = mime_addr_display_fb(raw[F_CC], fb, &env->cc);
    if (st == TM_OK && raw[F_MSGID])
        st = one_id(raw[F_MSGID], false, &env->message_id);
    if (st == TM_OK && raw[F_IRT])
        st = one_id(raw[F_IRT], true, &env->in_reply_to);
    if (st == TM_OK && raw[F_REFS])
        st = all_ids(raw[F_REFS], &env->references);
    if (st == TM_OK && raw[F_DATE] && !tm_mime_parse_date(raw[F_DATE], &env->date))
        env->date = 0;
    return st;
}

enum tm_status tm_mime_envelope_parse(const char *msg, size_t len, struct tm_envelope *env,
                                      struct tm_error *err)
{
    return tm_mime_envelope_parse_fb(msg, len, NULL, env, err);
}

/* Finds the first of each field the envelope reads (the first of duplicate fields wins) in
 * msg[0..len): returns the set found, bit k for found[k], and adds the bytes their unfolded
 * values need, a NUL each included, to *need. tm_mime_header_next stops at the blank line that
 * ends the header, so the end need not be found first. */
static unsigned find_fields(const char *msg, size_t len, struct tm_header_field found[F_COUNT],
                            size_t *need)
{
    struct tm_header_field f;
    size_t pos = 0;
    unsigned seen = 0;
    while (tm_mime_header_next(msg, len, &pos, &f)) {
        int k = field_index(&f);
        if (k < 0 || (seen & 1u << k))
            continue;
        seen |= 1u << k;
        found[k] = f;
        *need += f.value_len + 1; /* unfolding never lengthens a value */
    }
    return seen;
}

/* Bytes of values below which the unfolded values live on the stack: a sync parses every
 * message's header, and a malloc per field cost more than the parsing. */
#define UNFOLD_STACK 4096

enum tm_status tm_mime_envelope_parse_fb(const char *msg, size_t len, const char *fallback,
                                         struct tm_envelope *env, struct tm_error *err)
{
    char *raw[F_COUNT];
    struct tm_header_field found[F_COUNT]; /* not zeroed: seen says which are set */
    enum tm_status st = TM_OK;
    memset(env, 0, sizeof(*env));
    char stack[UNFOLD_STACK];
    size_t cap = 0, used = 0;
    unsigned seen = find_fields(msg, msg ? len : 0, found, &cap);
    char *space = cap <= sizeof(stack) ? stack : malloc(cap);
    if (!space) {
        st = TM_ENOMEM;
        goto out;
    }
    for (int k = 0; k < F_COUNT; k++) {
        raw[k] = seen & 1u << k ? space + used : NULL;
        if (raw[k])
            used += mime_header_unfold_to(raw[k], found[k].value, found[k].value_len) + 1;
    }
    st = fill(env, raw, fallback);
out:
    if (space != stack)
        free(space);
    if (st) {
        tm_mime_envelope_cleanup(env);
        return tm_error_set(err, st, _("cannot parse the message header: %s"), tm_status_name(st));
    }
    return TM_OK;
}

void tm_mime_envelope_cleanup(struct tm_envelope *env)
{
    if (!env)
        return;
    free(env->subject);
    free(env->from_name);
    free(env->from_addr);
    free(env->to);
    free(env->cc);
    free(env->message_id);
    free(env->in_reply_to);
    free(env->references);
    memset(env, 0, sizeof(*env));
}
