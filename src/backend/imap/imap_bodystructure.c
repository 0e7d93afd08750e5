/* imap_bodystructure.c - FETCH BODYSTRUCTURE (and BODY) into a tree of parts with their FETCH
 * part numbers (RFC 3501 6.4.5, 7.4.2 and 9; RFC 9051 7.5.2 and 9; RFC 2183 dispositions, RFC
 * 2231 parameters left encoded). Bounded like the MIME layer: 32 levels, 10,000 parts. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_bodystructure.h"
#include "tmail/i18n.h"

#define NUMBER32_MAX UINT64_C(0xFFFFFFFF)

struct bs_parse {
    struct imap_bodystructure *bs;
    uint64_t message_size;
    struct tm_error *err;
};

/* Fails the parse: "IMAP BODYSTRUCTURE, part 1.2: <what>". */
__attribute__((format(printf, 4, 5))) static enum tm_status
bs_fail(struct bs_parse *p, const struct imap_body *b, enum tm_status st, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    const char *section = b && b->section && b->section[0] ? b->section : NULL;
    if (section)
        return tm_error_set(p->err, st, _("IMAP BODYSTRUCTURE, part %s: %s"), section, what);
    return tm_error_set(p->err, st, _("IMAP BODYSTRUCTURE: %s"), what);
}

static enum tm_status no_memory(struct bs_parse *p)
{
    return tm_error_set(p->err, TM_ENOMEM, _("out of memory reading a message's structure"));
}

static void lower(char *s)
{
    for (; s && *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* ---- Values ---- */

/* A string (STRING, or NIL when nil_ok) into *out (malloc'd; NULL for NIL). */
static enum tm_status take_string(struct bs_parse *p, const struct imap_body *b,
                                  const struct imap_value *v, bool nil_ok, const char *what,
                                  char **out)
{
    *out = NULL;
    if (v->type == IMAP_V_NIL && nil_ok)
        return TM_OK;
    if (v->type != IMAP_V_STRING)
        return bs_fail(p, b, TM_EPARSE, _("%s is not a string"), what);
    if (memchr(v->str, 0, v->len))
        return bs_fail(p, b, TM_EPARSE, _("NUL byte in %s"), what);
    if (!(*out = malloc(v->len + 1)))
        return no_memory(p);
    memcpy(*out, v->str, v->len + 1);
    return TM_OK;
}

static enum tm_status take_number(struct bs_parse *p, const struct imap_body *b,
                                  const struct imap_value *v, uint64_t max, const char *what,
                                  uint64_t *out)
{
    if (v->type != IMAP_V_NUMBER)
        return bs_fail(p, b, TM_EPARSE, _("%s is not a number"), what);
    if (v->num > NUMBER32_MAX)
        return bs_fail(p, b, TM_EPARSE, _("%s %llu is past 2^32-1"), what,
                       (unsigned long long)v->num);
    if (v->num > max)
        return bs_fail(p, b, TM_EPARSE, _("%s %llu is more than the message's %llu bytes"), what,
                       (unsigned long long)v->num, (unsigned long long)max);
    *out = v->num;
    return TM_OK;
}

/* body-fld-param: NIL, "()" (lenient) or string pairs; a NIL value is kept as NULL. */
static enum tm_status take_params(struct bs_parse *p, const struct imap_body *b,
                                  const struct imap_value *v, struct imap_body_param **out,
                                  size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (v->type == IMAP_V_NIL)
        return TM_OK;
    if (v->type != IMAP_V_LIST || v->n % 2 != 0)
        return bs_fail(p, b, TM_EPARSE, "%s", _("parameters are not a list of pairs"));
    if (v->n == 0)
        return TM_OK;
    struct imap_body_param *params = calloc(v->n / 2, sizeof(*params));
    if (!params)
        return no_memory(p);
    *out = params;
    for (size_t i = 0; i < v->n; i += 2) {
        struct imap_body_param *pa = &params[(*n_out)++];
        enum tm_status st =
            take_string(p, b, &v->items[i], false, _("a parameter name"), &pa->name);
        if (!st)
            st = take_string(p, b, &v->items[i + 1], true, _("a parameter value"), &pa->value);
        if (st)
            return st;
    }
    return TM_OK;
}

/* body-extension: nstring / number / "(" body-extension *(SP body-extension) ")". */
static enum tm_status check_extension(struct bs_parse *p, const struct imap_body *b,
                                      const struct imap_value *v)
{
    if (v->type == IMAP_V_NIL || v->type == IMAP_V_STRING || v->type == IMAP_V_NUMBER)
        return TM_OK;
    if (v->type != IMAP_V_LIST || v->n == 0)
        return bs_fail(p, b, TM_EPARSE, "%s", _("bad extension data"));
    for (size_t i = 0; i < v->n; i++) {
        enum tm_status st = check_extension(p, b, &v->items[i]); /* bounded by the parser's depth */
        if (st)
            return st;
    }
    return TM_OK;
}

/* body-fld-dsp: NIL or "(" string SP body-fld-param ")". */
static enum tm_status take_disposition(struct bs_parse *p, struct imap_body *b,
                                       const struct imap_value *v)
{
    if (v->type == IMAP_V_NIL)
        return TM_OK;
    if (v->type != IMAP_V_LIST || v->n != 2)
        return bs_fail(p, b, TM_EPARSE, "%s", _("the disposition is not a (type parameters) list"));
    enum tm_status st =
        take_string(p, b, &v->items[0], false, _("the disposition"), &b->disposition);
    lower(b->disposition);
    return st ? st : take_params(p, b, &v->items[1], &b->disp_params, &b->n_disp_params);
}

/* body-fld-lang: nstring or "(" string *(SP string) ")". */
static enum tm_status take_languages(struct bs_parse *p, struct imap_body *b,
                                     const struct imap_value *v)
{
    if (v->type == IMAP_V_NIL)
        return TM_OK;
    const struct imap_value *items = v->type == IMAP_V_LIST ? v->items : v;
    size_t n = v->type == IMAP_V_LIST ? v->n : 1;
    if (n == 0)
        return bs_fail(p, b, TM_EPARSE, "%s", _("empty language list"));
    if (!(b->languages = calloc(n, sizeof(*b->languages))))
        return no_memory(p);
    for (size_t i = 0; i < n; i++) {
        enum tm_status st =
            take_string(p, b, &items[i], false, _("a language"), &b->languages[b->n_languages]);
        if (st)
            return st;
        b->n_languages++;
    }
    return TM_OK;
}

/* [dsp [lang [loc *extension]]] from items[from..n): the tail both kinds of body share. */
static enum tm_status take_extension_tail(struct bs_parse *p, struct imap_body *b,
                                          const struct imap_value *items, size_t n, size_t from)
{
    enum tm_status st = TM_OK;
    if (from < n)
        st = take_disposition(p, b, &items[from]);
    if (!st && from + 1 < n)
        st = take_languages(p, b, &items[from + 1]);
    if (!st && from + 2 < n)
        st = take_string(p, b, &items[from + 2], true, _("the location"), &b->location);
    for (size_t i = from + 3; !st && i < n; i++) {
        st = check_extension(p, b, &items[i]);
        b->n_extensions++;
    }
    return st;
}

/* ---- Envelope ---- */

/* An address list (NIL, or addresses of four nstrings); the first real address is kept. */
static enum tm_status take_addresses(struct bs_parse *p, const struct imap_body *b,
                                     const struct imap_value *v, struct imap_envelope *env,
                                     bool keep_first)
{
    if (v->type == IMAP_V_NIL)
        return TM_OK;
    if (v->type != IMAP_V_LIST)
        return bs_fail(p, b, TM_EPARSE, "%s", _("an envelope address list is not a list"));
    for (size_t i = 0; i < v->n; i++) {
        const struct imap_value *a = &v->items[i];
        if (a->type != IMAP_V_LIST || a->n != 4)
            return bs_fail(p, b, TM_EPARSE, "%s", _("an envelope address is not four fields"));
        for (size_t k = 0; k < 4; k++)
            if (a->items[k].type != IMAP_V_NIL && a->items[k].type != IMAP_V_STRING)
                return bs_fail(p, b, TM_EPARSE, "%s",
                               _("an envelope address field is not a string"));
        const struct imap_value *mbox = &a->items[2], *host = &a->items[3];
        if (!keep_first || env->from_address || mbox->type == IMAP_V_NIL ||
            host->type == IMAP_V_NIL) /* group start and end markers have a NIL part */
            continue;
        enum tm_status st =
            take_string(p, b, &a->items[0], true, _("a display name"), &env->from_name);
        if (st)
            return st;
        if (memchr(mbox->str, 0, mbox->len) || memchr(host->str, 0, host->len))
            return bs_fail(p, b, TM_EPARSE, "%s", _("NUL byte in an envelope address"));
        size_t len = mbox->len + 1 + host->len + 1;
        if (!(env->from_address = malloc(len)))
            return no_memory(p);
        snprintf(env->from_address, len, "%s@%s", mbox->str, host->str);
    }
    return TM_OK;
}

/* envelope = "(" date SP subject SP from SP sender SP reply-to SP to SP cc SP bcc SP in-reply-to
 * SP message-id ")". */
static enum tm_status take_envelope(struct bs_parse *p, struct imap_body *b,
                                    const struct imap_value *v)
{
    if (v->type != IMAP_V_LIST || v->n != 10)
        return bs_fail(p, b, TM_EPARSE, "%s", _("the envelope is not a list of ten fields"));
    struct imap_envelope *env = calloc(1, sizeof(*env));
    if (!env)
        return no_memory(p);
    b->envelope = env;
    const struct imap_value *it = v->items;
    enum tm_status st = take_string(p, b, &it[0], true, _("the envelope date"), &env->date);
    if (!st)
        st = take_string(p, b, &it[1], true, _("the envelope subject"), &env->subject);
    for (size_t i = 2; !st && i < 8; i++)
        st = take_addresses(p, b, &it[i], env, i == 2);
    if (!st)
        st = take_string(p, b, &it[8], true, _("the envelope in-reply-to"), &env->in_reply_to);
    if (!st)
        st = take_string(p, b, &it[9], true, _("the envelope message-id"), &env->message_id);
    return st;
}

/* ---- Bodies ---- */

static enum tm_status parse_body(struct bs_parse *p, struct imap_body *b,
                                 const struct imap_value *v);

/* Numbers and places b before it is parsed (so errors can name it). */
static enum tm_status place(struct bs_parse *p, struct imap_body *b, const char *section,
                            bool message_body, unsigned depth)
{
    b->depth = depth;
    b->message_body = message_body;
    if (!(b->section = strdup(section)))
        return no_memory(p);
    if (depth > IMAP_BODY_DEPTH_MAX)
        return bs_fail(p, b, TM_ELIMIT, _("nested deeper than %d levels"), IMAP_BODY_DEPTH_MAX);
    if (++p->bs->n_parts > IMAP_BODY_PARTS_MAX)
        return bs_fail(p, b, TM_ELIMIT, _("more than %d parts"), IMAP_BODY_PARTS_MAX);
    return TM_OK;
}

/* The part number of child i (from 1) of a multipart numbered section. */
static void child_section(const char *section, size_t i, char *out, size_t size)
{
    snprintf(out, size, "%s%s%zu", section, section[0] ? "." : "", i);
}

/* body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart] */
static enum tm_status parse_multipart(struct bs_parse *p, struct imap_body *b,
                                      const struct imap_value *v)
{
    size_t k = 0, n = v->n;
    while (k < n && v->items[k].type == IMAP_V_LIST)
        k++;
    b->kind = IMAP_BODY_MULTIPART;
    if (!(b->type = strdup("multipart")))
        return no_memory(p);
    if (k == n)
        return bs_fail(p, b, TM_EPARSE, "%s", _("a multipart without a subtype"));
    enum tm_status st = take_string(p, b, &v->items[k], false, _("the subtype"), &b->subtype);
    lower(b->subtype);
    if (!st && k + 1 < n)
        st = take_params(p, b, &v->items[k + 1], &b->params, &b->n_params);
    if (!st)
        st = take_extension_tail(p, b, v->items, n, k + 2);
    if (!st && !(b->children = calloc(k, sizeof(*b->children))))
        st = no_memory(p);
    size_t len = strlen(b->section) + 24;
    char *section = st ? NULL : malloc(len);
    if (!st && !section)
        st = no_memory(p);
    for (size_t i = 0; !st && i < k; i++) {
        child_section(b->section, i + 1, section, len);
        b->n_children++;
        st = place(p, &b->children[i], section, false, b->depth + 1);
        if (!st)
            st = parse_body(p, &b->children[i], &v->items[i]);
    }
    free(section);
    return st;
}

/* MESSAGE/RFC822 (or GLOBAL): envelope SP body SP body-fld-lines; *ext gets where the extension
 * data starts. One without them is read as a basic leaf (see imap_bodystructure.h). */
static enum tm_status parse_message(struct bs_parse *p, struct imap_body *b,
                                    const struct imap_value *v, size_t *ext)
{
    const struct imap_value *it = v->items;
    if (v->n < 10 || it[7].type != IMAP_V_LIST || it[8].type != IMAP_V_LIST) {
        b->kind = IMAP_BODY_BASIC;
        *ext = 7;
        return TM_OK;
    }
    b->kind = IMAP_BODY_MESSAGE;
    *ext = 10;
    enum tm_status st = take_envelope(p, b, &it[7]);
    if (!st)
        st = take_number(p, b, &it[9], NUMBER32_MAX, _("the line count"), &b->lines);
    if (!st && !(b->children = calloc(1, sizeof(*b->children))))
        st = no_memory(p);
    if (st)
        return st;
    b->n_children = 1;
    bool multi = it[8].n > 0 && it[8].items[0].type == IMAP_V_LIST;
    size_t len = strlen(b->section) + 3;
    char *section = malloc(len);
    if (!section)
        return no_memory(p);
    snprintf(section, len, "%s%s", b->section, multi ? "" : ".1");
    st = place(p, &b->children[0], section, true, b->depth + 1);
    free(section);
    return st ? st : parse_body(p, &b->children[0], &it[8]);
}

/* body-type-1part = (body-type-basic / body-type-msg / body-type-text) [SP body-ext-1part] */
static enum tm_status parse_leaf(struct bs_parse *p, struct imap_body *b,
                                 const struct imap_value *v)
{
    const struct imap_value *it = v->items;
    uint64_t max = p->message_size ? p->message_size : NUMBER32_MAX;
    size_t ext = 7;
    if (v->n < 7)
        return bs_fail(p, b, TM_EPARSE, "%s", _("a part with fewer than seven fields"));
    enum tm_status st = take_string(p, b, &it[0], false, _("the type"), &b->type);
    if (!st)
        st = take_string(p, b, &it[1], false, _("the subtype"), &b->subtype);
    lower(b->type);
    lower(b->subtype);
    if (!st)
        st = take_params(p, b, &it[2], &b->params, &b->n_params);
    if (!st)
        st = take_string(p, b, &it[3], true, _("the content id"), &b->id);
    if (!st)
        st = take_string(p, b, &it[4], true, _("the description"), &b->description);
    if (!st)
        st = take_string(p, b, &it[5], false, _("the transfer encoding"), &b->encoding);
    lower(b->encoding);
    if (!st)
        st = take_number(p, b, &it[6], max, _("the size"), &b->octets);
    if (st)
        return st;
    if (strcmp(b->type, "text") == 0) {
        b->kind = IMAP_BODY_TEXT;
        if (v->n < 8)
            return bs_fail(p, b, TM_EPARSE, "%s", _("a text part without a line count"));
        st = take_number(p, b, &it[7], NUMBER32_MAX, _("the line count"), &b->lines);
        ext = 8;
    } else if (strcmp(b->type, "message") == 0 &&
               (strcmp(b->subtype, "rfc822") == 0 || strcmp(b->subtype, "global") == 0)) {
        st = parse_message(p, b, v, &ext);
    } else {
        b->kind = IMAP_BODY_BASIC;
    }
    if (!st && ext < v->n)
        st = take_string(p, b, &it[ext], true, _("the MD5"), &b->md5);
    return st ? st : take_extension_tail(p, b, it, v->n, ext + 1);
}

static enum tm_status parse_body(struct bs_parse *p, struct imap_body *b,
                                 const struct imap_value *v)
{
    if (v->type != IMAP_V_LIST || v->n == 0)
        return bs_fail(p, b, TM_EPARSE, "%s", _("a body is not a list"));
    if (v->items[0].type == IMAP_V_LIST)
        return parse_multipart(p, b, v);
    return parse_leaf(p, b, v);
}

/* ---- Life cycle ---- */

static void params_free(struct imap_body_param *params, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(params[i].name);
        free(params[i].value);
    }
    free(params);
}

static void body_cleanup(struct imap_body *b)
{
    for (size_t i = 0; i < b->n_children; i++)
        body_cleanup(&b->children[i]);
    free(b->children);
    free(b->type);
    free(b->subtype);
    params_free(b->params, b->n_params);
    free(b->id);
    free(b->description);
    free(b->encoding);
    if (b->envelope) {
        free(b->envelope->date);
        free(b->envelope->subject);
        free(b->envelope->in_reply_to);
        free(b->envelope->message_id);
        free(b->envelope->from_name);
        free(b->envelope->from_address);
        free(b->envelope);
    }
    free(b->md5);
    free(b->disposition);
    params_free(b->disp_params, b->n_disp_params);
    for (size_t i = 0; i < b->n_languages; i++)
        free(b->languages[i]);
    free(b->languages);
    free(b->location);
    free(b->section);
}

void imap_bodystructure_free(struct imap_bodystructure **pp)
{
    if (!pp || !*pp)
        return;
    body_cleanup(&(*pp)->root);
    free(*pp);
    *pp = NULL;
}

enum tm_status imap_bodystructure_parse(const struct imap_value *v, uint64_t message_size,
                                        struct imap_bodystructure **out, struct tm_error *err)
{
    struct imap_bodystructure *bs = calloc(1, sizeof(*bs));
    struct bs_parse p = {bs, message_size, err};
    *out = NULL;
    if (!bs)
        return no_memory(&p);
    bool multi = v->type == IMAP_V_LIST && v->n > 0 && v->items[0].type == IMAP_V_LIST;
    enum tm_status st = place(&p, &bs->root, multi ? "" : "1", true, 0);
    if (!st)
        st = parse_body(&p, &bs->root, v);
    if (st) {
        imap_bodystructure_free(&bs);
        return st;
    }
    *out = bs;
    return TM_OK;
}

/* ---- Queries ---- */

const char *imap_body_param(const struct imap_body *b, const char *name)
{
    for (size_t i = 0; i < b->n_params; i++)
        if (strcasecmp(b->params[i].name, name) == 0)
            return b->params[i].value;
    return NULL;
}

bool imap_body_is(const struct imap_body *b, const char *type, const char *subtype)
{
    return b->type && strcasecmp(b->type, type) == 0 &&
           (!subtype || (b->subtype && strcasecmp(b->subtype, subtype) == 0));
}

int imap_body_walk(const struct imap_body *b, imap_body_fn fn, void *ctx)
{
    int r = fn(ctx, b);
    for (size_t i = 0; !r && i < b->n_children; i++)
        r = imap_body_walk(&b->children[i], fn, ctx);
    return r;
}
