/* dump_json.c - a message's headers and MIME structure as one JSON object, for
 * `tmail --dump-mime` and tests. (RFC 8259 JSON; RFC 5322 3.4, 3.6; RFC 2045, RFC 2046) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/sha256.h"

struct dump {
    struct tm_buf *out;
    struct tm_buf scratch; /* the UTF-8-sanitized copy of a string being written */
    const struct tm_mime_tree *tree;
    bool first_part;
};

/* s[0..len) as a JSON string: invalid UTF-8 bytes become U+FFFD, '"', '\' and the controls
 * U+0000-U+001F are escaped (RFC 8259 7). */
static enum tm_status json_string(struct dump *d, const char *s, size_t len)
{
    tm_buf_reset(&d->scratch);
    enum tm_status st = mime_utf8_sanitize(&d->scratch, s, len);
    const char *u = d->scratch.data ? d->scratch.data : "";
    size_t run = 0, n = d->scratch.len;
    if (st == TM_OK)
        st = tm_buf_append_char(d->out, '"');
    for (size_t i = 0; st == TM_OK && i < n; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        st = tm_buf_append(d->out, u + run, i - run);
        if (st == TM_OK)
            st = c < 0x20 ? tm_buf_appendf(d->out, "\\u%04x", c)
                          : tm_buf_appendf(d->out, "\\%c", (char)c);
        run = i + 1;
    }
    if (st == TM_OK)
        st = tm_buf_append(d->out, u + run, n - run);
    if (st == TM_OK)
        st = tm_buf_append_char(d->out, '"');
    return st;
}

/* A string, or null when s is NULL or empty (absent values are never ""). */
static enum tm_status json_opt(struct dump *d, const char *s)
{
    return s && *s ? json_string(d, s, strlen(s)) : tm_buf_append_str(d->out, "null");
}

/* `"key":` after a comma unless first. */
static enum tm_status json_key(struct dump *d, const char *key, bool first)
{
    return tm_buf_appendf(d->out, "%s\"%s\":", first ? "" : ",", key);
}

/* ---- headers ---- */

/* An address list as [[display_name, addr_spec], ...] with groups flattened; null if absent. */
static enum tm_status json_addresses(struct dump *d, const char *value)
{
    struct mime_addr_list list;
    bool first = true;
    if (!value)
        return tm_buf_append_str(d->out, "null");
    enum tm_status st = mime_addr_list_parse(value, &list);
    if (st == TM_OK)
        st = tm_buf_append_char(d->out, '[');
    for (size_t i = 0; st == TM_OK && i < list.count; i++) {
        if (list.items[i].kind != MIME_ADDR_MAILBOX)
            continue;
        st = tm_buf_append_str(d->out, first ? "[" : ",[");
        first = false;
        if (st == TM_OK)
            st = json_opt(d, list.items[i].name);
        if (st == TM_OK)
            st = tm_buf_append_char(d->out, ',');
        if (st == TM_OK)
            st = json_opt(d, list.items[i].addr);
        if (st == TM_OK)
            st = tm_buf_append_char(d->out, ']');
    }
    if (st == TM_OK)
        st = tm_buf_append_char(d->out, ']');
    mime_addr_list_cleanup(&list);
    return st;
}

/* One header member; what says how the unfolded, trimmed value is shown. */
enum hdr_form { HDR_TEXT, HDR_ADDRESSES, HDR_AS_WRITTEN };

static enum tm_status json_header(struct dump *d, const char *key, const char *field,
                                  enum hdr_form form, bool first)
{
    char *value = tm_mime_header_get(d->tree->msg, d->tree->len, field), *text = NULL;
    enum tm_status st = json_key(d, key, first);
    if (st)
        goto out;
    if (form == HDR_ADDRESSES) {
        st = json_addresses(d, value);
    } else if (form == HDR_TEXT && value) {
        /* Raw 8-bit bytes: kept when UTF-8, else U+FFFD (as the spec of --dump-mime says). */
        text = tm_mime_decode_header_text(value, "UTF-8");
        st = text ? json_opt(d, text) : TM_ENOMEM;
    } else {
        st = json_opt(d, value);
    }
out:
    free(value);
    free(text);
    return st;
}

static enum tm_status json_headers(struct dump *d)
{
    enum tm_status st = tm_buf_append_str(d->out, "{\"headers\":{");
    if (st == TM_OK)
        st = json_header(d, "subject", "Subject", HDR_TEXT, true);
    if (st == TM_OK)
        st = json_header(d, "from", "From", HDR_ADDRESSES, false);
    if (st == TM_OK)
        st = json_header(d, "to", "To", HDR_ADDRESSES, false);
    if (st == TM_OK)
        st = json_header(d, "cc", "Cc", HDR_ADDRESSES, false);
    if (st == TM_OK)
        st = json_header(d, "message_id", "Message-ID", HDR_AS_WRITTEN, false);
    if (st == TM_OK)
        st = json_header(d, "date", "Date", HDR_AS_WRITTEN, false);
    if (st == TM_OK)
        st = tm_buf_append_str(d->out, "},\"parts\":[");
    return st;
}

/* ---- parts ---- */

/* "size" and "sha256" of a leaf's decoded payload. */
static enum tm_status json_payload(struct dump *d, const struct tm_mime_part *p)
{
    struct tm_buf dec;
    char hex[65];
    tm_buf_init(&dec, p->body_len + 64); /* no decoder makes the payload longer */
    enum tm_status st = tm_mime_part_decode(d->tree, p, &dec, NULL);
    if (st == TM_OK) {
        tm_sha256_hex(dec.data ? dec.data : "", dec.len, hex);
        st = tm_buf_appendf(d->out, ",\"size\":%zu,\"sha256\":\"%s\"", dec.len, hex);
    }
    tm_buf_cleanup(&dec);
    return st;
}

static enum tm_status json_part(const struct tm_mime_part *p, void *ctx)
{
    struct dump *d = ctx;
    char ctype[sizeof(p->type) + sizeof(p->subtype) + 1];
    snprintf(ctype, sizeof(ctype), "%s/%s", p->type, p->subtype);
    enum tm_status st = tm_buf_append_str(d->out, d->first_part ? "{" : ",{");
    d->first_part = false;
    if (st == TM_OK && (st = json_key(d, "path", true)) == TM_OK)
        st = json_string(d, p->path, strlen(p->path));
    if (st == TM_OK && (st = json_key(d, "content_type", false)) == TM_OK)
        st = json_string(d, ctype, strlen(ctype));
    if (st == TM_OK && (st = json_key(d, "charset", false)) == TM_OK)
        st = json_opt(d, p->charset);
    if (st == TM_OK && (st = json_key(d, "filename", false)) == TM_OK) {
        /* The tree reads raw 8-bit names as windows-1252 for the screen; the JSON wants
         * U+FFFD for bytes that are not UTF-8. */
        char *name = NULL;
        if (p->filename && (st = mime_part_filename(p, "UTF-8", &name)) == TM_OK)
            st = json_opt(d, name ? name : p->filename);
        else if (st == TM_OK)
            st = json_opt(d, NULL);
        free(name);
    }
    if (st == TM_OK && (st = json_key(d, "disposition", false)) == TM_OK)
        st = json_opt(d, p->disposition);
    if (st == TM_OK && (st = json_key(d, "cte", false)) == TM_OK)
        st = json_opt(d, p->cte);
    if (st == TM_OK)
        st = tm_buf_appendf(d->out, ",\"leaf\":%s", p->leaf ? "true" : "false");
    if (st == TM_OK)
        st = p->leaf ? json_payload(d, p)
                     : tm_buf_append_str(d->out, ",\"size\":null,\"sha256\":null");
    if (st == TM_OK)
        st = tm_buf_append_char(d->out, '}');
    return st;
}

enum tm_status tm_mime_dump_json(const char *msg, size_t len, struct tm_buf *out,
                                 struct tm_error *err)
{
    struct tm_mime_tree *tree = NULL;
    struct dump d = {.out = out, .first_part = true};
    tm_buf_init(&d.scratch, 0);
    enum tm_status st = tm_mime_parse(msg, len, &tree, err);
    if (st)
        goto out;
    d.tree = tree;
    st = json_headers(&d);
    if (st == TM_OK)
        st = tm_mime_tree_walk(tree, json_part, &d);
    if (st == TM_OK)
        st = tm_buf_append_str(out, "]}\n");
    if (st == TM_ELIMIT)
        tm_error_set(err, st, "%s", _("the message's structure is too large to write"));
    else if (st)
        tm_error_set(err, st, "%s", _("out of memory while writing the message's structure"));
out:
    tm_buf_cleanup(&d.scratch);
    tm_mime_tree_free(&tree);
    return st;
}
