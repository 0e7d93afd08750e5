/* lexer.c - splits one tmailrc line into words: "" and '' quoting, backslash escapes (\n \t \e
 * \Cx octal), $VAR / ${VAR} and leading ~ expansion, # comments. Pure: the environment comes
 * from a caller-supplied lookup. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"

struct lex {
    const char *s;
    size_t len, pos;
    const struct tm_config_env *env;
    struct tm_buf word;
    char *msg;
    size_t msgsize;
};

static bool lex_fail(struct lex *lx, const char *text)
{
    snprintf(lx->msg, lx->msgsize, "%s", text);
    return false;
}

static const char *env_get(const struct tm_config_env *env, const char *name)
{
    if (!env || !env->get)
        return NULL;
    return env->get(env->ctx, name);
}

static bool append_env(struct lex *lx, const char *name)
{
    const char *v = env_get(lx->env, name);
    if (v && tm_buf_append_str(&lx->word, v) != TM_OK)
        return lex_fail(lx, _("line too long after expansion"));
    return true;
}

/* lx->pos is just past '$'. */
static bool expand_var(struct lex *lx)
{
    char name[256];
    size_t n = 0;
    bool braced = lx->pos < lx->len && lx->s[lx->pos] == '{';
    size_t p = lx->pos + braced;
    while (p < lx->len && (isalnum((unsigned char)lx->s[p]) || lx->s[p] == '_')) {
        if (n + 1 >= sizeof(name))
            return lex_fail(lx, _("variable name too long"));
        name[n++] = lx->s[p++];
    }
    name[n] = 0;
    if (braced && (p >= lx->len || lx->s[p] != '}'))
        return lex_fail(lx, _("missing } after ${"));
    if (n == 0) { /* a lone '$' is literal */
        return tm_buf_append_char(&lx->word, '$') == TM_OK ||
               lex_fail(lx, _("line too long after expansion"));
    }
    lx->pos = p + braced;
    return append_env(lx, name);
}

static int escape_simple(char c)
{
    switch (c) {
    case 'n':
        return '\n';
    case 't':
        return '\t';
    case 'r':
        return '\r';
    case 'e':
    case 'E':
        return 27;
    default:
        return -1;
    }
}

/* lx->pos is just past '\\'. */
static bool lex_escape(struct lex *lx)
{
    if (lx->pos >= lx->len)
        return tm_buf_append_char(&lx->word, '\\') == TM_OK ||
               lex_fail(lx, _("line too long after expansion"));
    char c = lx->s[lx->pos++];
    int v = escape_simple(c);
    if ((c == 'C' || c == 'c') && lx->pos < lx->len) {
        char k = lx->s[lx->pos++];
        v = k == '?' ? 127 : (toupper((unsigned char)k) & 0x1f);
    } else if (c >= '0' && c <= '7') {
        v = c - '0';
        for (int i = 0;
             i < 2 && lx->pos < lx->len && lx->s[lx->pos] >= '0' && lx->s[lx->pos] <= '7'; i++)
            v = v * 8 + (lx->s[lx->pos++] - '0');
        if (v == 0 || v > 255)
            return lex_fail(lx, _("bad octal escape (must be \\001 to \\377)"));
    } else if (v < 0) {
        v = (unsigned char)c;
    }
    if (v == 0)
        return lex_fail(lx, _("NUL character in line"));
    return tm_buf_append_char(&lx->word, (char)v) == TM_OK ||
           lex_fail(lx, _("line too long after expansion"));
}

static bool tilde_here(const struct lex *lx)
{
    size_t p = lx->pos + 1;
    return lx->word.len == 0 && lx->s[lx->pos] == '~' &&
           (p >= lx->len || lx->s[p] == '/' || isspace((unsigned char)lx->s[p]));
}

/* Reads one word starting at a non-space character; *eq receives the '=' offset. */
static bool lex_word(struct lex *lx, int *eq, bool *tail)
{
    char quote = 0;
    *eq = -1;
    *tail = false;
    while (lx->pos < lx->len) {
        char c = lx->s[lx->pos];
        if (!quote && isspace((unsigned char)c))
            break;
        if (quote == '\'' && c != '\'') {
            if (tm_buf_append_char(&lx->word, c) != TM_OK)
                return lex_fail(lx, _("line too long after expansion"));
            lx->pos++;
            continue;
        }
        if (!quote && tilde_here(lx)) {
            lx->pos++;
            if (!append_env(lx, "HOME"))
                return false;
            continue;
        }
        lx->pos++;
        bool ok;
        if ((c == '"' || c == '\'') && (!quote || quote == c)) {
            quote = quote ? 0 : c;
            *tail = *tail || *eq >= 0;
            continue;
        }
        if (c == '\\')
            ok = lex_escape(lx);
        else if (c == '$')
            ok = expand_var(lx);
        else {
            if (c == '=' && !quote && *eq < 0)
                *eq = (int)lx->word.len;
            ok = tm_buf_append_char(&lx->word, c) == TM_OK ||
                 lex_fail(lx, _("line too long after expansion"));
        }
        if (!ok)
            return false;
    }
    if (quote)
        return lex_fail(lx, quote == '"' ? _("unterminated \" quote") : _("unterminated ' quote"));
    return true;
}

static bool lex_push(struct lex *lx, struct cfg_words *out, int eq, bool tail)
{
    if (out->n >= CFG_MAX_WORDS)
        return lex_fail(lx, _("too many words on one line"));
    struct cfg_word *w = &out->w[out->n];
    w->len = lx->word.len;
    w->text = tm_buf_steal(&lx->word);
    if (!w->text)
        return lex_fail(lx, _("out of memory"));
    w->eq = eq;
    w->eq_tail_quoted = tail;
    out->n++;
    return true;
}

enum tm_status cfg_lex_line(const char *line, size_t len, const struct tm_config_env *env,
                            struct cfg_words *out, char *msg, size_t msgsize)
{
    struct lex lx = {.s = line, .len = len, .env = env, .msg = msg, .msgsize = msgsize};
    tm_buf_init(&lx.word, CFG_MAX_WORD);
    out->n = 0;
    msg[0] = 0;
    enum tm_status st = TM_OK;
    for (;;) {
        while (lx.pos < len && isspace((unsigned char)line[lx.pos]))
            lx.pos++;
        if (lx.pos >= len || line[lx.pos] == '#')
            break;
        int eq;
        bool tail;
        tm_buf_reset(&lx.word);
        if (!lex_word(&lx, &eq, &tail) || !lex_push(&lx, out, eq, tail)) {
            st = TM_EPARSE;
            cfg_words_cleanup(out);
            break;
        }
    }
    tm_buf_cleanup(&lx.word);
    return st;
}

void cfg_words_cleanup(struct cfg_words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->w[i].text);
    w->n = 0;
}
