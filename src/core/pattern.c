/* pattern.c - compiling and matching mutt's message patterns against cached rows. A recursive
 * descent parser builds a small tree: or-lists of and-lists of (possibly negated) atoms. Text
 * atoms (~b ~B ~h =b =B =h) carry what the worker needs to search (search.h) and the result it
 * found. */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <wctype.h>

#include "search.h"
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
    NODE_TEXT,
};
enum field { FIELD_SUBJECT, FIELD_FROM, FIELD_TO, FIELD_MSGID, FIELD_REFS };

struct tm_pattern {
    enum node_kind kind;
    struct tm_pattern *a, *b; /* AND/OR operands; NOT uses a */
    unsigned mask, want;      /* NODE_FLAGS: (flags & mask) == want */
    enum field field;         /* NODE_REGEX */
    regex_t re;
    bool have_re;
    long long lo, hi;       /* NODE_SIZE bytes, NODE_DATE: relative seconds (lo/hi) */
    struct text_atom *text; /* NODE_TEXT */
};

/* A text atom: what it searches, and the ids it matched once the worker says. */
struct text_atom {
    struct tm_pattern_text info; /* points into arg and lits */
    char *arg;
    struct search_literals lits;
    int64_t *ids; /* sorted, distinct */
    size_t n_ids;
    uint64_t stamp;
    bool has_result;
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
    if (p->text) {
        free(p->text->arg);
        search_literals_cleanup(&p->text->lits);
        free(p->text->ids);
        free(p->text);
    }
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

/* mutt's smart case: an upper-case letter (in any script the locale knows) makes a regex
 * case-sensitive. */
static bool has_upper(const char *s)
{
    mbstate_t mb;
    memset(&mb, 0, sizeof(mb));
    size_t left = strlen(s);
    while (left > 0) {
        wchar_t wc;
        size_t n = mbrtowc(&wc, s, left, &mb);
        if (n == (size_t)-1 || n == (size_t)-2) { /* not a character here: judge the byte */
            if (isupper((unsigned char)*s))
                return true;
            memset(&mb, 0, sizeof(mb));
            n = 1;
        } else if (n == 0) {
            break;
        } else if (iswupper((wint_t)wc)) {
            return true;
        }
        s += n;
        left -= n;
    }
    return false;
}

static struct tm_pattern *regex_node(struct parser *ps, enum field field, const char *arg)
{
    bool upper = has_upper(arg);
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

/* arg as an extended regular expression matching it literally (=b, =B, =h), malloc'd. */
static char *escape_regex(const char *arg)
{
    size_t n = strlen(arg);
    char *out = malloc(2 * n + 1), *o = out;
    if (!out)
        return NULL;
    for (const char *c = arg; *c; c++) {
        if (strchr("\\.[]()*+?{}|^$", *c))
            *o++ = '\\';
        *o++ = *c;
    }
    *o = 0;
    return out;
}

/* ~b ~B ~h (regex) and =b =B =h (string). Lines are matched one at a time, as mutt does:
 * REG_NEWLINE keeps ., [^x], ^ and $ within a line. */
static struct tm_pattern *text_node(struct parser *ps, enum tm_pattern_scope scope, bool string,
                                    const char *arg)
{
    struct tm_pattern *p = node(NODE_TEXT);
    struct text_atom *t = p ? calloc(1, sizeof(*t)) : NULL;
    char *re = t ? (string ? escape_regex(arg) : strdup(arg)) : NULL;
    if (p)
        p->text = t;
    if (!re || !(t->arg = strdup(arg)) || search_literals_extract(re, &t->lits)) {
        free(re);
        tm_pattern_free(&p);
        return fail(ps, _("out of memory"));
    }
    bool icase = !has_upper(arg);
    enum tm_status st =
        tm_regex_compile(&p->re, re, REG_NOSUB | REG_NEWLINE | (icase ? REG_ICASE : 0), ps->err);
    free(re);
    if (st) {
        tm_pattern_free(&p);
        return NULL;
    }
    p->have_re = true;
    t->info = (struct tm_pattern_text){scope, t->arg,         string,          t->lits.plain,
                                       icase, t->lits.groups, t->lits.n_groups};
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

static enum tm_pattern_scope scope_of(char c)
{
    return c == 'b' ? TM_PATTERN_BODY : c == 'h' ? TM_PATTERN_HEADERS : TM_PATTERN_WHOLE;
}

/* =b, =B, =h: a string, not a regular expression (neomutt's string search). */
static struct tm_pattern *parse_string_atom(struct parser *ps)
{
    char c = ps->s[ps->pos + 1], arg[PATTERN_ARG_MAX];
    ps->pos += 2;
    if (!read_arg(ps, arg, sizeof(arg)))
        return fail(ps, _("this pattern needs an argument"));
    return text_node(ps, scope_of(c), true, arg);
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
    bool known = c == 'z' || c == 'd' || c == 'b' || c == 'B' || c == 'h';
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        known |= fields[i].letter == c;
    if (!known) {
        ps->pos = start; /* point at the ~ */
        return fail(ps, _("unknown pattern (known: ~A ~N ~O ~R ~U ~F ~D ~Q ~s ~f ~t ~C ~i ~x ~z "
                          "~d ~b ~B ~h =b =B =h)"));
    }
    if (!read_arg(ps, arg, sizeof(arg)))
        return fail(ps, _("this pattern needs an argument"));
    if (c == 'z')
        return size_node(ps, arg);
    if (c == 'd')
        return date_node(ps, arg);
    if (c == 'b' || c == 'B' || c == 'h')
        return text_node(ps, scope_of(c), false, arg);
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
    } else if (c == '=' && ps->s[ps->pos + 1] && strchr("bBh", ps->s[ps->pos + 1])) {
        p = parse_string_atom(ps);
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

bool tm_pattern_check_index_color(const char *text, char *msg, size_t size)
{
    struct tm_pattern *p = NULL;
    struct tm_error err;
    if (tm_pattern_compile(text, &p, &err) != TM_OK)
        return snprintf(msg, size, "%s", err.message), false;
    const struct tm_pattern_text *t = tm_pattern_text_atom(p, 0);
    bool usable = t == NULL;
    if (t) {
        char atom[3] = {t->string ? '=' : '~', "bhB"[t->scope], 0}; /* in scope order */
        snprintf(msg, size, _("%s needs the message text and cannot color the index"), atom);
    }
    tm_pattern_free(&p);
    return usable;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
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
    case NODE_TEXT:
        return p->text->has_result && p->text->n_ids > 0 &&
               bsearch(&row->id, p->text->ids, p->text->n_ids, sizeof(int64_t), cmp_id) != NULL;
    }
    return false;
}

/* The text atoms in the order they were written, into out[0..max); returns how many there are. */
static size_t collect_text(const struct tm_pattern *p, struct tm_pattern **out, size_t max,
                           size_t n)
{
    if (!p)
        return n;
    if (p->kind == NODE_TEXT) {
        if (n < max)
            out[n] = (struct tm_pattern *)p;
        return n + 1;
    }
    return collect_text(p->b, out, max, collect_text(p->a, out, max, n));
}

size_t tm_pattern_text_count(const struct tm_pattern *p)
{
    return collect_text(p, NULL, 0, 0);
}

/* The node of text atom i, or NULL. */
static struct tm_pattern *text_at(const struct tm_pattern *p, size_t i)
{
    struct tm_pattern *nodes[PATTERN_DEPTH_MAX * 2];
    size_t n = collect_text(p, nodes, sizeof(nodes) / sizeof(nodes[0]), 0);
    if (i < n && i < sizeof(nodes) / sizeof(nodes[0]))
        return nodes[i];
    if (i >= n)
        return NULL;
    /* more atoms than fit (juxtaposition does not nest): walk again past them */
    struct tm_pattern **all = malloc(n * sizeof(*all));
    struct tm_pattern *found = NULL;
    if (all && collect_text(p, all, n, 0) == n)
        found = all[i];
    free(all);
    return found;
}

const struct tm_pattern_text *tm_pattern_text_atom(const struct tm_pattern *p, size_t i)
{
    struct tm_pattern *t = text_at(p, i);
    return t ? &t->text->info : NULL;
}

bool tm_pattern_text_match(const struct tm_pattern *p, size_t i, const char *headers,
                           size_t headers_len, const char *body, size_t body_len)
{
    const struct tm_pattern *t = text_at(p, i);
    if (!t)
        return false;
    enum tm_pattern_scope scope = t->text->info.scope;
    (void)headers_len;
    (void)body_len; /* both end with a NUL there, and hold none before it */
    if (scope != TM_PATTERN_BODY && regexec(&t->re, headers, 0, NULL, 0) == 0)
        return true;
    return scope != TM_PATTERN_HEADERS && regexec(&t->re, body, 0, NULL, 0) == 0;
}

void tm_pattern_set_text_result(struct tm_pattern *p, size_t i, int64_t *ids, size_t n,
                                uint64_t stamp)
{
    struct tm_pattern *t = text_at(p, i);
    if (!t) {
        free(ids);
        return;
    }
    if (n > 1)
        qsort(ids, n, sizeof(*ids), cmp_id);
    size_t k = 0;
    for (size_t j = 0; j < n; j++)
        if (k == 0 || ids[k - 1] != ids[j])
            ids[k++] = ids[j];
    free(t->text->ids);
    t->text->ids = ids;
    t->text->n_ids = k;
    t->text->stamp = stamp;
    t->text->has_result = true;
}

bool tm_pattern_text_ready(const struct tm_pattern *p, uint64_t stamp)
{
    for (size_t i = 0, n = tm_pattern_text_count(p); i < n; i++) {
        const struct tm_pattern *t = text_at(p, i);
        if (!t || !t->text->has_result || t->text->stamp != stamp)
            return false;
    }
    return true;
}
