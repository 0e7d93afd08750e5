/* draft_file.c - the file $EDITOR edits: the draft's header block (edit_headers) and body
 * written with mode 0600 by an atomic replace, and read back with mutt's "Attach:" lines. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "draft_private.h"
#include "tmail/fsutil.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

/* The editor's file is a person's text; past this it is not a draft any more. */
#define DRAFT_FILE_MAX ((size_t)64 * 1024 * 1024)

/* The fields of the header block, in the order they are written. */
enum field { F_FROM, F_TO, F_CC, F_BCC, F_SUBJECT, F_REPLY_TO, F_COUNT };
static const char *const field_names[F_COUNT] = {"From", "To", "Cc", "Bcc", "Subject", "Reply-To"};

static char **field_ptr(struct tm_draft *d, enum field f)
{
    char **ptrs[F_COUNT] = {&d->from, &d->to, &d->cc, &d->bcc, &d->subject, &d->reply_to};
    return ptrs[f];
}

/* "Name: value\n", line breaks inside value made spaces so the block stays one line each. */
static enum tm_status write_field(struct tm_buf *b, const char *name, const char *value)
{
    enum tm_status st = tm_buf_appendf(b, "%s: ", name);
    for (const char *p = value ? value : ""; *p && st == TM_OK; p++)
        st = tm_buf_append_char(b, *p == '\n' || *p == '\r' ? ' ' : *p);
    return st ? st : tm_buf_append_char(b, '\n');
}

/* Writes data[0..len) to path through a temporary file in the same directory, fsynced and
 * renamed over path, so the editor never sees half a draft and others never read it. */
static enum tm_status write_atomic(const char *path, const char *data, size_t len,
                                   struct tm_error *err)
{
    struct tm_buf tmp;
    tm_buf_init(&tmp, 0);
    if (tm_buf_appendf(&tmp, "%s.XXXXXX", path) != TM_OK)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    int fd = mkstemp(tmp.data);
    if (fd < 0) {
        tm_error_errno(err, TM_EIO, errno, _("cannot write %s"), path);
        tm_buf_cleanup(&tmp);
        return TM_EIO;
    }
    int e = fchmod(fd, 0600) == 0 ? 0 : errno;
    for (size_t done = 0; !e && done < len;) {
        ssize_t n = write(fd, data + done, len - done);
        if (n < 0 && errno != EINTR)
            e = errno;
        else if (n > 0)
            done += (size_t)n;
    }
    if (!e && fsync(fd) != 0)
        e = errno;
    if (close(fd) != 0 && !e)
        e = errno;
    if (!e && rename(tmp.data, path) != 0)
        e = errno;
    if (e)
        unlink(tmp.data);
    tm_buf_cleanup(&tmp);
    return e ? tm_error_errno(err, TM_EIO, e, _("cannot write %s"), path) : TM_OK;
}

enum tm_status tm_draft_write_file(const struct tm_draft *d, bool with_headers, const char *path,
                                   struct tm_error *err)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    tm_error_clear(err);
    enum tm_status st = TM_OK;
    for (int f = 0; with_headers && f < F_COUNT && st == TM_OK; f++)
        st = write_field(&b, field_names[f], *field_ptr((struct tm_draft *)d, (enum field)f));
    if (st == TM_OK && with_headers)
        st = tm_buf_append_char(&b, '\n');
    if (st == TM_OK)
        st = tm_buf_append(&b, d->body.data ? d->body.data : "", d->body.len);
    if (st == TM_OK)
        st = write_atomic(path, b.data, b.len, err);
    else
        tm_error_set(err, st, _("out of memory"));
    tm_buf_cleanup(&b);
    return st;
}

/* The header block being read: new field values (NULL: not in the file) and Attach: lines. */
struct edited {
    char *fields[F_COUNT];
    char **attach; /* "PATH [DESCRIPTION]" as written */
    size_t nattach;
};

static void edited_cleanup(struct edited *e)
{
    for (int f = 0; f < F_COUNT; f++)
        free(e->fields[f]);
    for (size_t i = 0; i < e->nattach; i++)
        free(e->attach[i]);
    free(e->attach);
}

static char *trimmed(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    return tm_strndup(s, n);
}

/* Adds value (taken) to field f: address fields given twice are joined, others replaced. */
static enum tm_status set_field(struct edited *e, enum field f, char *value)
{
    bool list = f == F_TO || f == F_CC || f == F_BCC || f == F_REPLY_TO;
    if (!list || !e->fields[f]) {
        free(e->fields[f]);
        e->fields[f] = value;
        return TM_OK;
    }
    enum tm_status st = draft_list_add(&e->fields[f], value);
    free(value);
    return st;
}

static enum tm_status add_attach(struct edited *e, char *value)
{
    char **grown = realloc(e->attach, (e->nattach + 1) * sizeof(*grown));
    if (!grown) {
        free(value);
        return TM_ENOMEM;
    }
    e->attach = grown;
    e->attach[e->nattach++] = value;
    return TM_OK;
}

/* One header line line[0..n) (line number lineno): a field (*field says which, for folded
 * lines; -1 for Attach:), an Attach: line or an error. */
static enum tm_status header_line(struct edited *e, const char *line, size_t n, size_t lineno,
                                  const char *path, int *field, struct tm_error *err)
{
    const char *colon = memchr(line, ':', n);
    *field = -1;
    size_t name_len = colon ? (size_t)(colon - line) : 0;
    while (name_len > 0 && (line[name_len - 1] == ' ' || line[name_len - 1] == '\t'))
        name_len--;
    if (!colon || name_len == 0)
        return tm_error_set(err, TM_EPARSE, _("%s:%zu: not a header field: %.*s"), path, lineno,
                            (int)(n > 80 ? 80 : n), line);
    char *value = trimmed(colon + 1, n - (size_t)(colon + 1 - line));
    if (!value)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (name_len == 6 && strncasecmp(line, "Attach", 6) == 0)
        return add_attach(e, value) ? tm_error_set(err, TM_ENOMEM, _("out of memory")) : TM_OK;
    for (int f = 0; f < F_COUNT; f++) {
        if (strlen(field_names[f]) != name_len || strncasecmp(line, field_names[f], name_len))
            continue;
        *field = f;
        if (set_field(e, (enum field)f, value))
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        return TM_OK;
    }
    free(value);
    return tm_error_set(err, TM_EPARSE, _("%s:%zu: unknown header field: %.*s"), path, lineno,
                        (int)(name_len > 80 ? 80 : name_len), line);
}

/* Appends a continuation line (starting with a blank) to the field read last. */
static enum tm_status continue_field(struct edited *e, int last, const char *line, size_t n)
{
    char *more = trimmed(line, n), *joined = NULL;
    struct tm_buf b;
    tm_buf_init(&b, 0);
    if (more && tm_buf_appendf(&b, "%s %s", e->fields[last], more) == TM_OK)
        joined = tm_buf_steal(&b);
    tm_buf_cleanup(&b);
    free(more);
    if (!joined)
        return TM_ENOMEM;
    free(e->fields[last]);
    e->fields[last] = joined;
    return TM_OK;
}

/* Reads the header block of text[0..len); *body_start is where the body begins. */
static enum tm_status read_headers(struct edited *e, const char *text, size_t len, const char *path,
                                   size_t *body_start, struct tm_error *err)
{
    enum tm_status st = TM_OK;
    size_t pos = 0, lineno = 0;
    int last = -1;
    while (pos < len && st == TM_OK) {
        const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - line) : len - pos;
        pos += n + (nl != NULL);
        lineno++;
        size_t blanks = 0;
        while (blanks < n && (line[blanks] == ' ' || line[blanks] == '\t'))
            blanks++;
        if (blanks == n) /* the empty line ending the block (blanks an editor left count too) */
            break;
        if ((line[0] == ' ' || line[0] == '\t') && last >= 0 && e->fields[last]) {
            if (continue_field(e, last, line, n))
                st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
            continue;
        }
        st = header_line(e, line, n, lineno, path, &last, err);
    }
    *body_start = pos;
    return st;
}

/* "PATH [DESCRIPTION]": the path ends at the first blank not escaped by a backslash; a
 * leading "~/" is the home directory. */
static enum tm_status attach_spec(const char *spec, char **path, char **description)
{
    struct tm_buf b;
    const char *p = spec, *home = getenv("HOME");
    tm_buf_init(&b, 0);
    enum tm_status st = TM_OK;
    if (p[0] == '~' && p[1] == '/' && home) {
        st = tm_buf_append_str(&b, home);
        p++;
    }
    for (; *p && !isspace((unsigned char)*p) && st == TM_OK; p++) {
        if (*p == '\\' && p[1])
            p++;
        st = tm_buf_append_char(&b, *p);
    }
    *path = st == TM_OK ? tm_buf_steal(&b) : NULL;
    tm_buf_cleanup(&b);
    while (isspace((unsigned char)*p))
        p++;
    *description = *p ? strdup(p) : NULL;
    return !*path || (*p && !*description) ? TM_ENOMEM : TM_OK;
}

/* Attaches every Attach: file; on failure the ones attached here are removed again. */
static enum tm_status attach_all(struct tm_draft *d, const struct edited *e, struct tm_error *err)
{
    size_t before = d->nattachments;
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < e->nattach && st == TM_OK; i++) {
        char *path = NULL, *description = NULL;
        st = attach_spec(e->attach[i], &path, &description);
        if (st)
            tm_error_set(err, st, _("out of memory"));
        else if (!*path)
            st = tm_error_set(err, TM_EPARSE, _("an Attach: line needs a file name"));
        else
            st = tm_draft_attach_file(d, path, TM_DRAFT_ATTACH_MAX, err);
        if (st == TM_OK && description)
            d->attachments[d->nattachments - 1].description = description;
        else
            free(description);
        free(path);
    }
    while (st && d->nattachments > before)
        tm_draft_detach(d, d->nattachments - 1);
    return st;
}

/* Moves the fields read into d: a field left out of the block becomes empty, except From. */
static void commit_fields(struct tm_draft *d, struct edited *e)
{
    for (int f = 0; f < F_COUNT; f++) {
        char **dst = field_ptr(d, (enum field)f);
        if (!e->fields[f] && f == F_FROM)
            continue;
        if (!e->fields[f]) {
            **dst = '\0';
            continue;
        }
        free(*dst);
        *dst = e->fields[f];
        e->fields[f] = NULL;
    }
}

/* text[0..len) with CRLF made LF, in place; returns the new length. */
static size_t strip_cr(char *text, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++)
        if (text[i] != '\r' || i + 1 >= len || text[i + 1] != '\n')
            text[o++] = text[i];
    if (text)
        text[o] = '\0';
    return o;
}

enum tm_status tm_draft_read_file(struct tm_draft *d, bool with_headers, const char *path,
                                  struct tm_error *err)
{
    struct tm_buf text, body;
    struct edited e;
    size_t body_start = 0;
    memset(&e, 0, sizeof(e));
    tm_buf_init(&text, 0);
    tm_buf_init(&body, 0);
    tm_error_clear(err);
    enum tm_status st = tm_fs_read_file(path, DRAFT_FILE_MAX, 0, &text, err);
    if (st)
        goto out;
    text.len = strip_cr(text.data, text.len);
    if (with_headers)
        st = read_headers(&e, text.data, text.len, path, &body_start, err);
    if (st == TM_OK &&
        tm_buf_append(&body, text.data ? text.data + body_start : "", text.len - body_start))
        st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (st == TM_OK)
        st = attach_all(d, &e, err);
    if (st)
        goto out;
    if (with_headers)
        commit_fields(d, &e);
    if (body.len != d->body.len || (body.len && memcmp(body.data, d->body.data, body.len) != 0))
        d->body_edited = true;
    struct tm_buf old = d->body;
    d->body = body;
    body = old;
out:
    edited_cleanup(&e);
    tm_buf_cleanup(&text);
    tm_buf_cleanup(&body);
    return st;
}
