/* imap_cmd.c - running IMAP commands (RFC 9051 section 2.2): tags, sending, reading responses
 * until the tagged reply, and the untagged data any command may bring (EXISTS, EXPUNGE,
 * VANISHED, FETCH flag changes, response codes, BYE). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/log.h"

static enum tm_status source_line(void *ctx, struct tm_buf *line, size_t max, struct tm_error *err)
{
    return tm_stream_read_line(ctx, line, max, err);
}

static enum tm_status source_exact(void *ctx, void *buf, size_t n, struct tm_error *err)
{
    return tm_stream_read_exact(ctx, buf, n, err);
}

void imap_disconnect(struct tm_session *s)
{
    tm_stream_close(&s->stream);
    free(s->selected);
    s->selected = NULL;
    s->selected_id = 0;
    memset(&s->live, 0, sizeof(s->live));
}

enum tm_status imap_read_raw(struct tm_session *s, struct imap_response *r, struct tm_error *err)
{
    if (!s->stream)
        return tm_error_set(err, TM_ENET, _("not connected to %s"), s->srv.host);
    struct imap_source src = {s->stream, source_line, source_exact};
    return imap_read_response(s->parser, &src, r, err);
}

enum tm_status imap_read(struct tm_session *s, struct imap_response *r, struct tm_error *err)
{
    enum tm_status st = imap_read_raw(s, r, err);
    if (st) /* framing is lost after any read error: start again on a new connection */
        imap_disconnect(s);
    return st;
}

void imap_cmd_begin(struct tm_session *s, char *tag, size_t size)
{
    snprintf(tag, size, "t%u", ++s->next_tag);
    tm_buf_reset(&s->cmd);
    tm_buf_appendf(&s->cmd, "%s ", tag);
}

void imap_reply_to_error(const struct imap_response *r, struct tm_error *err)
{
    if (!err)
        return;
    char text[sizeof(err->server_reply)];
    imap_sanitize(text, sizeof(text), r->text ? r->text : "", r->text ? strlen(r->text) : 0);
    snprintf(err->server_reply, sizeof(err->server_reply), "%s%s%s%s%s",
             r->cond == IMAP_COND_NO    ? "NO"
             : r->cond == IMAP_COND_BAD ? "BAD"
                                        : "BYE",
             r->code ? " [" : "", r->code ? r->code : "", r->code ? "]" : "", text[0] ? " " : "");
    size_t used = strlen(err->server_reply);
    snprintf(err->server_reply + used, sizeof(err->server_reply) - used, "%s", text);
}

/* Response codes of the selected mailbox's state, in untagged or tagged status responses. */
static void apply_code(struct tm_session *s, const struct imap_response *r)
{
    if (!r->code)
        return;
    const struct imap_value *a = r->n_code_args ? &r->code_args[0] : NULL;
    uint64_t n = a && a->type == IMAP_V_NUMBER ? a->num : 0;
    if (strcmp(r->code, "CAPABILITY") == 0) {
        memset(&s->caps, 0, sizeof(s->caps));
        imap_caps_parse(r->code_args, r->n_code_args, &s->caps);
        s->caps_gen++;
    } else if (strcmp(r->code, "UIDVALIDITY") == 0 && n && n <= UINT32_MAX) {
        s->live.uidvalidity = (uint32_t)n;
    } else if (strcmp(r->code, "UIDNEXT") == 0 && n && n <= UINT32_MAX) {
        s->live.uidnext = (uint32_t)n;
    } else if (strcmp(r->code, "HIGHESTMODSEQ") == 0 && n) {
        s->live.highest_modseq = n;
    } else if (strcmp(r->code, "NOMODSEQ") == 0) {
        s->live.highest_modseq = 0;
    } else if (strcmp(r->code, "READ-ONLY") == 0) {
        s->live.read_only = true;
    } else if (strcmp(r->code, "READ-WRITE") == 0) {
        s->live.read_only = false;
    } else if (strcmp(r->code, "ALERT") == 0) {
        char text[512];
        imap_sanitize(text, sizeof(text), r->text ? r->text : "", r->text ? strlen(r->text) : 0);
        tm_log(TM_LOG_WARN, "imap %s: server alert: %s", s->account_name, text);
    }
}

enum tm_status imap_untagged_common(struct tm_session *s, const struct imap_response *r,
                                    bool *consumed, struct tm_error *err)
{
    *consumed = true;
    apply_code(s, r);
    if (r->cond == IMAP_COND_BYE) {
        imap_reply_to_error(r, err);
        return TM_OK; /* the tagged reply may still follow (LOGOUT); EOF ends it otherwise */
    }
    if (r->cond != IMAP_COND_NONE)
        return TM_OK;
    const char *k = r->keyword ? r->keyword : "";
    if (strcmp(k, "CAPABILITY") == 0) {
        memset(&s->caps, 0, sizeof(s->caps));
        imap_caps_parse(r->args, r->n_args, &s->caps);
        s->caps_gen++;
    } else if (strcmp(k, "EXISTS") == 0 && r->has_number) {
        if (r->number != s->live.exists)
            s->live.changed = true;
        s->live.exists = r->number;
    } else if (strcmp(k, "EXPUNGE") == 0 && r->has_number) {
        if (s->live.exists)
            s->live.exists--;
        s->live.expunged_by_seq = true;
        s->live.changed = true;
    } else if (strcmp(k, "VANISHED") == 0 && s->selected_id) {
        bool earlier = false;
        struct imap_seqset set = {0};
        enum tm_status st = imap_vanished_decode(r, &earlier, &set, err);
        if (!st) {
            if (!earlier && s->live.exists >= imap_seqset_count(&set))
                s->live.exists -= imap_seqset_count(&set);
            st = imap_apply_vanished(s, &set, s->counting, err);
            s->live.changed = true;
        }
        imap_seqset_cleanup(&set);
        return st;
    } else {
        *consumed = false;
    }
    return TM_OK;
}

bool imap_fetch_of(const struct imap_response *r, struct imap_fetch *f, enum tm_status *st,
                   struct tm_error *err)
{
    *st = TM_OK;
    if (!r->keyword || strcmp(r->keyword, "FETCH") != 0)
        return false;
    *st = imap_fetch_decode(r, f, err);
    return *st == TM_OK;
}

enum tm_status imap_default_untagged(struct tm_session *s, const struct imap_response *r,
                                     struct tm_error *err)
{
    if (!r->keyword || strcmp(r->keyword, "FETCH") != 0 || !s->selected_id)
        return TM_OK;
    struct imap_fetch f;
    enum tm_status st = imap_fetch_decode(r, &f, err);
    if (st == TM_EPARSE) {
        tm_log(TM_LOG_WARN, "imap %s: ignored a FETCH: %s", s->account_name, err->message);
        return TM_OK;
    }
    if (!st && f.has_uid && f.has_flags) {
        s->live.changed = true;
        st = imap_apply_fetch_flags(s, &f, s->counting, err);
    }
    return st;
}

void imap_cmd_state_init(struct imap_cmd_state *cs, const char *tag, imap_untagged_fn fn, void *ctx,
                         enum tm_status no_status)
{
    memset(cs, 0, sizeof(*cs));
    cs->tag = tag;
    cs->fn = fn;
    cs->ctx = ctx;
    cs->no_status = no_status;
    tm_error_clear(&cs->cb_err);
}

enum tm_status imap_cmd_response(struct tm_session *s, struct imap_cmd_state *cs,
                                 const struct imap_response *r, struct tm_error *err)
{
    enum tm_status st;
    if (r->kind == IMAP_TAGGED) {
        cs->done = true;
        if (strcmp(r->tag, cs->tag) != 0) {
            imap_disconnect(s);
            return tm_error_set(err, TM_EPROTO, _("%s answered an unknown command tag"),
                                s->srv.host);
        }
        apply_code(s, r);
        if (r->cond == IMAP_COND_OK) {
            if (cs->first_failure && err)
                *err = cs->cb_err;
            return cs->first_failure;
        }
        imap_reply_to_error(r, err);
        st = r->cond == IMAP_COND_NO && cs->no_status ? cs->no_status : TM_EPROTO;
        return tm_error_set(err, st, _("%s refused the command: %s"), s->srv.host,
                            err ? err->server_reply : "");
    }
    if (r->kind == IMAP_CONTINUATION) {
        cs->done = true;
        imap_disconnect(s); /* nothing we send waits for one here */
        return tm_error_set(err, TM_EPROTO, _("%s sent an unexpected continuation"), s->srv.host);
    }
    bool consumed;
    enum tm_status cst = imap_untagged_common(s, r, &consumed, &cs->cb_err);
    if (!cst && !consumed)
        cst =
            cs->fn ? cs->fn(s, cs->ctx, r, &cs->cb_err) : imap_default_untagged(s, r, &cs->cb_err);
    if (cst && !cs->first_failure)
        cs->first_failure = cst;
    return TM_OK;
}

enum tm_status imap_cmd_finish(struct tm_session *s, const char *tag, imap_untagged_fn fn,
                               void *ctx, enum tm_status no_status, struct tm_error *err)
{
    struct imap_cmd_state cs;
    imap_cmd_state_init(&cs, tag, fn, ctx, no_status);
    for (;;) {
        struct imap_response r;
        enum tm_status st = imap_read(s, &r, err);
        if (st)
            return st;
        st = imap_cmd_response(s, &cs, &r, err);
        if (cs.done)
            return st;
    }
}

enum tm_status imap_cmd_send(struct tm_session *s, bool secret, struct tm_error *err)
{
    if (!s->stream)
        return tm_error_set(err, TM_ENET, _("not connected to %s"), s->srv.host);
    enum tm_status st = tm_buf_append(&s->cmd, "\r\n", 2);
    if (st)
        return tm_error_set(err, st, _("out of memory"));
    st = secret ? tm_stream_write_secret(s->stream, s->cmd.data, s->cmd.len, err)
                : tm_stream_write(s->stream, s->cmd.data, s->cmd.len, err);
    if (secret)
        explicit_bzero(s->cmd.data, s->cmd.len);
    if (st)
        imap_disconnect(s);
    return st;
}

enum tm_status imap_cmd_run(struct tm_session *s, const char *tag, bool secret, imap_untagged_fn fn,
                            void *ctx, enum tm_status no_status, struct tm_error *err)
{
    enum tm_status st = imap_cmd_send(s, secret, err);
    return st ? st : imap_cmd_finish(s, tag, fn, ctx, no_status, err);
}

enum tm_status imap_simple(struct tm_session *s, imap_untagged_fn fn, void *ctx,
                           struct tm_error *err, const char *fmt, ...)
{
    char tag[16];
    imap_cmd_begin(s, tag, sizeof(tag));
    va_list ap;
    va_start(ap, fmt);
    enum tm_status st = tm_buf_vappendf(&s->cmd, fmt, ap);
    va_end(ap);
    if (st)
        return tm_error_set(err, st, _("out of memory"));
    return imap_cmd_run(s, tag, false, fn, ctx, TM_OK, err);
}

enum tm_status imap_cmd_mailbox(struct tm_session *s, const char *name, struct tm_error *err)
{
    bool sync_literal = false;
    enum tm_status st =
        imap_append_mailbox(&s->cmd, name, s->utf8_enabled,
                            imap_caps_has(&s->caps, IMAP_CAP_LITERALPLUS), &sync_literal);
    if (st)
        return tm_error_set(err, st, _("out of memory"));
    if (sync_literal)
        return tm_error_set(err, TM_ENOTSUP,
                            _("mailbox name cannot be sent to %s (it needs a literal and the "
                              "server has no LITERAL+)"),
                            s->srv.host);
    return TM_OK;
}
