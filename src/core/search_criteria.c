/* search_criteria.c - IMAP SEARCH keys (RFC 9051 6.4.4) for the literals of a body or header
 * search: each literal a quoted string after its key, the keys of a group side by side (and). */
#include <string.h>

#include "search.h"

/* A quoted string: \ and " escaped. false for what no quoted string can carry. */
static bool quoted(struct tm_buf *out, const char *s)
{
    if (strpbrk(s, "\r\n"))
        return false;
    if (tm_buf_append_char(out, '"'))
        return false;
    for (; *s; s++) {
        if ((*s == '"' || *s == '\\') && tm_buf_append_char(out, '\\'))
            return false;
        if (tm_buf_append_char(out, *s))
            return false;
    }
    return tm_buf_append_char(out, '"') == TM_OK;
}

bool search_criteria_group(struct tm_buf *out, const char *key, const struct tm_text_group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        if ((i && tm_buf_append_char(out, ' ')) || tm_buf_appendf(out, "%s ", key) ||
            !quoted(out, g->literals[i]))
            return false;
    }
    return g->n > 0;
}
