/* flowed.c - format=flowed text (RFC 3676): soft line breaks rejoined into paragraphs, quote
 * depth kept, space-stuffing undone, DelSp honoured, the signature separator never joined. The
 * result has one line per paragraph, prefixed by ">" per quote level and a space, so the pager
 * can wrap it to any width. */
#include <string.h>

#include "private.h"
#include "tmail/mime.h"

struct flowed_line {
    const char *text; /* content after quote markers and stuffing */
    size_t len;       /* without the line break */
    int depth;        /* quote depth */
    bool soft;        /* ends with a space: continues on the next line of the same depth */
    bool sig;         /* the signature separator "-- " */
};

/* Splits the next line at *pos of s[0..len) into its RFC 3676 parts. */
static bool next_line(const char *s, size_t len, size_t *pos, bool delsp, struct flowed_line *l)
{
    if (*pos >= len)
        return false;
    const char *start = s + *pos;
    const char *nl = memchr(start, '\n', len - *pos);
    size_t line_len = nl ? (size_t)(nl - start) : len - *pos;
    *pos += line_len + (nl ? 1 : 0);
    if (line_len > 0 && start[line_len - 1] == '\r')
        line_len--;
    size_t i = 0;
    l->depth = 0;
    while (i < line_len && start[i] == '>')
        l->depth++, i++;
    if (i < line_len && start[i] == ' ') /* space-stuffing (or the space after quotes) */
        i++;
    l->text = start + i;
    l->len = line_len - i;
    l->sig = l->len == 3 && memcmp(l->text, "-- ", 3) == 0;
    l->soft = !l->sig && l->len > 0 && l->text[l->len - 1] == ' ';
    if (l->soft && delsp)
        l->len--;
    return true;
}

static enum tm_status put_prefix(struct tm_buf *out, int depth)
{
    enum tm_status st = TM_OK;
    for (int i = 0; i < depth && !st; i++)
        st = tm_buf_append_char(out, '>');
    if (!st && depth > 0)
        st = tm_buf_append_char(out, ' ');
    return st;
}

enum tm_status tm_mime_flowed_decode(const char *text, size_t len, bool delsp, struct tm_buf *out)
{
    struct flowed_line l;
    size_t pos = 0;
    bool open = false; /* a paragraph is being continued */
    int open_depth = 0;
    enum tm_status st = TM_OK;
    while (!st && next_line(text, len, &pos, delsp, &l)) {
        /* A soft break followed by a line of another depth, or by the signature separator,
         * ends the paragraph anyway. */
        bool ends = open && (l.depth != open_depth || l.sig);
        if (ends)
            st = tm_buf_append_char(out, '\n');
        if (!st && (!open || ends))
            st = put_prefix(out, l.depth);
        if (!st)
            st = tm_buf_append(out, l.text, l.len);
        open = l.soft;
        open_depth = l.depth;
        if (!st && !open)
            st = tm_buf_append_char(out, '\n');
    }
    if (!st && open)
        st = tm_buf_append_char(out, '\n');
    return st;
}
