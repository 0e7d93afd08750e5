/* envelope.c - what the index needs of a message header: decoded subject and addresses, message
 * ids and the date. (RFC 5322 3.6, RFC 2047) */
#include <ctype.h>
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

static int field_index(const struct tm_header_field *f)
{
    for (int i = 0; i < F_COUNT; i++) {
        if (fields[i].len == f->name_len && strncasecmp(f->name, fields[i].name, f->name_len) == 0)
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

/* Appends the id between '<' at s and the next '>' to out (blanks and controls dropped, the
 * separator ' ' first when out is not empty); returns the end of what it read. */
static const char *take_id(const char *s, struct tm_buf *out, bool replace, enum tm_status *st)
{
    const char *e = s + 1;
    while (*e && *e != '>' && *e != '<')
        e++;
    if (*e != '>')
        return e; /* unterminated, or a '<' inside: start again there */
    size_t n = 0;
    char id[MSGID_MAX + 1];
    for (const char *p = s + 1; p < e && n <= MSGID_MAX; p++) {
        if ((unsigned char)*p > ' ' && *p != 0x7F)
            id[n++] = *p;
    }
    if (n == 0 || n > MSGID_MAX)
        return e + 1;
    if (replace)
        tm_buf_reset(out);
    if (out->len > 0)
        *st = tm_buf_append_char(out, ' ');
    if (*st == TM_OK)
        *st = mime_utf8_sanitize(out, id, n);
    return e + 1;
}

/* Collects the <msg-id>s of value in order (last_only: just the last one), ignoring any text
 * between them. */
static enum tm_status collect_ids(const char *value, bool last_only, struct tm_buf *out)
{
    enum tm_status st = TM_OK;
    const char *s = value;
    while (*s && st == TM_OK) {
        if (*s == '(' || *s == '"')
            s = skip_noise(s);
        else if (*s == '<')
            s = take_id(s, out, last_only, &st);
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

/* Bytes of header below which the unfolded values live on the stack: a sync parses every
 * message's header, and a malloc per field cost more than the parsing. */
#define UNFOLD_STACK 4096

enum tm_status tm_mime_envelope_parse_fb(const char *msg, size_t len, const char *fallback,
                                         struct tm_envelope *env, struct tm_error *err)
{
    char *raw[F_COUNT] = {0};
    struct tm_header_field f;
    size_t pos = 0, hdr_len = msg ? tm_mime_header_end(msg, len) : 0;
    enum tm_status st = TM_OK;
    memset(env, 0, sizeof(*env));
    /* The values are disjoint parts of the header, and unfolding never lengthens one: the
     * header's length plus a NUL per field holds them all. */
    char stack[UNFOLD_STACK];
    size_t cap = hdr_len + F_COUNT, used = 0;
    char *space = cap <= sizeof(stack) ? stack : malloc(cap);
    if (!space) {
        st = TM_ENOMEM;
        goto out;
    }
    while (tm_mime_header_next(msg, hdr_len, &pos, &f)) {
        int k = field_index(&f);
        if (k < 0 || raw[k])
            continue; /* the first of duplicate fields wins */
        raw[k] = space + used;
        used += mime_header_unfold_to(raw[k], f.value, f.value_len) + 1;
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
