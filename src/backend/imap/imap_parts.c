/* imap_parts.c - big messages read in parts. fetch_view: a message over fetch_whole_max takes one
 * UID FETCH of BODYSTRUCTURE and the header, then one (rarely more) of every part's MIME header
 * and the text the pager shows; the skeleton built from them (imap_skeleton.c) is cached with the
 * parts left out. fetch_part: one left-out part on demand, in chunks that are cached as they
 * come, so a cut download resumes: BINARY.PEEK[n]<o.l> (RFC 3516) for base64 and
 * quoted-printable parts when the server has BINARY, else, or after NO [UNKNOWN-CTE],
 * BODY.PEEK[n]<o.l> decoded locally (RFC 3501 6.4.5). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "imap_parts.h"
#include "private.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/store.h"

#define PART_CHUNK_DEFAULT ((size_t)1024 * 1024)

/* ---- The structure and the header (first round trip) ---- */

struct structure_ctx {
    uint32_t uid;
    struct imap_skeleton *sk;
    bool found;
    enum tm_status parse_st; /* the structure could not be used: fetch the message whole */
    struct tm_error parse_err;
};

/* A FETCH for another message, or without what we asked: flag news only. */
static enum tm_status other_fetch(struct tm_session *s, const struct imap_fetch *f,
                                  struct tm_error *err)
{
    return f->has_uid && f->has_flags ? imap_apply_fetch_flags(s, f, NULL, err) : TM_OK;
}

/* Decodes r as a FETCH of uid into f: true to go on with it; false with *st to return when it
 * is no FETCH, or one of another message (its flag news applied). */
static bool fetch_for(struct tm_session *s, const struct imap_response *r, uint32_t uid,
                      struct imap_fetch *f, enum tm_status *st, struct tm_error *err)
{
    if (!imap_fetch_of(r, f, st, err))
        return false;
    if (f->has_uid && f->uid == uid)
        return true;
    *st = other_fetch(s, f, err);
    return false;
}

static enum tm_status on_structure(struct tm_session *s, void *ctx, const struct imap_response *r,
                                   struct tm_error *err)
{
    struct structure_ctx *c = ctx;
    struct imap_fetch f;
    enum tm_status st;
    if (!fetch_for(s, r, c->uid, &f, &st, err))
        return st;
    if (!f.bodystructure || !f.header || c->found)
        return other_fetch(s, &f, err);
    c->found = true;
    if (!(c->sk->top_header = malloc(f.header_len + 1)))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    memcpy(c->sk->top_header, f.header, f.header_len);
    c->sk->top_header[f.header_len] = 0;
    c->sk->top_header_len = f.header_len;
    c->parse_st = imap_bodystructure_parse(f.bodystructure, f.has_size ? f.size : 0, &c->sk->bs,
                                           &c->parse_err);
    return c->parse_st == TM_ENOMEM ? tm_error_set(err, TM_ENOMEM, _("out of memory")) : TM_OK;
}

/* ---- The headers and the text (second round trip) ---- */

struct sections_ctx {
    uint32_t uid;
    struct imap_skeleton *sk;
};

static enum tm_status on_sections(struct tm_session *s, void *ctx, const struct imap_response *r,
                                  struct tm_error *err)
{
    struct sections_ctx *c = ctx;
    struct imap_fetch f;
    enum tm_status st;
    if (!fetch_for(s, r, c->uid, &f, &st, err))
        return st;
    /* every BODY[section] of the response, where imap_fetch_decode keeps only the last one */
    const struct imap_value *items = r->args[0].items;
    for (size_t i = 0; i + 1 < r->args[0].n; i += 2) {
        const char *name = items[i].str;
        const struct imap_value *v = &items[i + 1];
        if (strncasecmp(name, "BODY[", 5) != 0 ||
            (v->type != IMAP_V_STRING && v->type != IMAP_V_NIL))
            continue;
        const char *close = strchr(name + 5, ']');
        size_t key_len = close ? (size_t)(close - (name + 5)) : strlen(name + 5);
        const char *data = v->type == IMAP_V_STRING ? v->str : "";
        imap_skeleton_answer(c->sk, name + 5, key_len, data, v->type == IMAP_V_STRING ? v->len : 0,
                             err, &st);
        if (st)
            return st;
    }
    return TM_OK;
}

/* Fetches the sections of sk's plan, in as many commands as IMAP_SKELETON_CMD_MAX asks. */
static enum tm_status fetch_sections(struct tm_session *s, uint32_t uid, struct imap_skeleton *sk,
                                     struct tm_error *err)
{
    struct sections_ctx c = {uid, sk};
    enum tm_status st = TM_OK;
    for (size_t next = 0; !st && next < sk->n_items;) {
        char tag[16];
        imap_cmd_begin(s, tag, sizeof(tag));
        st = tm_buf_appendf(&s->cmd, "UID FETCH %u (UID", (unsigned)uid);
        if (!st)
            st = imap_skeleton_items(sk, &next, IMAP_SKELETON_CMD_MAX, &s->cmd);
        if (!st)
            st = tm_buf_append_str(&s->cmd, ")");
        if (st)
            return tm_error_set(err, st, _("out of memory"));
        st = imap_cmd_run(s, tag, false, on_sections, &c, TM_OK, err);
    }
    return st;
}

/* Caches the skeleton out[start..) with its left-out parts. */
static enum tm_status cache_skeleton(struct tm_session *s, int64_t message_id,
                                     const struct imap_skeleton *sk, const struct tm_buf *out,
                                     size_t start, struct tm_error *err)
{
    struct tm_store_part *parts = calloc(sk->left_out ? sk->left_out : 1, sizeof(*parts));
    size_t n = 0;
    if (!parts)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    for (size_t i = 0; i < sk->n_nodes; i++) {
        const struct skel_node *node = &sk->nodes[i];
        if (!node->leaf || node->content >= 0)
            continue;
        parts[n++] = (struct tm_store_part){.section = node->b->section,
                                            .path = node->path,
                                            .octets = (int64_t)node->b->octets,
                                            .encoding = node->b->encoding};
    }
    enum tm_status st = tm_store_partial_put(s->env->store, message_id, out->data + start,
                                             out->len - start, parts, n, err);
    free(parts);
    return st;
}

/* The skeleton of message uid into out (cached), or TM_ENOTSUP when the message is better
 * fetched whole (why is logged). */
static enum tm_status fetch_skeleton(struct tm_session *s, int64_t message_id, uint32_t uid,
                                     const struct tm_fetch_view_opts *opts, struct tm_buf *out,
                                     struct tm_error *err)
{
    struct imap_skeleton sk;
    struct structure_ctx c = {.uid = uid, .sk = &sk};
    struct tm_error why;
    memset(&sk, 0, sizeof(sk));
    tm_error_clear(&why);
    tm_error_clear(&c.parse_err);
    size_t start = out->len;
    uint64_t budget = IMAP_INLINE_BUDGET;
    if ((uint64_t)s->srv.fetch_whole_max > budget)
        budget = (uint64_t)s->srv.fetch_whole_max;
    enum tm_status st = imap_simple(
        s, on_structure, &c, err, "UID FETCH %u (UID RFC822.SIZE BODYSTRUCTURE BODY.PEEK[HEADER])",
        (unsigned)uid);
    if (!st && !c.found)
        st = tm_error_set(err, TM_ENOENT, _("the message is no longer on the server"));
    if (st)
        goto out;
    if (c.parse_st) { /* a server's mistake: worth a warning, and the whole message */
        tm_log(TM_LOG_WARN, "imap %s: uid %u: %s", s->account_name, (unsigned)uid,
               c.parse_err.message);
        why = c.parse_err;
        goto whole;
    }
    st = imap_skeleton_plan(&sk, opts ? opts->alternative_order : NULL, budget, &why);
    if (!st && sk.left_out == 0)
        st = tm_error_set(&why, TM_ENOTSUP, "%s", "nothing big to leave out");
    if (st)
        goto whole;
    if ((st = fetch_sections(s, uid, &sk, err))) {
        if (!s->stream || st == TM_ENOMEM)
            goto out; /* the connection is gone: the whole message would not come either */
        why = *err;   /* refused (a server that cannot give a part's MIME header) */
        tm_error_clear(err);
        goto whole;
    }
    if ((st = imap_skeleton_build(&sk, out, &why)))
        goto whole;
    st = cache_skeleton(s, message_id, &sk, out, start, err);
    goto out;
whole:
    if (st == TM_ENOMEM || st == TM_ELIMIT) {
        *err = why;
    } else {
        tm_log(TM_LOG_INFO, "imap %s: uid %u is read whole: %s", s->account_name, (unsigned)uid,
               why.message);
        st = TM_ENOTSUP;
    }
out:
    if (st && out->data) {
        out->len = start;
        out->data[start] = 0;
    }
    imap_skeleton_cleanup(&sk);
    return st;
}

enum tm_status imap_fetch_view(struct tm_session *s, int64_t message_id,
                               const struct tm_fetch_view_opts *opts, struct tm_buf *out,
                               bool *partial, struct tm_error *err)
{
    struct tm_store *store = s->env->store;
    *partial = false;
    enum tm_status st = tm_store_body_get(store, message_id, out, err);
    if (st != TM_ENOENT)
        return st;
    if ((st = tm_store_partial_get(store, message_id, out, err)) != TM_ENOENT) {
        *partial = st == TM_OK;
        return st;
    }
    struct tm_message_row row = {0};
    if ((st = tm_store_message_get(store, message_id, &row, err)))
        return st;
    uint32_t uid = (uint32_t)row.uid;
    int64_t mailbox_id = row.mailbox_id, size = row.size;
    tm_message_row_cleanup(&row);
    if (s->srv.fetch_whole_max <= 0 || size <= s->srv.fetch_whole_max)
        return imap_fetch_whole(s, message_id, out, err);
    if ((st = imap_select_id(s, mailbox_id, err)))
        return st;
    st = fetch_skeleton(s, message_id, uid, opts, out, err);
    if (st == TM_ENOTSUP) {
        tm_error_clear(err);
        return imap_fetch_whole(s, message_id, out, err);
    }
    *partial = st == TM_OK;
    return st;
}

/* ---- One part on demand ---- */

struct part_row {
    const char *section;
    bool found;
    struct tm_store_part p; /* strings not kept */
    bool encoded;           /* base64 or quoted-printable: worth BINARY */
};

static int find_part(void *ctx, const struct tm_store_part *p)
{
    struct part_row *row = ctx;
    if (strcmp(p->section, row->section) != 0)
        return 0;
    row->found = true;
    row->p = *p;
    row->encoded = p->encoding && (strcmp(p->encoding, "base64") == 0 ||
                                   strcmp(p->encoding, "quoted-printable") == 0);
    return 1;
}

struct chunk_ctx {
    uint32_t uid;
    const char *section;
    struct tm_buf *data;
    bool found;
    bool has_size;
    uint64_t size;
};

static bool same_section(const char *a, size_t len, const char *section)
{
    return strlen(section) == len && strncasecmp(a, section, len) == 0;
}

static enum tm_status on_chunk(struct tm_session *s, void *ctx, const struct imap_response *r,
                               struct tm_error *err)
{
    struct chunk_ctx *c = ctx;
    struct imap_fetch f;
    enum tm_status st;
    if (!fetch_for(s, r, c->uid, &f, &st, err))
        return st;
    if (f.has_binary_size &&
        same_section(f.binary_size_section, f.binary_size_section_len, c->section)) {
        c->has_size = true;
        c->size = f.binary_size;
    }
    if (!f.section || !same_section(f.section, f.section_len, c->section))
        return other_fetch(s, &f, err);
    c->found = true;
    st = f.section_data ? tm_buf_append(c->data, f.section_data, f.section_data_len) : TM_OK;
    return st ? tm_error_set(err, st, _("out of memory")) : TM_OK;
}

/* One chunk at offset have; *refused_cte tells a BINARY fetch the server cannot decode. */
static enum tm_status fetch_chunk(struct tm_session *s, struct chunk_ctx *c, bool binary,
                                  bool want_size, int64_t have, size_t chunk, bool *refused_cte,
                                  struct tm_error *err)
{
    char tag[16];
    *refused_cte = false;
    tm_buf_reset(c->data);
    imap_cmd_begin(s, tag, sizeof(tag));
    enum tm_status st =
        tm_buf_appendf(&s->cmd, "UID FETCH %u (UID %s[%s]<%lld.%zu>", (unsigned)c->uid,
                       binary ? "BINARY.PEEK" : "BODY.PEEK", c->section, (long long)have, chunk);
    if (!st && want_size)
        st = tm_buf_appendf(&s->cmd, " BINARY.SIZE[%s]", c->section);
    if (!st)
        st = tm_buf_append_str(&s->cmd, ")");
    if (st)
        return tm_error_set(err, st, _("out of memory"));
    st = imap_cmd_run(s, tag, false, on_chunk, c, TM_ENOTSUP, err);
    if (st == TM_ENOTSUP && binary && strncmp(err->server_reply, "NO [UNKNOWN-CTE]", 16) == 0)
        *refused_cte = true;
    else if (st == TM_ENOTSUP)
        st = TM_EPROTO;
    if (!st && !c->found)
        st = tm_error_set(err, TM_ENOENT, _("the message is no longer on the server"));
    if (!st && c->data->len > chunk)
        st = tm_error_set(err, TM_EPROTO, _("%s sent %zu bytes of part %s where %zu were asked"),
                          s->srv.host, c->data->len, c->section, chunk);
    return st;
}

/* Fetches the rest of the part in chunks from *have on, caching each. */
static enum tm_status fetch_chunks(struct tm_session *s, int64_t message_id, struct chunk_ctx *c,
                                   const struct part_row *row, bool binary, int64_t have,
                                   tm_progress_fn progress, void *ctx, struct tm_error *err)
{
    struct tm_store *store = s->env->store;
    size_t chunk = s->part_chunk ? s->part_chunk : PART_CHUNK_DEFAULT;
    int64_t total = binary ? row->p.total : row->p.octets;
    for (;;) {
        bool refused_cte;
        enum tm_status st =
            fetch_chunk(s, c, binary, binary && total < 0, have, chunk, &refused_cte, err);
        if (refused_cte) { /* the server cannot decode it: fetch it as it is, decode here */
            tm_log(TM_LOG_INFO, "imap %s: BINARY refused for part %s (%s): fetching it encoded",
                   s->account_name, c->section, err->server_reply);
            tm_error_clear(err);
            binary = false;
            total = row->p.octets;
            if ((st = tm_store_part_begin(store, message_id, c->section, false, total, &have, err)))
                return st;
            continue;
        }
        if (st)
            return st;
        if (c->has_size && total < 0) {
            total = (int64_t)c->size;
            if ((st =
                     tm_store_part_begin(store, message_id, c->section, binary, total, &have, err)))
                return st;
        }
        bool last = c->data->len < chunk;
        st = tm_store_part_add(store, message_id, c->section, have, c->data->data, c->data->len,
                               last, err);
        if (st)
            return st;
        have += (int64_t)c->data->len;
        if (progress)
            progress(ctx, c->section, have, total);
        if (last)
            return TM_OK;
        if (s->env->cancel && *s->env->cancel)
            return tm_error_set(err, TM_ECANCELED, "%s", _("download stopped"));
    }
}

enum tm_status imap_fetch_part(struct tm_session *s, int64_t message_id, const char *section,
                               tm_progress_fn progress, void *ctx, struct tm_error *err)
{
    struct tm_store *store = s->env->store;
    struct part_row row = {.section = section};
    enum tm_status st = tm_store_part_each(store, message_id, find_part, &row, err);
    if (st)
        return st;
    if (!row.found)
        return tm_error_set(err, TM_ENOENT,
                            _("part %s of this message is not waiting to be downloaded"), section);
    if (row.p.complete)
        return TM_OK;
    struct tm_message_row msg = {0};
    if ((st = tm_store_message_get(store, message_id, &msg, err)))
        return st;
    uint32_t uid = (uint32_t)msg.uid;
    int64_t mailbox_id = msg.mailbox_id;
    tm_message_row_cleanup(&msg);
    if ((st = imap_select_id(s, mailbox_id, err))) {
        if (imap_is_offline_error(st)) {
            char why[sizeof(err->message)];
            snprintf(why, sizeof(why), "%s", err->message);
            tm_error_set(err, st,
                         _("The attachment is not downloaded yet and %s cannot be "
                           "reached: %s"),
                         s->srv.host, why);
        }
        return st;
    }
    /* Chunks already held decide the mode, so a resumed download continues the same bytes. */
    bool has_binary = imap_caps_has(&s->caps, IMAP_CAP_BINARY);
    bool binary = row.p.have > 0 ? row.p.decoded && has_binary : has_binary && row.encoded;
    int64_t have = 0;
    if ((st = tm_store_part_begin(store, message_id, section, binary,
                                  binary ? row.p.total : row.p.octets, &have, err)))
        return st;
    if (binary && row.p.have == 0)
        row.p.total = -1; /* a decoded size is only known from BINARY.SIZE */
    struct tm_buf data;
    tm_buf_init(&data, IMAP_DEFAULT_MAX_LITERAL); /* more than asked is refused after */
    struct chunk_ctx c = {.uid = uid, .section = section, .data = &data};
    st = fetch_chunks(s, message_id, &c, &row, binary, have, progress, ctx, err);
    tm_buf_cleanup(&data);
    return st;
}
