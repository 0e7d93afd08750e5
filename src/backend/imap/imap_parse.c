/* imap_parse.c - reads one IMAP server response (a line, its literals, the lines after them) into
 * values in a reusable arena, bounded by limits (RFC 3501 7 and 9, RFC 9051 7 and 9, RFC 7888
 * {n+}, RFC 3516 ~{n}). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_proto.h"
#include "tmail/array.h"
#include "tmail/i18n.h"

#define STACK_KEEP_MAX ((size_t)1 << 16) /* a value stack grown past this is freed after use */
#define NO_END         ((size_t)-1)

struct imap_parser {
    struct imap_limits lim;
    struct imap_arena arena;  /* everything a response points to */
    struct tm_buf line;       /* the line being parsed */
    size_t pos;               /* cursor in line */
    struct imap_value *stack; /* values of the lists being parsed */
    size_t n_stack, cap_stack;
    size_t *frames; /* stack index where each open list starts */
    size_t n_values, bytes;
    bool in_code; /* inside "[...]": "]" ends atoms */
    const struct imap_source *src;
    struct tm_error *err;
};

static void *arena_alloc(struct imap_parser *p, size_t size, size_t align)
{
    return imap_arena_alloc(&p->arena, size, align);
}

static const char *arena_str(struct imap_parser *p, const char *s, size_t len)
{
    char *d = arena_alloc(p, len + 1, 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = 0;
    return d;
}

static const char *arena_upper(struct imap_parser *p, const char *s, size_t len)
{
    char *d = arena_alloc(p, len + 1, 1);
    if (!d)
        return NULL;
    for (size_t i = 0; i < len; i++)
        d[i] = (char)toupper((unsigned char)s[i]);
    d[len] = 0;
    return d;
}

/* ---- Parser life cycle ---- */

enum tm_status imap_parser_new(const struct imap_limits *lim, struct imap_parser **out,
                               struct tm_error *err)
{
    struct imap_parser *p = calloc(1, sizeof(*p));
    *out = NULL;
    if (!p)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (lim)
        p->lim = *lim;
    if (!p->lim.max_line)
        p->lim.max_line = IMAP_DEFAULT_MAX_LINE;
    if (!p->lim.max_literal)
        p->lim.max_literal = IMAP_DEFAULT_MAX_LITERAL;
    if (!p->lim.max_response)
        p->lim.max_response = IMAP_DEFAULT_MAX_RESPONSE;
    if (p->lim.max_depth <= 0)
        p->lim.max_depth = IMAP_DEFAULT_MAX_DEPTH;
    if (!p->lim.max_items)
        p->lim.max_items = IMAP_DEFAULT_MAX_ITEMS;
    if (p->lim.max_depth > 1000)
        p->lim.max_depth = 1000;
    tm_buf_init(&p->line, p->lim.max_line < SIZE_MAX - 2 ? p->lim.max_line + 2 : SIZE_MAX);
    p->frames = calloc((size_t)p->lim.max_depth, sizeof(*p->frames));
    if (imap_arena_init(&p->arena) != TM_OK || !p->frames) {
        imap_parser_free(&p);
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    *out = p;
    return TM_OK;
}

void imap_parser_free(struct imap_parser **pp)
{
    struct imap_parser *p = *pp;
    if (!p)
        return;
    imap_arena_cleanup(&p->arena);
    free(p->frames);
    free(p->stack);
    tm_buf_cleanup(&p->line);
    free(p);
    *pp = NULL;
}

/* ---- Errors ---- */

void imap_sanitize(char *out, size_t size, const char *s, size_t len)
{
    size_t o = 0;
    if (size == 0)
        return;
    for (size_t i = 0; i < len && o + 5 < size; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, size - o, "\\x%02X", c);
    }
    out[o] = 0;
}

/* Fails with st: "what" (formatted) and an excerpt of the line around `at`. */
__attribute__((format(printf, 4, 5))) static enum tm_status
parse_fail(struct imap_parser *p, enum tm_status st, size_t at, const char *fmt, ...)
{
    char what[256], excerpt[128];
    const char *line = p->line.data ? p->line.data : "";
    size_t len = p->line.len;
    va_list ap;
    if (!p->err)
        return st;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (at > len)
        at = len;
    size_t from = at > 16 ? at - 16 : 0;
    size_t n = len - from < 24 ? len - from : 24;
    imap_sanitize(excerpt, sizeof(excerpt), line + from, n);
    tm_error_set(p->err, st, _("IMAP response: %s at \"%s%s%s\""), what, from ? "..." : "", excerpt,
                 from + n < len ? "..." : "");
    imap_sanitize(p->err->server_reply, sizeof(p->err->server_reply), line, len < 200 ? len : 200);
    return st;
}

static enum tm_status no_memory(struct imap_parser *p)
{
    return tm_error_set(p->err, TM_ENOMEM, _("out of memory reading an IMAP response"));
}

/* ---- Lines and bytes ---- */

static int peek(const struct imap_parser *p)
{
    return p->pos < p->line.len ? (unsigned char)p->line.data[p->pos] : -1;
}

static bool at_end(const struct imap_parser *p)
{
    return p->pos >= p->line.len;
}

/* Passes on what the source said (err untouched on success), or `what` when it said nothing. */
static enum tm_status source_failed(struct imap_parser *p, enum tm_status st,
                                    const struct tm_error *src_err, const char *what)
{
    if (!p->err)
        return st;
    *p->err = *src_err;
    p->err->status = st;
    if (!p->err->message[0])
        tm_error_set(p->err, st, "%s", what);
    return st;
}

static enum tm_status next_line(struct imap_parser *p)
{
    struct tm_error src_err;
    tm_buf_reset(&p->line);
    p->pos = 0;
    tm_error_clear(&src_err);
    enum tm_status st = p->src->read_line(p->src->ctx, &p->line, p->lim.max_line, &src_err);
    if (st)
        return source_failed(p, st, &src_err, _("cannot read an IMAP response line"));
    if (!p->line.data && tm_buf_reserve(&p->line, 0) != TM_OK)
        return no_memory(p);
    if (p->line.len > p->lim.max_line)
        return parse_fail(p, TM_ELIMIT, 0, _("line longer than %zu bytes"), p->lim.max_line);
    p->bytes += p->line.len + 2;
    if (p->bytes > p->lim.max_response)
        return parse_fail(p, TM_ELIMIT, 0, _("response longer than %zu bytes"),
                          p->lim.max_response);
    return TM_OK;
}

/* RFC 3501 ATOM-CHAR, widened: "\" (flags), "%" and "*" (\*, URLs in codes) and 8-bit bytes
 * (mailbox names from servers that ignore UTF-7) are accepted; "]" only outside a code. */
static bool atom_char(int c, bool in_code)
{
    return c > 0x20 && c != 0x7F && c != '(' && c != ')' && c != '{' && c != '"' &&
           !(in_code && c == ']');
}

/* The "]" that closes the section at line[i] == '[' (spaces, lists and quoted strings allowed
 * inside, as in BODY[HEADER.FIELDS (FROM "TO")]), or NO_END. Stops at the next unquoted "[", so
 * scanning stays linear over a line. */
static size_t section_end(const char *s, size_t len, size_t i)
{
    for (size_t k = i + 1; k < len; k++) {
        unsigned char c = (unsigned char)s[k];
        if (c == ']')
            return k;
        if (c == '"') {
            for (k++; k < len && s[k] != '"'; k++)
                if (s[k] == '\\')
                    k++;
            if (k >= len)
                return NO_END;
        } else if (c == '[' || c == '{' || c < 0x20 || c == 0x7F) {
            return NO_END;
        }
    }
    return NO_END;
}

/* ---- Values ---- */

static enum tm_status push(struct imap_parser *p, const struct imap_value *v)
{
    if (p->n_values >= p->lim.max_items)
        return parse_fail(p, TM_ELIMIT, p->pos, _("more than %zu values"), p->lim.max_items);
    if (TM_ARRAY_RESERVE(p->stack, p->n_stack, p->cap_stack, 64))
        return no_memory(p);
    p->stack[p->n_stack++] = *v;
    p->n_values++;
    return TM_OK;
}

/* Moves stack[from..] into an arena array. */
static enum tm_status pop_items(struct imap_parser *p, size_t from, struct imap_value **items,
                                size_t *n)
{
    *n = p->n_stack - from;
    *items = NULL;
    if (*n) {
        *items = arena_alloc(p, *n * sizeof(**items), _Alignof(struct imap_value));
        if (!*items)
            return no_memory(p);
        memcpy(*items, p->stack + from, *n * sizeof(**items));
    }
    p->n_stack = from;
    return TM_OK;
}

static enum tm_status parse_quoted(struct imap_parser *p)
{
    const char *s = p->line.data;
    size_t start = p->pos + 1, i = start, escapes = 0;
    for (;; i++) {
        if (i >= p->line.len)
            return parse_fail(p, TM_EPARSE, p->pos, _("unterminated quoted string"));
        char c = s[i];
        if (c == '"')
            break;
        if (c == '\\') {
            if (i + 1 >= p->line.len || (s[i + 1] != '\\' && s[i + 1] != '"'))
                return parse_fail(p, TM_EPARSE, i, _("bad escape in a quoted string"));
            i++;
            escapes++;
        } else if (c == 0 || c == '\r' || c == '\n') {
            return parse_fail(p, TM_EPARSE, i, _("control character in a quoted string"));
        }
    }
    size_t len = i - start - escapes;
    char *d = arena_alloc(p, len + 1, 1);
    if (!d)
        return no_memory(p);
    if (!escapes) {
        memcpy(d, s + start, len);
    } else {
        for (size_t k = start, o = 0; k < i; k++)
            d[o++] = s[k] == '\\' ? s[++k] : s[k];
    }
    d[len] = 0;
    p->pos = i + 1;
    return push(p, &(struct imap_value){.type = IMAP_V_STRING, .str = d, .len = len});
}

/* {n}, {n+} or ~{n} at the end of the line: reads n bytes and the line that follows. */
static enum tm_status parse_literal(struct imap_parser *p)
{
    const char *s = p->line.data;
    size_t at = p->pos, i = p->pos + (s[p->pos] == '~' ? 2 : 1), digits = i;
    uint64_t n = 0;
    bool too_big = false;
    if (p->in_code)
        return parse_fail(p, TM_EPARSE, at, _("literal inside a response code"));
    for (; i < p->line.len && s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (n > (UINT64_MAX - d) / 10)
            too_big = true;
        else
            n = n * 10 + d;
    }
    if (i == digits)
        return parse_fail(p, TM_EPARSE, at, _("literal without a length"));
    size_t ndigits = i - digits;
    if (i < p->line.len && s[i] == '+')
        i++;
    if (i >= p->line.len || s[i] != '}')
        return parse_fail(p, TM_EPARSE, at, _("bad literal marker"));
    if (i + 1 != p->line.len)
        return parse_fail(p, TM_EPARSE, at, _("literal marker not at the end of the line"));
    if (too_big || n > p->lim.max_literal)
        return parse_fail(p, TM_ELIMIT, at, _("literal of %.*s bytes is over the limit of %zu"),
                          (int)(ndigits < 24 ? ndigits : 24), s + digits, p->lim.max_literal);
    if (n > p->lim.max_response - p->bytes)
        return parse_fail(p, TM_ELIMIT, at, _("response longer than %zu bytes"),
                          p->lim.max_response);
    char *d = arena_alloc(p, (size_t)n + 1, 1);
    if (!d)
        return no_memory(p);
    struct tm_error src_err;
    tm_error_clear(&src_err);
    enum tm_status st = p->src->read_exact(p->src->ctx, d, (size_t)n, &src_err);
    if (st)
        return source_failed(p, st, &src_err, _("cannot read an IMAP literal"));
    d[n] = 0;
    p->bytes += (size_t)n;
    st = next_line(p);
    if (st)
        return st;
    return push(p, &(struct imap_value){
                       .type = IMAP_V_STRING, .str = d, .len = (size_t)n, .literal = true});
}

/* An atom, a number or NIL. Outside codes, "[...]" sections belong to the atom (BODY[1]<0>). */
static enum tm_status parse_atom(struct imap_parser *p)
{
    const char *s = p->line.data;
    size_t start = p->pos, i = p->pos;
    bool digits = true;
    while (i < p->line.len && atom_char((unsigned char)s[i], p->in_code)) {
        if (s[i] == '[' && !p->in_code) {
            size_t end = section_end(s, p->line.len, i);
            if (end != NO_END) {
                digits = false;
                i = end + 1;
                continue;
            }
        }
        if (s[i] < '0' || s[i] > '9')
            digits = false;
        i++;
    }
    size_t len = i - start;
    if (len == 0) {
        if (at_end(p))
            return parse_fail(p, TM_EPARSE, start, _("value expected"));
        return parse_fail(p, TM_EPARSE, start, _("unexpected character"));
    }
    struct imap_value v = {.type = IMAP_V_ATOM};
    if (digits) {
        if (len > 19)
            return parse_fail(p, TM_EPARSE, start, _("number too large"));
        for (size_t k = start; k < i; k++)
            v.num = v.num * 10 + (uint64_t)(s[k] - '0');
        if (v.num > INT64_MAX)
            return parse_fail(p, TM_EPARSE, start, _("number too large"));
        v.type = IMAP_V_NUMBER;
    } else if (len == 3 && strncasecmp(s + start, "NIL", 3) == 0) {
        p->pos = i;
        return push(p, &(struct imap_value){.type = IMAP_V_NIL});
    }
    v.str = arena_str(p, s + start, len);
    if (!v.str)
        return no_memory(p);
    v.len = len;
    p->pos = i;
    return push(p, &v);
}

static enum tm_status parse_scalar(struct imap_parser *p)
{
    int c = peek(p);
    if (c == '"')
        return parse_quoted(p);
    if (c == '{' || (c == '~' && p->pos + 1 < p->line.len && p->line.data[p->pos + 1] == '{'))
        return parse_literal(p);
    return parse_atom(p);
}

/* Values separated by single spaces up to the end of the line (or "]" in a code), lists nested
 * without recursion. A space before the end of the line is accepted (servers send "* SEARCH "). */
static enum tm_status parse_values(struct imap_parser *p, bool in_code,
                                   const struct imap_value **out, size_t *n_out)
{
    size_t base = p->n_stack;
    int depth = 0;
    enum tm_status st;
    p->in_code = in_code;
    for (;;) {
        if (peek(p) == '(') {
            if (depth >= p->lim.max_depth)
                return parse_fail(p, TM_ELIMIT, p->pos, _("lists nested deeper than %d"),
                                  p->lim.max_depth);
            p->frames[depth++] = p->n_stack;
            p->pos++;
            if (peek(p) != ')')
                continue;
        } else if ((st = parse_scalar(p)) != TM_OK) {
            return st;
        }
        bool closed = false;
        while (peek(p) == ')' && depth > 0) {
            struct imap_value list = {.type = IMAP_V_LIST};
            p->pos++;
            closed = true;
            if ((st = pop_items(p, p->frames[--depth], &list.items, &list.n)) != TM_OK ||
                (st = push(p, &list)) != TM_OK)
                return st;
        }
        int c = peek(p);
        if (c == '(' && closed && depth > 0)
            continue; /* lists side by side: BODYSTRUCTURE's 1*body, NAMESPACE (RFC 2342) */
        if (c == ' ') {
            p->pos++;
            if (at_end(p) && depth == 0 && !in_code)
                break;
            continue;
        }
        if (depth > 0)
            return parse_fail(p, TM_EPARSE, p->pos,
                              c < 0 ? _("unterminated list") : _("space or \")\" expected"));
        if (in_code && c == ']') {
            p->pos++;
            break;
        }
        if (c < 0 && !in_code)
            break;
        return parse_fail(p, TM_EPARSE, p->pos,
                          in_code ? _("\"]\" expected") : _("space expected"));
    }
    p->in_code = false;
    struct imap_value *items;
    if ((st = pop_items(p, base, &items, n_out)) != TM_OK)
        return st;
    *out = items;
    return TM_OK;
}

/* ---- Responses ---- */

static size_t word_end(const struct imap_parser *p)
{
    size_t i = p->pos;
    while (i < p->line.len && atom_char((unsigned char)p->line.data[i], true) &&
           p->line.data[i] != '[')
        i++;
    return i;
}

static enum tm_status take_text(struct imap_parser *p, struct imap_response *r)
{
    size_t len = p->line.len - p->pos;
    if (memchr(p->line.data + p->pos, 0, len))
        return parse_fail(p, TM_EPARSE, p->pos, _("NUL byte in response text"));
    r->text = arena_str(p, p->line.data + p->pos, len);
    p->pos = p->line.len;
    return r->text ? TM_OK : no_memory(p);
}

/* "[" code [SP args] "]". Arguments that are not IMAP values become one raw ATOM. */
static enum tm_status parse_code(struct imap_parser *p, struct imap_response *r)
{
    size_t start = ++p->pos, end = word_end(p);
    if (end == start)
        return parse_fail(p, TM_EPARSE, start, _("response code expected"));
    if (!(r->code = arena_upper(p, p->line.data + start, end - start)))
        return no_memory(p);
    p->pos = end;
    if (peek(p) == ']') {
        p->pos++;
        return TM_OK;
    }
    if (peek(p) != ' ')
        return parse_fail(p, TM_EPARSE, p->pos, _("bad response code"));
    size_t args = ++p->pos, stack = p->n_stack, values = p->n_values;
    struct tm_error *err = p->err, scratch;
    tm_error_clear(&scratch);
    p->err = &scratch;
    enum tm_status st = parse_values(p, true, &r->code_args, &r->n_code_args);
    p->err = err;
    if (st != TM_EPARSE) {
        if (st && err)
            *err = scratch;
        return st;
    }
    const char *close = memchr(p->line.data + args, ']', p->line.len - args);
    if (!close)
        return parse_fail(p, TM_EPARSE, args, _("\"]\" expected"));
    p->in_code = false;
    p->n_stack = stack;
    p->n_values = values;
    p->pos = (size_t)(close - p->line.data);
    struct imap_value raw = {.type = IMAP_V_ATOM, .len = p->pos - args};
    if (memchr(p->line.data + args, 0, raw.len))
        return parse_fail(p, TM_EPARSE, args, _("NUL byte in a response code"));
    if (!(raw.str = arena_str(p, p->line.data + args, raw.len)))
        return no_memory(p);
    p->pos++;
    struct imap_value *items;
    if ((st = push(p, &raw)) != TM_OK || (st = pop_items(p, stack, &items, &r->n_code_args)))
        return st;
    r->code_args = items;
    return TM_OK;
}

/* [SP ["[" code "]"] [SP text]] after a status condition; a bare "a1 BAD" has text "". A "[" with
 * no "]" on the line is text, not a code. */
static enum tm_status parse_resp_text(struct imap_parser *p, struct imap_response *r)
{
    enum tm_status st;
    if (at_end(p)) {
        r->text = "";
        return TM_OK;
    }
    if (peek(p) != ' ')
        return parse_fail(p, TM_EPARSE, p->pos, _("space expected"));
    p->pos++;
    if (peek(p) == '[' && memchr(p->line.data + p->pos, ']', p->line.len - p->pos)) {
        if ((st = parse_code(p, r)) != TM_OK)
            return st;
        if (at_end(p)) {
            r->text = "";
            return TM_OK;
        }
        if (peek(p) != ' ')
            return parse_fail(p, TM_EPARSE, p->pos, _("space expected after a response code"));
        p->pos++;
    }
    return take_text(p, r);
}

static enum imap_cond cond_of(const char *s, size_t len)
{
    static const struct {
        const char *name;
        enum imap_cond cond;
    } conds[] = {{"OK", IMAP_COND_OK},
                 {"NO", IMAP_COND_NO},
                 {"BAD", IMAP_COND_BAD},
                 {"BYE", IMAP_COND_BYE},
                 {"PREAUTH", IMAP_COND_PREAUTH}};
    for (size_t i = 0; i < sizeof(conds) / sizeof(conds[0]); i++)
        if (strlen(conds[i].name) == len && strncasecmp(conds[i].name, s, len) == 0)
            return conds[i].cond;
    return IMAP_COND_NONE;
}

/* KEYWORD [SP values] for data responses. */
static enum tm_status parse_data(struct imap_parser *p, struct imap_response *r)
{
    size_t start = p->pos, end = word_end(p);
    if (end == start || !isalpha((unsigned char)p->line.data[start]))
        return parse_fail(p, TM_EPARSE, start, _("response keyword expected"));
    if (!(r->keyword = arena_upper(p, p->line.data + start, end - start)))
        return no_memory(p);
    p->pos = end;
    if (at_end(p))
        return TM_OK;
    if (peek(p) != ' ')
        return parse_fail(p, TM_EPARSE, p->pos, _("space expected"));
    p->pos++;
    if (at_end(p))
        return TM_OK;
    return parse_values(p, false, &r->args, &r->n_args);
}

static enum tm_status parse_untagged(struct imap_parser *p, struct imap_response *r)
{
    const char *s = p->line.data;
    size_t start = p->pos, end = word_end(p);
    r->kind = IMAP_UNTAGGED;
    if (start < p->line.len && s[start] >= '0' && s[start] <= '9') {
        for (size_t i = start; i < end; i++) {
            if (s[i] < '0' || s[i] > '9')
                return parse_fail(p, TM_EPARSE, i, _("bad message number"));
            if (i - start >= 19)
                return parse_fail(p, TM_EPARSE, start, _("number too large"));
            r->number = r->number * 10 + (uint64_t)(s[i] - '0');
        }
        if (r->number > INT64_MAX)
            return parse_fail(p, TM_EPARSE, start, _("number too large"));
        r->has_number = true;
        p->pos = end;
        if (peek(p) != ' ')
            return parse_fail(p, TM_EPARSE, p->pos, _("space expected after a number"));
        p->pos++;
        return parse_data(p, r);
    }
    r->cond = cond_of(s + start, end - start);
    if (r->cond == IMAP_COND_NONE)
        return parse_data(p, r);
    p->pos = end;
    return parse_resp_text(p, r);
}

static enum tm_status parse_tagged(struct imap_parser *p, struct imap_response *r)
{
    const char *s = p->line.data;
    size_t i = 0;
    while (i < p->line.len && atom_char((unsigned char)s[i], false) && s[i] != '+')
        i++;
    if (i == 0)
        return parse_fail(p, TM_EPARSE, 0, _("tag, \"*\" or \"+\" expected"));
    if (i == p->line.len || s[i] != ' ')
        return parse_fail(p, TM_EPARSE, i, _("space expected after the tag"));
    r->kind = IMAP_TAGGED;
    if (!(r->tag = arena_str(p, s, i)))
        return no_memory(p);
    p->pos = i + 1;
    size_t end = word_end(p);
    r->cond = cond_of(s + p->pos, end - p->pos);
    if (r->cond != IMAP_COND_OK && r->cond != IMAP_COND_NO && r->cond != IMAP_COND_BAD)
        return parse_fail(p, TM_EPARSE, p->pos, _("OK, NO or BAD expected after the tag"));
    p->pos = end;
    return parse_resp_text(p, r);
}

static void parser_reset(struct imap_parser *p)
{
    imap_arena_reset(&p->arena);
    if (p->cap_stack > STACK_KEEP_MAX) {
        free(p->stack);
        p->stack = NULL;
        p->cap_stack = 0;
    }
    p->n_stack = 0;
    p->n_values = 0;
    p->bytes = 0;
    p->in_code = false;
}

enum tm_status imap_read_response(struct imap_parser *p, const struct imap_source *src,
                                  struct imap_response *resp, struct tm_error *err)
{
    enum tm_status st;
    parser_reset(p);
    memset(resp, 0, sizeof(*resp));
    p->src = src;
    p->err = err;
    if ((st = next_line(p)) != TM_OK)
        goto out;
    const char *s = p->line.data;
    if (s[0] == '+') {
        resp->kind = IMAP_CONTINUATION;
        if (p->line.len > 1 && s[1] != ' ') {
            st = parse_fail(p, TM_EPARSE, 1, _("space expected after \"+\""));
            goto out;
        }
        p->pos = p->line.len > 1 ? 2 : 1;
        st = take_text(p, resp);
    } else if (s[0] == '*' && p->line.len > 1 && s[1] == ' ') {
        p->pos = 2;
        st = parse_untagged(p, resp);
    } else {
        st = parse_tagged(p, resp);
    }
out:
    if (st)
        memset(resp, 0, sizeof(*resp));
    p->src = NULL;
    p->err = NULL;
    return st;
}
