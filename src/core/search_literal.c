/* search_literal.c - the literal strings a POSIX extended regular expression's matches must
 * contain, so that a body search can ask the full-text index and the IMAP server for candidates
 * and confirm the expression only on those. Sound, not complete: unknown syntax yields fewer
 * literals, never a wrong one. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "search.h"
#include "tmail/array.h"

/* One alternative being scanned: its finished literals and the one growing. */
struct branch {
    char **lits;
    size_t n, cap;
    struct tm_buf cur;
    bool broken; /* something other than plain characters was seen */
};

static enum tm_status flush(struct branch *b)
{
    if (b->cur.len == 0)
        return TM_OK;
    if (TM_ARRAY_RESERVE(b->lits, b->n, b->cap, 4))
        return TM_ENOMEM;
    char *lit = tm_buf_steal(&b->cur);
    if (!lit)
        return TM_ENOMEM;
    b->lits[b->n++] = lit;
    return TM_OK;
}

/* A quantifier that may repeat zero times drops the character it applies to: the last one of
 * the growing literal (a whole UTF-8 sequence, as regcomp sees it in a UTF-8 locale). */
static void drop_last_char(struct branch *b)
{
    size_t len = b->cur.len;
    while (len > 0 && ((unsigned char)b->cur.data[len - 1] & 0xc0) == 0x80)
        len--; /* continuation bytes */
    if (len > 0)
        len--;
    b->cur.len = len;
    if (b->cur.data)
        b->cur.data[len] = 0;
}

/* Index just past the bracket expression starting at re[i] == '['. */
static size_t skip_bracket(const char *re, size_t i)
{
    i++;
    if (re[i] == '^')
        i++;
    if (re[i] == ']')
        i++; /* a leading ] is a member */
    while (re[i] && re[i] != ']') {
        if (re[i] == '[' && (re[i + 1] == ':' || re[i + 1] == '.' || re[i + 1] == '=')) {
            char close = re[i + 1];
            const char *end = strchr(re + i + 2, close);
            while (end && end[1] != ']')
                end = strchr(end + 1, close);
            i = end ? (size_t)(end - re) + 2 : i + 1;
        } else {
            i++;
        }
    }
    return re[i] ? i + 1 : i;
}

/* Index just past the group starting at re[i] == '(' (or the end when it is not closed). */
static size_t skip_group(const char *re, size_t i)
{
    int depth = 0;
    while (re[i]) {
        if (re[i] == '\\' && re[i + 1]) {
            i += 2;
            continue;
        }
        if (re[i] == '[') {
            i = skip_bracket(re, i);
            continue;
        }
        if (re[i] == '(')
            depth++;
        else if (re[i] == ')' && --depth == 0)
            return i + 1;
        i++;
    }
    return i;
}

/* An interval {m}, {m,}, {m,n} or glibc's {,n} at re[i]: *min gets m (0 for {,n}); returns the
 * index past it, or i when re[i] does not start one. */
static size_t interval(const char *re, size_t i, long *min)
{
    if (re[i] != '{' || !(isdigit((unsigned char)re[i + 1]) || re[i + 1] == ','))
        return i;
    char *end = (char *)re + i + 1;
    *min = isdigit((unsigned char)*end) ? strtol(end, &end, 10) : 0;
    if (*end == ',')
        end++;
    while (isdigit((unsigned char)*end))
        end++;
    return *end == '}' ? (size_t)(end - re) + 1 : i;
}

/* Characters that stand for themselves after a backslash; \w, \b, \1 ... do not. */
static bool escaped_literal(char c)
{
    return c && !isalnum((unsigned char)c) && c != '<' && c != '>' && c != '`' && c != '\'';
}

/* The literals of re[from..to), one alternative without top-level |. */
static enum tm_status scan_branch(const char *re, size_t from, size_t to, struct branch *b)
{
    enum tm_status st = TM_OK;
    for (size_t i = from; i < to && !st;) {
        char c = re[i];
        long min = 1;
        size_t past = i;
        if (c == '\\' && i + 1 < to) {
            if (escaped_literal(re[i + 1])) {
                st = tm_buf_append_char(&b->cur, re[i + 1]);
            } else {
                b->broken = true;
                st = flush(b);
            }
            i += 2;
        } else if (c == '*' || c == '?' || ((past = interval(re, i, &min)) != i && min == 0)) {
            drop_last_char(b);
            b->broken = true;
            st = flush(b);
            i = c == '{' ? past : i + 1;
        } else if (c == '+' || (c == '{' && past != i)) {
            b->broken = true; /* the character stays: at least one of it */
            st = flush(b);
            i = c == '{' ? past : i + 1;
        } else if (c == '[' || c == '(' || c == '.' || c == '^' || c == '$' || c == ')' ||
                   c == '\\' || c == '{') { /* a brace that is no interval: regcomp's business */
            b->broken = true;
            st = flush(b);
            i = c == '[' ? skip_bracket(re, i) : c == '(' ? skip_group(re, i) : i + 1;
            if (i > to)
                i = to;
        } else {
            st = tm_buf_append_char(&b->cur, c);
            i++;
        }
        /* a quantifier after a group or bracket applies to what was skipped: nothing to drop */
    }
    return st ? st : flush(b);
}

/* Top-level | positions: outside groups, brackets and escapes. */
static size_t next_bar(const char *re, size_t i)
{
    while (re[i] && re[i] != '|') {
        if (re[i] == '\\' && re[i + 1])
            i += 2;
        else if (re[i] == '[')
            i = skip_bracket(re, i);
        else if (re[i] == '(')
            i = skip_group(re, i);
        else
            i++;
    }
    return i;
}

static void branch_cleanup(struct branch *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->lits[i]);
    free(b->lits);
    tm_buf_cleanup(&b->cur);
    memset(b, 0, sizeof(*b));
}

void search_literals_cleanup(struct search_literals *l)
{
    for (size_t g = 0; g < l->n_groups; g++) {
        for (size_t i = 0; i < l->groups[g].n; i++)
            free((char *)l->groups[g].literals[i]);
        free((char **)l->groups[g].literals);
    }
    free(l->groups);
    memset(l, 0, sizeof(*l));
}

enum tm_status search_literals_extract(const char *re, struct search_literals *out)
{
    size_t cap = 0, from = 0, len = strlen(re);
    bool any_bar = false, known = true;
    enum tm_status st = TM_OK;
    memset(out, 0, sizeof(*out));
    while (!st && from <= len) {
        size_t bar = next_bar(re, from);
        struct branch b;
        memset(&b, 0, sizeof(b));
        tm_buf_init(&b.cur, len + 1);
        st = scan_branch(re, from, bar, &b);
        if (!st && b.n == 0)
            known = false; /* this alternative can match without any literal */
        if (!st && known && TM_ARRAY_RESERVE(out->groups, out->n_groups, cap, 2))
            st = TM_ENOMEM;
        if (!st && known) {
            out->groups[out->n_groups++] = (struct tm_text_group){(const char *const *)b.lits, b.n};
            out->plain = !b.broken && b.n == 1 && !any_bar && !re[bar];
            b.lits = NULL;
            b.n = 0;
        }
        branch_cleanup(&b);
        any_bar |= re[bar] == '|';
        from = bar + 1;
    }
    if (st || !known)
        search_literals_cleanup(out);
    return st;
}
