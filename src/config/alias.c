/* alias.c - mutt's address aliases: "alias [-group NAME]... KEY ADDRESS[, ADDRESS...] [# note]"
 * and "unalias [-group NAME]... KEY... | *" lines of a tmailrc or a mutt alias file, look-up,
 * completion of a typed prefix, and expansion of alias keys in a recipient list. Words are read
 * as mutt's muttrc reader does ("" and '' quoting, backslash escapes), except that nothing is
 * expanded ($VAR, `command`): alias files are data. The address list keeps its quotes, as
 * mutt's does, since they belong to RFC 5322 display names. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "private.h"
#include "tmail/alias.h"
#include "tmail/array.h"
#include "tmail/buf.h"
#include "tmail/fsutil.h"
#include "tmail/i18n.h"

/* One line being read. */
struct alias_lex {
    const char *s;
    size_t len, pos;
    struct tm_error *err;
};

static void lex_blanks(struct alias_lex *lx)
{
    while (lx->pos < lx->len && (lx->s[lx->pos] == ' ' || lx->s[lx->pos] == '\t'))
        lx->pos++;
}

/* True when nothing but a comment is left. */
static bool lex_at_end(struct alias_lex *lx)
{
    lex_blanks(lx);
    return lx->pos >= lx->len || lx->s[lx->pos] == '#';
}

/* After a backslash at lx->pos: the byte it stands for (mutt: \n \r \t \f \e, \cX control-X,
 * \ooo octal, anything else itself); -1 (err set) for a NUL. A backslash ending the line is
 * itself. */
static int lex_escape(struct alias_lex *lx)
{
    if (lx->pos >= lx->len)
        return '\\';
    unsigned char c = (unsigned char)lx->s[lx->pos++];
    int v;
    switch (c) {
    case 'n':
        v = '\n';
        break;
    case 'r':
        v = '\r';
        break;
    case 't':
        v = '\t';
        break;
    case 'f':
        v = '\f';
        break;
    case 'e':
    case 'E':
        v = 27;
        break;
    case 'c':
    case 'C':
        if (lx->pos >= lx->len)
            return c;
        c = (unsigned char)lx->s[lx->pos++];
        v = c == '?' ? 127 : toupper(c) & 0x1f;
        break;
    default:
        v = c;
        if (c >= '0' && c <= '7' && lx->pos + 2 <= lx->len && lx->s[lx->pos] >= '0' &&
            lx->s[lx->pos] <= '7' && lx->s[lx->pos + 1] >= '0' && lx->s[lx->pos + 1] <= '7') {
            v = ((c - '0') << 6) | ((lx->s[lx->pos] - '0') << 3) | (lx->s[lx->pos + 1] - '0');
            v &= 0xff;
            lx->pos += 2;
        }
    }
    if (v == 0) {
        tm_error_set(lx->err, TM_EPARSE, _("NUL character in an alias line"));
        return -1;
    }
    return v;
}

/* Reads one word (quotes removed, escapes applied) into out; *present is false when only a
 * comment or nothing is left. TM_EPARSE (err set) for an unclosed quote, TM_ENOMEM. */
static enum tm_status lex_word(struct alias_lex *lx, struct tm_buf *out, bool *present)
{
    char quote = 0;
    tm_buf_reset(out);
    *present = !lex_at_end(lx);
    while (*present && lx->pos < lx->len) {
        char c = lx->s[lx->pos];
        if (!quote && (c == ' ' || c == '\t' || c == '#'))
            break;
        lx->pos++;
        int v = (unsigned char)c;
        if (c == quote) {
            quote = 0;
            continue;
        }
        if (!quote && (c == '"' || c == '\'')) {
            quote = c;
            continue;
        }
        if (c == '\\' && quote != '\'' && (v = lex_escape(lx)) < 0)
            return TM_EPARSE;
        if (tm_buf_append_char(out, (char)v))
            return TM_ENOMEM;
    }
    if (quote)
        return tm_error_set(lx->err, TM_EPARSE, _("unclosed %c quote in an alias line"), quote);
    if (!out->data && tm_buf_append(out, "", 0))
        return TM_ENOMEM;
    return TM_OK;
}

/* Double quotes of the address list seen so far (the bytes after escapes): a '#' inside a
 * quoted display name such as "Team #2" does not start a comment. */
struct quote_state {
    bool open, pair; /* inside "..."; the last byte was a backslash inside it */
};

static void quote_track(struct quote_state *q, char c)
{
    if (q->pair)
        q->pair = false;
    else if (q->open && c == '\\')
        q->pair = true;
    else if (c == '"')
        q->open = !q->open;
}

/* Reads the rest of the line as the address list (escapes applied, quotes kept, trailing blanks
 * trimmed) into value, and the text of a trailing comment (trimmed) into comment. */
static enum tm_status lex_value(struct alias_lex *lx, struct tm_buf *value, struct tm_buf *comment)
{
    struct quote_state q = {0};
    tm_buf_reset(value);
    tm_buf_reset(comment);
    lex_blanks(lx);
    while (lx->pos < lx->len) {
        char c = lx->s[lx->pos++];
        int v = (unsigned char)c;
        if (c == '#' && !q.open) {
            size_t a = lx->pos, b = lx->len;
            while (a < b && (lx->s[a] == ' ' || lx->s[a] == '\t'))
                a++;
            while (b > a && (lx->s[b - 1] == ' ' || lx->s[b - 1] == '\t'))
                b--;
            if (tm_buf_append(comment, lx->s + a, b - a))
                return TM_ENOMEM;
            break;
        }
        if (c == '\\' && (v = lex_escape(lx)) < 0)
            return TM_EPARSE;
        quote_track(&q, (char)v);
        if (tm_buf_append_char(value, (char)v))
            return TM_ENOMEM;
    }
    if (q.open)
        return tm_error_set(lx->err, TM_EPARSE, _("unclosed \" quote in an alias line"));
    while (value->len > 0 &&
           (value->data[value->len - 1] == ' ' || value->data[value->len - 1] == '\t'))
        value->data[--value->len] = 0;
    return TM_OK;
}

/* Skips "-group NAME" pairs and reads the next word into word. */
static enum tm_status lex_after_groups(struct alias_lex *lx, struct tm_buf *word, bool *present)
{
    enum tm_status st;
    while ((st = lex_word(lx, word, present)) == TM_OK && *present &&
           strcasecmp(word->data, "-group") == 0) {
        if ((st = lex_word(lx, word, present)) != TM_OK)
            return st;
        if (!*present || !*word->data)
            return tm_error_set(lx->err, TM_EPARSE, _("-group needs a group name"));
    }
    return st;
}

/* ---- the set ---- */

void tm_alias_set_cleanup(struct tm_alias_set *set)
{
    if (!set)
        return;
    for (size_t i = 0; i < set->count; i++) {
        free(set->items[i].key);
        free(set->items[i].value);
        free(set->items[i].comment);
    }
    free(set->items);
    memset(set, 0, sizeof(*set));
}

static struct tm_alias *alias_find(const struct tm_alias_set *set, const char *key)
{
    for (size_t i = 0; i < set->count; i++) {
        if (strcasecmp(set->items[i].key, key) == 0)
            return &set->items[i];
    }
    return NULL;
}

/* Adds key = value (with comment, may be empty), replacing an alias of the same key in place. */
static enum tm_status alias_put(struct tm_alias_set *set, const char *key, const char *value,
                                const char *comment)
{
    struct tm_alias a = {
        .key = strdup(key), .value = strdup(value), .comment = *comment ? strdup(comment) : NULL};
    struct tm_alias *old = alias_find(set, key);
    if (!a.key || !a.value || (*comment && !a.comment) ||
        (!old && TM_ARRAY_RESERVE(set->items, set->count, set->cap, 16))) {
        free(a.key);
        free(a.value);
        free(a.comment);
        return TM_ENOMEM;
    }
    if (old) {
        free(old->key);
        free(old->value);
        free(old->comment);
        *old = a;
    } else {
        set->items[set->count++] = a;
    }
    return TM_OK;
}

static void alias_remove(struct tm_alias_set *set, const char *key)
{
    struct tm_alias *a = alias_find(set, key);
    if (!a)
        return;
    free(a->key);
    free(a->value);
    free(a->comment);
    size_t i = (size_t)(a - set->items);
    memmove(a, a + 1, (set->count - i - 1) * sizeof(*a));
    set->count--;
}

/* Keys are looked up in recipient lists: printable ASCII without blanks. */
static bool key_ok(const char *key)
{
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if (*p <= ' ' || *p >= 0x7f)
            return false;
    }
    return *key != 0;
}

/* An address list with a line break or another control character would break the header it
 * is put into. */
static bool value_ok(const char *value)
{
    for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
        if ((*p < ' ' && *p != '\t') || *p == 0x7f)
            return false;
    }
    return true;
}

/* ---- the commands ---- */

struct alias_bufs {
    struct tm_buf word, value, comment;
};

static enum tm_status parse_alias(struct tm_alias_set *set, struct alias_lex *lx,
                                  struct alias_bufs *b)
{
    bool present;
    enum tm_status st = lex_after_groups(lx, &b->word, &present);
    if (st)
        return st;
    if (!present || lex_at_end(lx))
        return tm_error_set(lx->err, TM_EPARSE, _("alias needs a key and an address"));
    if (!key_ok(b->word.data))
        return tm_error_set(lx->err, TM_EPARSE,
                            _("alias key \"%s\" has spaces, control characters or non-ASCII "
                              "bytes"),
                            b->word.data);
    if ((st = lex_value(lx, &b->value, &b->comment)) != TM_OK)
        return st;
    if (!b->value.len)
        return tm_error_set(lx->err, TM_EPARSE, _("alias needs a key and an address"));
    if (!value_ok(b->value.data))
        return tm_error_set(lx->err, TM_EPARSE, _("alias %s: control character in the address"),
                            b->word.data);
    return alias_put(set, b->word.data, b->value.data, b->comment.data ? b->comment.data : "");
}

static enum tm_status parse_unalias(struct tm_alias_set *set, struct alias_lex *lx,
                                    struct alias_bufs *b)
{
    bool present;
    enum tm_status st = lex_after_groups(lx, &b->word, &present);
    if (!st && !present)
        return tm_error_set(lx->err, TM_EPARSE, _("unalias needs a key or *"));
    for (; !st && present; st = lex_word(lx, &b->word, &present)) {
        if (strcmp(b->word.data, "*") == 0) {
            tm_alias_set_cleanup(set);
        } else {
            alias_remove(set, b->word.data);
        }
    }
    return st;
}

enum tm_status tm_alias_parse_line(struct tm_alias_set *set, const char *line, size_t len,
                                   bool skip_other, struct tm_error *err)
{
    struct alias_lex lx = {.s = line, .len = len, .err = err};
    struct alias_bufs b;
    bool present;
    tm_buf_init(&b.word, 0);
    tm_buf_init(&b.value, 0);
    tm_buf_init(&b.comment, 0);
    enum tm_status st = lex_word(&lx, &b.word, &present);
    bool alias = !st && present && strcmp(b.word.data, "alias") == 0;
    bool unalias = !st && present && strcmp(b.word.data, "unalias") == 0;
    if (st == TM_ENOMEM || ((alias || unalias) && memchr(line, 0, len)))
        st = st ? st : tm_error_set(err, TM_EPARSE, _("NUL character in an alias line"));
    else if (alias)
        st = parse_alias(set, &lx, &b);
    else if (unalias)
        st = parse_unalias(set, &lx, &b);
    else if (present && !skip_other)
        st = tm_error_set(err, TM_EPARSE, _("not an alias command: %.*s"),
                          (int)(len > 60 ? 60 : len), line);
    else
        st = TM_OK; /* blank, a comment, or another command (mutt's files mix them) */
    if (st == TM_ENOMEM)
        tm_error_set(err, st, _("out of memory reading aliases"));
    tm_buf_cleanup(&b.word);
    tm_buf_cleanup(&b.value);
    tm_buf_cleanup(&b.comment);
    return st;
}

/* ---- files ---- */

enum tm_status cfg_alias_parse(struct tm_alias_set *set, const char *data, size_t len,
                               cfg_alias_bad_fn bad, void *ctx)
{
    struct tm_buf logical;
    enum tm_status st = TM_OK;
    tm_buf_init(&logical, 0);
    for (size_t pos = 0, line = 1; st == TM_OK && pos < len;) {
        size_t first = line;
        tm_buf_reset(&logical);
        bool more = true;
        while (more && st == TM_OK && pos < len) {
            const char *nl = memchr(data + pos, '\n', len - pos);
            size_t end = nl ? (size_t)(nl - data) : len, n = end - pos;
            if (n && data[pos + n - 1] == '\r')
                n--;
            more = nl && cfg_line_continues(data + pos, n);
            st = tm_buf_append(&logical, data + pos, n - more);
            pos = nl ? end + 1 : len;
            line++;
        }
        struct tm_error err;
        if (st == TM_OK)
            st =
                tm_alias_parse_line(set, logical.data ? logical.data : "", logical.len, true, &err);
        if (st == TM_EPARSE)
            st = bad(ctx, (int)first, err.message);
    }
    tm_buf_cleanup(&logical);
    return st;
}

/* The first bad line of a buffer, for tm_alias_parse_buffer. */
struct first_bad {
    const char *name;
    struct tm_error *err;
    bool seen;
};

static enum tm_status note_first_bad(void *ctx, int line, const char *message)
{
    struct first_bad *fb = ctx;
    if (!fb->seen)
        tm_error_set(fb->err, TM_EPARSE, "%s:%d: %s", fb->name, line, message);
    fb->seen = true;
    return TM_OK;
}

enum tm_status tm_alias_parse_buffer(struct tm_alias_set *set, const char *name, const char *data,
                                     size_t len, struct tm_error *err)
{
    struct first_bad fb = {.name = name ? name : "", .err = err};
    enum tm_status st = cfg_alias_parse(set, data, len, note_first_bad, &fb);
    if (st)
        return tm_error_set(err, st, _("out of memory reading aliases"));
    return fb.seen ? TM_EPARSE : TM_OK;
}

enum tm_status tm_alias_load_file(struct tm_alias_set *set, const char *path, struct tm_error *err)
{
    struct tm_buf data;
    tm_buf_init(&data, TM_ALIAS_MAX_FILE);
    enum tm_status st = tm_fs_read_file(path, TM_ALIAS_MAX_FILE, 0, &data, err);
    if (st == TM_OK)
        st = tm_alias_parse_buffer(set, path, data.data ? data.data : "", data.len, err);
    tm_buf_cleanup(&data);
    return st;
}

/* ---- look-up, completion, expansion ---- */

const char *tm_alias_lookup(const struct tm_alias_set *set, const char *key)
{
    const struct tm_alias *a = key ? alias_find(set, key) : NULL;
    return a ? a->value : NULL;
}

/* Finds the end of the address-list item starting at s[pos]: the next comma outside a quoted
 * string, an <angle-addr> or a (comment). */
static size_t item_end(const char *s, size_t len, size_t pos)
{
    bool quoted = false, angle = false;
    int parens = 0;
    for (; pos < len; pos++) {
        char c = s[pos];
        if ((quoted || parens) && c == '\\' && pos + 1 < len)
            pos++;
        else if (quoted)
            quoted = c != '"';
        else if (c == '"')
            quoted = true;
        else if (c == '(')
            parens++;
        else if (c == ')' && parens)
            parens--;
        else if (parens)
            continue;
        else if (c == '<')
            angle = true;
        else if (c == '>')
            angle = false;
        else if (c == ',' && !angle)
            break;
    }
    return pos;
}

/* s[0..n) without blanks at either end. */
static void trim(const char **s, size_t *n)
{
    while (*n && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

static bool prefix_ci(const char *s, size_t n, const char *prefix, size_t plen)
{
    return plen <= n && strncasecmp(s, prefix, plen) == 0;
}

/* Where, in item s[0..n), the first '<' and the first '(' outside quoted strings are (n when
 * there is none). */
static void item_marks(const char *s, size_t n, size_t *lt, size_t *paren)
{
    bool quoted = false;
    *lt = *paren = n;
    for (size_t i = 0; i < n; i++) {
        if (quoted && s[i] == '\\')
            i++;
        else if (quoted)
            quoted = s[i] != '"';
        else if (s[i] == '"')
            quoted = true;
        else if (s[i] == '<' && *lt == n)
            *lt = i;
        else if (s[i] == '(' && *paren == n)
            *paren = i;
    }
}

/* Whether the address or the display name of one item ("Name <addr>", "\"Last, First\" <addr>",
 * "addr (Name)", "Group: addr", "addr;") starts with prefix. */
static bool item_matches(const char *s, size_t n, const char *prefix, size_t plen)
{
    trim(&s, &n);
    const char *colon = memchr(s, ':', n);
    if (colon && !memchr(s, '"', (size_t)(colon - s)) && !memchr(s, '<', (size_t)(colon - s)) &&
        !memchr(s, '@', (size_t)(colon - s))) { /* a group's name, then its first member */
        if (prefix_ci(s, (size_t)(colon - s), prefix, plen))
            return true;
        n -= (size_t)(colon + 1 - s);
        s = colon + 1;
        trim(&s, &n);
    }
    if (n && s[n - 1] == ';') /* the end of a group */
        n--;
    size_t lt, paren;
    item_marks(s, n, &lt, &paren);
    const char *addr = s, *name = NULL;
    size_t alen = n, nlen = 0;
    if (lt < n) { /* Name <addr> */
        name = s;
        nlen = lt;
        addr = s + lt + 1;
        const char *gt = memchr(addr, '>', n - lt - 1);
        alen = gt ? (size_t)(gt - addr) : n - lt - 1;
    } else if (paren < n) { /* addr (Name) */
        alen = paren;
        name = s + paren + 1;
        nlen = n - paren - 1;
        if (nlen && name[nlen - 1] == ')')
            nlen--;
    }
    trim(&addr, &alen);
    if (prefix_ci(addr, alen, prefix, plen))
        return true;
    if (!name)
        return false;
    trim(&name, &nlen);
    if (nlen >= 2 && name[0] == '"' && name[nlen - 1] == '"')
        name++, nlen -= 2;
    return prefix_ci(name, nlen, prefix, plen);
}

static bool alias_matches(const struct tm_alias *a, const char *prefix, size_t plen)
{
    if (prefix_ci(a->key, strlen(a->key), prefix, plen))
        return true;
    size_t len = strlen(a->value);
    for (size_t pos = 0; pos < len;) {
        size_t end = item_end(a->value, len, pos);
        if (item_matches(a->value + pos, end - pos, prefix, plen))
            return true;
        pos = end + 1;
    }
    return false;
}

void tm_alias_complete(const struct tm_alias_set *set, const char *prefix, tm_alias_cb cb,
                       void *ctx)
{
    size_t plen = prefix ? strlen(prefix) : 0;
    for (size_t i = 0; i < set->count; i++) {
        if (alias_matches(&set->items[i], prefix ? prefix : "", plen) && cb(ctx, &set->items[i]))
            return;
    }
}

/* The expansion of item s[0..n) (trimmed) when it is exactly a key, else NULL. */
static const char *item_alias(const struct tm_alias_set *set, const char *s, size_t n)
{
    if (n == 0 || memchr(s, '@', n) || memchr(s, '<', n))
        return NULL;
    for (size_t i = 0; i < set->count; i++) {
        const struct tm_alias *a = &set->items[i];
        if (strlen(a->key) == n && strncasecmp(a->key, s, n) == 0)
            return a->value;
    }
    return NULL;
}

enum tm_status tm_alias_expand_list(const struct tm_alias_set *set, const char *list, char **out,
                                    struct tm_error *err)
{
    struct tm_buf b;
    size_t len = list ? strlen(list) : 0, done = 0;
    enum tm_status st = TM_OK;
    tm_buf_init(&b, 0);
    *out = NULL;
    /* Only the items that are keys change: everything else, spacing included, is kept. */
    for (size_t pos = 0; pos < len && st == TM_OK;) {
        size_t end = item_end(list, len, pos);
        const char *item = list + pos;
        size_t n = end - pos;
        trim(&item, &n);
        const char *value = item_alias(set, item, n);
        if (value) {
            st = tm_buf_append(&b, list + done, (size_t)(item - list) - done);
            if (st == TM_OK)
                st = tm_buf_append_str(&b, value);
            done = (size_t)(item - list) + n;
        }
        pos = end + 1;
    }
    if (st == TM_OK)
        st = tm_buf_append(&b, list ? list + done : "", len - done);
    if (st == TM_OK && !(*out = tm_buf_steal(&b)))
        st = TM_ENOMEM;
    tm_buf_cleanup(&b);
    if (st)
        return tm_error_set(err, TM_ENOMEM, _("out of memory expanding aliases"));
    return TM_OK;
}
