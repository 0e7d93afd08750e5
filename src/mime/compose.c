/* compose.c - building a whole outgoing message: Date, Message-ID, address and subject fields,
 * MIME-Version, one text part or multipart/mixed with attachments, and the wire line ends.
 * (RFC 5322 3.3 and 3.6, RFC 2045 4, RFC 2046 5.1) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose_private.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

static const char *const day_names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void tm_compose_addr_list_cleanup(struct tm_compose_addr_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free((void *)list->items[i].name);
        free((void *)list->items[i].addr);
    }
    free(list->items);
    memset(list, 0, sizeof(*list));
}

/* RFC 5322 3.3 date-time in the given offset, with English names whatever the locale. */
static enum tm_status append_date(struct tm_buf *out, time_t now, int utc_offset)
{
    time_t t = now + utc_offset;
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return TM_EPARSE;
    int off = utc_offset < 0 ? -utc_offset : utc_offset;
    return tm_buf_appendf(out, "Date: %s, %d %s %04d %02d:%02d:%02d %c%02d%02d\n",
                          day_names[tm.tm_wday % 7], tm.tm_mday, month_names[tm.tm_mon % 12],
                          tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                          utc_offset < 0 ? '-' : '+', off / 3600, off / 60 % 60);
}

static bool msg_id_usable(const char *id, size_t len)
{
    if (len == 0 || len > 900)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)id[i] <= ' ' || (unsigned char)id[i] >= 0x7f || id[i] == '<' ||
            id[i] == '>')
            return false;
    return true;
}

enum tm_status tm_compose_message_id_new(const struct tm_compose_opts *opts, const char *from_addr,
                                         char **id, struct tm_error *err)
{
    unsigned char rnd[16];
    *id = NULL;
    if (!opts->random || !opts->random(opts->random_ctx, rnd, sizeof(rnd)))
        return tm_error_set(err, TM_EIO, _("no random bytes for the Message-ID"));
    const char *at = from_addr ? strrchr(from_addr, '@') : NULL;
    const char *domain = opts->hostname ? opts->hostname : "localhost";
    if (at && at[1] && msg_id_usable(at + 1, strlen(at + 1))) /* not an international domain */
        domain = at + 1;
    struct tm_buf b;
    tm_buf_init(&b, 0);
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < sizeof(rnd) && st == TM_OK; i++)
        st = tm_buf_appendf(&b, "%02x", rnd[i]);
    if (st == TM_OK)
        st = tm_buf_appendf(&b, "@%s", domain);
    if (st == TM_OK)
        *id = tm_buf_steal(&b);
    tm_buf_cleanup(&b);
    return st ? tm_error_set(err, st, _("out of memory")) : TM_OK;
}

/* Appends "name: <id1> <id2>..." folded, for space-separated ids. */
static enum tm_status id_field(struct tm_buf *out, const char *name, const char *ids,
                               struct tm_error *err)
{
    struct tm_buf line;
    tm_buf_init(&line, 0);
    enum tm_status st = tm_buf_appendf(&line, "%s:", name);
    for (const char *p = ids; st == TM_OK && *p;) {
        size_t n = strcspn(p, " \t");
        if (n > 0 && !msg_id_usable(p, n))
            st = tm_error_set(err, TM_EPARSE, _("unusable message id in %s"), name);
        else if (n > 0)
            st = tm_buf_appendf(&line, " <%.*s>", (int)n, p);
        p += n + strspn(p + n, " \t");
    }
    if (st == TM_OK)
        st = compose_fold(out, line.data, line.len);
    tm_buf_cleanup(&line);
    return st;
}

static enum tm_status addr_field(struct tm_buf *out, const char *name,
                                 const struct tm_compose_addr *a, size_t n, struct tm_error *err)
{
    if (n == 0)
        return TM_OK;
    struct tm_buf line;
    tm_buf_init(&line, 0);
    enum tm_status st = tm_buf_appendf(&line, "%s: ", name);
    if (st == TM_OK)
        st = compose_format_addrs(&line, a, n, err);
    if (st == TM_OK)
        st = compose_fold(out, line.data, line.len);
    tm_buf_cleanup(&line);
    return st;
}

static enum tm_status subject_field(struct tm_buf *out, const char *subject)
{
    struct tm_buf line;
    tm_buf_init(&line, 0);
    enum tm_status st = tm_buf_append_str(&line, "Subject: ");
    if (st == TM_OK)
        st = compose_encode_words(&line, subject, COMPOSE_WORDS_TEXT);
    if (st == TM_OK)
        st = compose_fold(out, line.data, line.len);
    tm_buf_cleanup(&line);
    return st;
}

static enum tm_status write_headers(struct tm_buf *out, const struct tm_compose_msg *msg,
                                    const struct tm_compose_opts *opts, const char *id,
                                    struct tm_error *err)
{
    enum tm_status st = append_date(out, opts->now, opts->utc_offset);
    if (st == TM_OK)
        st = addr_field(out, "From", &msg->from, 1, err);
    if (st == TM_OK)
        st = addr_field(out, "To", msg->to, msg->nto, err);
    if (st == TM_OK)
        st = addr_field(out, "Cc", msg->cc, msg->ncc, err);
    if (st == TM_OK)
        st = addr_field(out, "Reply-To", msg->reply_to, msg->nreply_to, err);
    if (st == TM_OK && msg->subject)
        st = subject_field(out, msg->subject);
    if (st == TM_OK)
        st = id_field(out, "Message-ID", id, err);
    if (st == TM_OK && msg->in_reply_to && *msg->in_reply_to)
        st = id_field(out, "In-Reply-To", msg->in_reply_to, err);
    if (st == TM_OK && msg->references && *msg->references)
        st = id_field(out, "References", msg->references, err);
    if (st == TM_OK)
        st = tm_buf_append_str(out, "MIME-Version: 1.0\n");
    return st;
}

/* The text part and the attachments, each encoded into parts[i], then joined under a boundary
 * that none of them contains. */
static enum tm_status write_multipart(struct tm_buf *out, const struct tm_compose_msg *msg,
                                      const struct tm_compose_opts *opts, struct tm_error *err)
{
    size_t n = msg->nattachments + 1;
    struct tm_buf *parts = calloc(n, sizeof(*parts));
    char boundary[64];
    enum tm_status st = parts ? TM_OK : TM_ENOMEM;
    for (size_t i = 0; i < n && st == TM_OK; i++) {
        tm_buf_init(&parts[i], out->limit);
        st = i == 0 ? compose_text_part(&parts[0], msg->body ? msg->body : "", msg->body_len,
                                        opts->server_8bitmime)
                    : compose_attachment_part(&parts[i], &msg->attachments[i - 1],
                                              opts->server_8bitmime, err);
    }
    if (st == TM_OK)
        st = compose_boundary(opts, parts, n, boundary, sizeof(boundary), err);
    if (st == TM_OK) {
        char line[128];
        int n = snprintf(line, sizeof(line), "Content-Type: multipart/mixed; boundary=\"%s\"",
                         boundary);
        st = compose_fold(out, line, (size_t)n);
    }
    if (st == TM_OK)
        st = tm_buf_append_char(out, '\n');
    for (size_t i = 0; i < n && st == TM_OK; i++) {
        st = tm_buf_appendf(out, "%s--%s\n", i ? "\n" : "", boundary);
        if (st == TM_OK)
            st = tm_buf_append(out, parts[i].data ? parts[i].data : "", parts[i].len);
    }
    if (st == TM_OK)
        st = tm_buf_appendf(out, "\n--%s--\n", boundary);
    for (size_t i = 0; parts && i < n; i++)
        tm_buf_cleanup(&parts[i]);
    free(parts);
    return st;
}

/* Appends msg (LF line ends) to out in wire form, refusing lines over RFC 5322's limit. */
static enum tm_status finish(struct tm_buf *out, const struct tm_buf *msg, bool crlf,
                             struct tm_error *err)
{
    size_t line = 0;
    enum tm_status st = tm_buf_reserve(out, msg->len + (crlf ? msg->len / 40 : 0));
    for (size_t i = 0; i < msg->len && st == TM_OK; i++) {
        char c = msg->data[i];
        line = c == '\n' ? 0 : line + 1;
        if (line > COMPOSE_LINE_MAX)
            return tm_error_set(err, TM_ELIMIT, _("a header line is longer than %d characters"),
                                COMPOSE_LINE_MAX);
        if (c == '\n' && crlf)
            st = tm_buf_append_char(out, '\r');
        if (st == TM_OK)
            st = tm_buf_append_char(out, c);
    }
    return st;
}

enum tm_status tm_compose_build(const struct tm_compose_msg *msg,
                                const struct tm_compose_opts *opts, struct tm_buf *out,
                                struct tm_error *err)
{
    struct tm_buf b;
    char *own_id = NULL;
    const char *id = msg->message_id;
    tm_buf_init(&b, out->limit);
    tm_error_clear(err);
    enum tm_status st = TM_OK;
    if (!msg->from.addr || !*msg->from.addr) {
        st = tm_error_set(err, TM_EPARSE, _("the message has no From address"));
        goto out;
    }
    if (!id && (st = tm_compose_message_id_new(opts, msg->from.addr, &own_id, err)))
        goto out;
    st = write_headers(&b, msg, opts, id ? id : own_id, err);
    if (st == TM_OK && msg->nattachments == 0)
        st =
            compose_text_part(&b, msg->body ? msg->body : "", msg->body_len, opts->server_8bitmime);
    else if (st == TM_OK)
        st = write_multipart(&b, msg, opts, err);
    if (st == TM_OK)
        st = finish(out, &b, opts->crlf, err);
    if (st && err && err->status == TM_OK)
        tm_error_set(err, st,
                     st == TM_ELIMIT ? _("the message is too large")
                                     : _("out of memory building the message"));
out:
    free(own_id);
    tm_buf_cleanup(&b);
    return st;
}
