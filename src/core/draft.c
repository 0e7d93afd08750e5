/* draft.c - the draft object: creation and release, field helpers, attachments, and the built
 * output's cleanup. */
#include <stdlib.h>
#include <string.h>

#include "draft_private.h"
#include "tmail/array.h"
#include "tmail/compose.h"
#include "tmail/i18n.h"

enum tm_status draft_set(char **field, const char *value)
{
    char *copy = strdup(value ? value : "");
    if (!copy)
        return TM_ENOMEM;
    free(*field);
    *field = copy;
    return TM_OK;
}

enum tm_status draft_set_opt(char **field, const char *value)
{
    if (!value || !*value) {
        free(*field);
        *field = NULL;
        return TM_OK;
    }
    return draft_set(field, value);
}

enum tm_status draft_list_add(char **field, const char *item)
{
    if (!item || !*item)
        return TM_OK;
    if (!*field || !**field)
        return draft_set(field, item);
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status st = tm_buf_appendf(&b, "%s, %s", *field, item);
    char *joined = st == TM_OK ? tm_buf_steal(&b) : NULL;
    tm_buf_cleanup(&b);
    if (!joined)
        return TM_ENOMEM;
    free(*field);
    *field = joined;
    return TM_OK;
}

struct tm_draft *tm_draft_new(void)
{
    struct tm_draft *d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    tm_buf_init(&d->body, 0);
    char **fields[] = {&d->from, &d->to, &d->cc, &d->bcc, &d->reply_to, &d->subject};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if (draft_set(fields[i], "") != TM_OK) {
            tm_draft_free(&d);
            return NULL;
        }
    }
    return d;
}

static void attachment_cleanup(struct tm_draft_attachment *a)
{
    free(a->path);
    free(a->filename);
    free(a->content_type);
    free(a->description);
    tm_buf_cleanup(&a->data);
    memset(a, 0, sizeof(*a));
}

void tm_draft_free(struct tm_draft **pp)
{
    struct tm_draft *d = pp ? *pp : NULL;
    if (!d)
        return;
    free(d->from);
    free(d->to);
    free(d->cc);
    free(d->bcc);
    free(d->reply_to);
    free(d->subject);
    free(d->in_reply_to);
    free(d->references);
    free(d->message_id);
    tm_buf_cleanup(&d->body);
    for (size_t i = 0; i < d->nattachments; i++)
        attachment_cleanup(&d->attachments[i]);
    free(d->attachments);
    free(d);
    *pp = NULL;
}

/* Duplicates s when not NULL; *ok turns false when that fails. */
static char *dup_opt(const char *s, bool *ok)
{
    char *r = s ? strdup(s) : NULL;
    if (s && !r)
        *ok = false;
    return r;
}

enum tm_status tm_draft_attach_data(struct tm_draft *d, const char *filename,
                                    const char *content_type, const char *description,
                                    const void *data, size_t len, struct tm_error *err)
{
    struct tm_draft_attachment a;
    bool ok = true;
    memset(&a, 0, sizeof(a));
    tm_buf_init(&a.data, len + 1);
    a.filename = dup_opt(filename, &ok);
    a.content_type = dup_opt(content_type ? content_type : "application/octet-stream", &ok);
    a.description = dup_opt(description, &ok);
    if (!ok || tm_buf_append(&a.data, data ? data : "", len) != TM_OK ||
        TM_ARRAY_RESERVE(d->attachments, d->nattachments, d->cap_attachments, 4)) {
        attachment_cleanup(&a);
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    }
    d->attachments[d->nattachments++] = a;
    return TM_OK;
}

enum tm_status tm_draft_attach_file(struct tm_draft *d, const char *path, size_t max,
                                    struct tm_error *err)
{
    struct tm_compose_file f;
    enum tm_status st = tm_compose_file_load(&f, path, max, NULL, err);
    if (st == TM_OK)
        st = tm_draft_attach_data(d, f.filename, f.content_type, NULL, f.att.data, f.att.len, err);
    if (st == TM_OK) {
        struct tm_draft_attachment *a = &d->attachments[d->nattachments - 1];
        if (!(a->path = strdup(path))) {
            tm_draft_detach(d, d->nattachments - 1);
            st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
        }
    }
    tm_compose_file_cleanup(&f);
    return st;
}

void tm_draft_detach(struct tm_draft *d, size_t i)
{
    if (i >= d->nattachments)
        return;
    attachment_cleanup(&d->attachments[i]);
    memmove(&d->attachments[i], &d->attachments[i + 1],
            (d->nattachments - i - 1) * sizeof(d->attachments[0]));
    d->nattachments--;
}

void tm_draft_output_cleanup(struct tm_draft_output *o)
{
    if (!o)
        return;
    tm_buf_cleanup(&o->message);
    free(o->env_from);
    for (size_t i = 0; i < o->nrcpts; i++)
        free(o->rcpts[i]);
    free(o->rcpts);
    free(o->to_display);
    free(o->subject);
    memset(o, 0, sizeof(*o));
}
