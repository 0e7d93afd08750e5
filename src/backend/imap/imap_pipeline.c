/* imap_pipeline.c - several independent commands in flight at once (RFC 9051 5.5): each is sent
 * as soon as it is built, without waiting for the reply of the one before, and the replies are
 * then read and matched to their commands by tag. Untagged responses go to one handler for all
 * of them (they name what they are about, e.g. a STATUS its mailbox). One round trip instead of
 * one per command: what a server far away makes slow. */
#include <stdio.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"

void imap_pipeline_init(struct imap_pipeline *p, imap_untagged_fn fn, void *ctx,
                        enum tm_status no_status)
{
    memset(p, 0, sizeof(*p));
    p->fn = fn;
    p->ctx = ctx;
    p->no_status = no_status;
}

enum tm_status imap_pipeline_send(struct tm_session *s, struct imap_pipeline *p, const char *tag,
                                  struct tm_error *err)
{
    if (p->n == IMAP_PIPELINE_MAX)
        return tm_error_set(err, TM_ELIMIT, _("too many commands in flight"));
    size_t i = p->n;
    snprintf(p->tags[i], sizeof(p->tags[i]), "%s", tag);
    enum tm_status st = imap_cmd_send(s, false, err);
    if (st)
        return st;
    imap_cmd_state_init(&p->cs[i], p->tags[i], p->fn, p->ctx, p->no_status);
    p->result[i] = TM_OK;
    p->n++;
    return TM_OK;
}

/* The command r's tag belongs to, or the first one still waiting (for an untagged response);
 * -1 for a tag that is not ours. */
static int owner(const struct imap_pipeline *p, const struct imap_response *r)
{
    for (size_t i = 0; i < p->n; i++) {
        if (r->kind != IMAP_TAGGED ? !p->cs[i].done : strcmp(r->tag, p->tags[i]) == 0)
            return (int)i;
    }
    return -1;
}

enum tm_status imap_pipeline_finish(struct tm_session *s, struct imap_pipeline *p,
                                    struct tm_error *err)
{
    for (size_t waiting = p->n; waiting > 0;) {
        struct imap_response r;
        enum tm_status st = imap_read(s, &r, err);
        if (st)
            return st; /* the connection is gone: the commands still waiting are lost with it */
        int i = owner(p, &r);
        if (i < 0 || (r.kind == IMAP_TAGGED && p->cs[i].done)) {
            imap_disconnect(s);
            return tm_error_set(err, TM_EPROTO, _("%s answered an unknown command tag"),
                                s->srv.host);
        }
        struct tm_error cmd_err;
        tm_error_clear(&cmd_err);
        st = imap_cmd_response(s, &p->cs[i], &r, &cmd_err);
        if (p->cs[i].done) {
            p->result[i] = st;
            if (st && !p->failure.status)
                p->failure = cmd_err;
            waiting--;
            if (!s->stream) { /* the answer dropped the connection (a continuation) */
                if (err)
                    *err = cmd_err;
                return TM_ENET;
            }
        }
    }
    return TM_OK;
}
