/* pattern.c - compiling and matching mutt's message patterns against cached rows. A recursive
 * descent parser builds a small tree: or-lists of and-lists of (possibly negated) atoms. */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/flags.h"
#include "tmail/i18n.h"
#include "tmail/pattern.h"
#include "tmail/regex.h"
#include "tmail/str.h"

#define PATTERN_DEPTH_MAX 32
#define PATTERN_ARG_MAX   1024

enum node_kind {
    NODE_AND,
    NODE_OR,
    NODE_NOT,
    NODE_FLAGS,
    NODE_REGEX,
    NODE_SIZE,
    NODE_DATE,
};
enum field { FIELD_SUBJECT, FIELD_FROM, FIELD_TO, FIELD_MSGID, FIELD_REFS };

struct tm_pattern {
    enum node_kind kind;
    struct tm_pattern *a, *b; /* AND/OR operands; NOT uses a */
    unsigned mask, want;      /* NODE_FLAGS: (flags & mask) == want */
    enum field field;         /* NODE_REGEX */
    regex_t re;
    bool have_re;
    long long lo, hi; /* NODE_SIZE bytes, NODE_DATE: relative seconds (lo/hi) */
};

struct parser {
    const char *s;
    size_t pos;
    int depth;
    struct tm_error *err;
};

static struct tm_pattern *node(enum node_kind kind)
{
    struct tm_pattern *p = calloc(1, sizeof(struct tm_pattern));
    if (p)
        p->kind = kind;
    return p;
}

void tm_pattern_free(struct tm_pattern **pp)
{
    struct tm_pattern *p = *pp;
    if (!p)
        return;
    tm_pattern_free(&p->a);
    tm_pattern_free(&p->b);
    if (p->have_re)
        regfree(&p->re);
    free(p);
    *pp = NULL;
}

static void skip_blanks(struct parser *ps)
{
    while (ps->s[ps->pos] == ' ' || ps->s[ps->pos] == '\t')
        ps->pos++;
}

static struct tm_pattern *fail(struct parser *ps, const char *what)
{
    if (ps->err && ps->err->status == TM_OK)
        tm_error_set(ps->err, TM_EPARSE, _("pattern error at column %zu: %s"), ps->pos + 1, what);
    return NULL;
}

/* An argument: "quoted", 'quoted' or a bare word up to a blank or parenthesis. */
static bool read_arg(struct parser *ps, char *out, size_t size)
{
    size_t n = 0;
    skip_blanks(ps);
    char quote = ps->s[ps->pos] == '"' || ps->s[ps->pos] == '\'' ? ps->s[ps->pos++] : 0;
    while (ps->s[ps->pos] && n + 1 < size) {
        char c = ps->s[ps->pos];
        if (quote ? c == quote : (c == ' ' || c == '\t' || c == '(' || c == ')'))
            break;
        if (c == '\\' && ps->s[ps->pos + 1])
            c = ps->s[++ps->pos];
        out[n++] = c;
        ps->pos++;
    }
    if (quote && ps->s[ps->pos] == quote)
        ps->pos++;
    out[n] = 0;
    return n > 0;
}

static struct tm_pattern *regex_node(struct parser *ps, enum field field, const char *arg)
{
    bool upper = false;
    for (const char *c = arg; *c; c++)
        upper |= isupper((unsigned char)*c) != 0;
    struct tm_pattern *p = node(NODE_REGEX);
    if (!p)
        return fail(ps, _("out of memory"));
    p->field = field;
    if (tm_regex_compile(&p->re, arg, REG_NOSUB | (upper ? 0 : REG_ICASE), ps->err)) {
        free(p);
        return NULL;
    }
    p->have_re = true;
    return p;
}

/* "10K", "1M", "300": bytes. */
static bool parse_size(const char *s, long long *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < 0)
        return false;
    if (*end == 'K' || *end == 'k')
        v *= 1024, end++;
    else if (*end == 'M' || *end == 'm')
        v *= 1024 * 1024, end++;
    *out = v;
    return *end == 0;
}

/* "<10K", ">1M", "1K-10K", "-10K", "10K-", "300". */
static struct tm_pattern *size_node(struct parser *ps, const char *arg)
{
    struct tm_pattern *p = node(NODE_SIZE);
    char lo[64] = "", hi[64] = "";
    if (!p)
        return fail(ps, _("out of memory"));
    p->lo = 0;
    p->hi = -1;
    const char *dash = strchr(arg, '-');
    bool ok;
    if (arg[0] == '<')
        ok = parse_size(arg + 1, &p->hi) && (p->hi--, true);
    else if (arg[0] == '>')
        ok = parse_size(arg + 1, &p->lo) && (p->lo++, true);
    else if (dash && (size_t)(dash - arg) < sizeof(lo) && strlen(dash + 1) < sizeof(hi)) {
        memcpy(lo, arg, (size_t)(dash - arg));
        snprintf(hi, sizeof(hi), "%s", dash + 1);
        ok = (!lo[0] || parse_size(lo, &p->lo)) && (!hi[0] || parse_size(hi, &p->hi));
    } else
        ok = parse_size(arg, &p->lo) && (p->hi = p->lo, true);
    if (!ok) {
        free(p);
        return fail(ps, _("bad size (like <10K, >1M, 1K-10K)"));
    }
    return p;
}

/* Relative dates: "<2w" (newer than two weeks), ">1m" (older than a month); units d w m y. */
static struct tm_pattern *date_node(struct parser *ps, const char *arg)
{
    static const struct {
        char unit;
        long long seconds;
    } units[] = {{'d', 86400}, {'w', 7 * 86400}, {'m', 30 * 86400}, {'y', 365 * 86400}};
    char *end;
    long long n = (arg[0] == '<' || arg[0] == '>') ? strtoll(arg + 1, &end, 10) : -1;
    for (size_t i = 0; n >= 0 && i < sizeof(units) / sizeof(units[0]); i++) {
        if (end != arg + 1 && end[0] == units[i].unit && end[1] == 0) {
            struct tm_pattern *p = node(NODE_DATE);
            if (!p)
                return fail(ps, _("out of memory"));
            p->lo = arg[0] == '<' ? n * units[i].seconds : -1; /* newer than lo seconds ago */
            p->hi = arg[0] == '>' ? n * units[i].seconds : -1; /* older than hi seconds ago */
            return p;
        }
    }
    return fail(ps, _("bad date (like <2w or >1m; units d, w, m, y)"));
}

static struct tm_pattern *flags_node(struct parser *ps, unsigned mask, unsigned want)
{
    struct tm_pattern *p = node(NODE_FLAGS);
    if (!p)
        return fail(ps, _("out of memory"));
    p->mask = mask;
    p->want = want;
    return p;
}

static struct tm_pattern *parse_or(struct parser *ps);

static struct tm_pattern *simple_search(struct parser *ps)
{
    char arg[PATTERN_ARG_MAX];
    if (!read_arg(ps, arg, sizeof(arg)))
        return fail(ps, _("expected a pattern"));
    struct tm_pattern *f = regex_node(ps, FIELD_FROM, arg),
                      *s = f ? regex_node(ps, FIELD_SUBJECT, arg) : NULL;
    struct tm_pattern * or = s ? node(NODE_OR) : NULL;
    if (! or) {
        tm_pattern_free(&f);
        tm_pattern_free(&s);
        return NULL;
    }
    or->a = f;
    or->b = s;
    return or ;
}

static struct tm_pattern *parse_atom(struct parser *ps)
{
    size_t start = ps->pos;
    char c = ps->s[++ps->pos], arg[PATTERN_ARG_MAX];
    if (c)
        ps->pos++;
    switch (c) {
    case 'A':
        return flags_node(ps, 0, 0);
    case 'N':
    case 'U':
        return flags_node(ps, TM_FLAG_SEEN, 0);
    case 'O':
        return flags_node(ps, TM_FLAG_SEEN | TM_FLAG_RECENT, 0);
    case 'R':
        return flags_node(ps, TM_FLAG_SEEN, TM_FLAG_SEEN);
    case 'F':
        return flags_node(ps, TM_FLAG_FLAGGED, TM_FLAG_FLAGGED);
    case 'D':
        return flags_node(ps, TM_FLAG_DELETED, TM_FLAG_DELETED);
    case 'Q':
        return flags_node(ps, TM_FLAG_ANSWERED, TM_FLAG_ANSWERED);
    default:
        break;
    }
    static const struct {
        char letter;
        enum field field;
    } fields[] = {{'s', FIELD_SUBJECT}, {'f', FIELD_FROM},  {'t', FIELD_TO},
                  {'C', FIELD_TO},      {'i', FIELD_MSGID}, {'x', FIELD_REFS}};
    bool known = c == 'z' || c == 'd';
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        known |= fields[i].letter == c;
    if (!known) {
        ps->pos = start; /* point at the ~ */
        return fail(ps,
                    _("unknown pattern (known: ~A ~N ~O ~R ~U ~F ~D ~Q ~s ~f ~t ~C ~i ~x ~z ~d)"));
    }
    if (!read_arg(ps, arg, sizeof(arg)))
        return fail(ps, _("this pattern needs an argument"));
    if (c == 'z')
        return size_node(ps, arg);
    if (c == 'd')
        return date_node(ps, arg);
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (fields[i].letter == c)
            return regex_node(ps, fields[i].field, arg);
    return NULL;
}

static struct tm_pattern *parse_factor(struct parser *ps)
{
    skip_blanks(ps);
    char c = ps->s[ps->pos];
    if (++ps->depth > PATTERN_DEPTH_MAX)
        return fail(ps, _("pattern nested too deeply"));
    struct tm_pattern *p = NULL;
    if (c == '!') {
        ps->pos++;
        struct tm_pattern *inner = parse_factor(ps);
        if (inner && !(p = node(NODE_NOT)))
            tm_pattern_free(&inner);
        if (p)
            p->a = inner;
    } else if (c == '(') {
        ps->pos++;
        p = parse_or(ps);
        skip_blanks(ps);
        if (p && ps->s[ps->pos] != ')') {
            tm_pattern_free(&p);
            p = fail(ps, _("missing )"));
        } else if (p) {
            ps->pos++;
        }
    } else if (c == '~') {
        p = parse_atom(ps);
    } else if (c && c != ')' && c != '|') {
        p = simple_search(ps);
    } else {
        p = fail(ps, _("expected a pattern"));
    }
    ps->depth--;
    return p;
}

/* Joins l and r under kind; frees both on failure. */
static struct tm_pattern *join(struct parser *ps, enum node_kind kind, struct tm_pattern *l,
                               struct tm_pattern *r)
{
    struct tm_pattern *p = l && r ? node(kind) : NULL;
    if (!p) {
        tm_pattern_free(&l);
        tm_pattern_free(&r);
        return ps->err && ps->err->status ? NULL : fail(ps, _("out of memory"));
    }
    p->a = l;
    p->b = r;
    return p;
}

static struct tm_pattern *parse_and(struct parser *ps)
{
    struct tm_pattern *p = parse_factor(ps);
    for (;;) {
        skip_blanks(ps);
        char c = ps->s[ps->pos];
        if (!p || !c || c == '|' || c == ')')
            return p;
        p = join(ps, NODE_AND, p, parse_factor(ps));
    }
}

static struct tm_pattern *parse_or(struct parser *ps)
{
    struct tm_pattern *p = parse_and(ps);
    skip_blanks(ps);
    while (p && ps->s[ps->pos] == '|') {
        ps->pos++;
        p = join(ps, NODE_OR, p, parse_and(ps));
        skip_blanks(ps);
    }
    return p;
}

enum tm_status tm_pattern_compile(const char *text, struct tm_pattern **out, struct tm_error *err)
{
    struct tm_error local;
    struct parser ps = {text, 0, 0, err ? err : &local};
    tm_error_clear(ps.err);
    *out = parse_or(&ps);
    skip_blanks(&ps);
    if (*out && text[ps.pos]) {
        tm_pattern_free(out);
        fail(&ps, _("unexpected text"));
    }
    return *out ? TM_OK : (ps.err->status ? ps.err->status : TM_EPARSE);
}

static const char *field_text(const struct tm_message_row *r, enum field f, char *buf, size_t size)
{
    switch (f) {
    case FIELD_SUBJECT:
        return r->subject;
    case FIELD_FROM:
        snprintf(buf, size, "%s <%s>", r->from_name ? r->from_name : "",
                 r->from_addr ? r->from_addr : "");
        return buf;
    case FIELD_TO:
        return r->to_addrs;
    case FIELD_MSGID:
        return r->message_id;
    case FIELD_REFS:
        return r->references;
    }
    return NULL;
}

bool tm_pattern_match(const struct tm_pattern *p, const struct tm_message_row *row, time_t now)
{
    char buf[1024];
    switch (p->kind) {
    case NODE_AND:
        return tm_pattern_match(p->a, row, now) && tm_pattern_match(p->b, row, now);
    case NODE_OR:
        return tm_pattern_match(p->a, row, now) || tm_pattern_match(p->b, row, now);
    case NODE_NOT:
        return !tm_pattern_match(p->a, row, now);
    case NODE_FLAGS:
        return (row->flags & p->mask) == p->want;
    case NODE_REGEX: {
        const char *t = field_text(row, p->field, buf, sizeof(buf));
        return regexec(&p->re, t ? t : "", 0, NULL, 0) == 0;
    }
    case NODE_SIZE:
        return row->size >= p->lo && (p->hi < 0 || row->size <= p->hi);
    case NODE_DATE: {
        long long age = (long long)now - row->date;
        return (p->lo < 0 || age <= p->lo) && (p->hi < 0 || age >= p->hi);
    }
    }
    return false;
}
