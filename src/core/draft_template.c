/* draft_template.c - a message taken back as a draft (edit as new, a recalled postponed
 * message): its address fields and subject, its first text part as the body and its other
 * parts, decoded, as attachments. (RFC 2045, RFC 2046 5.1.4, RFC 2183) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "draft_private.h"
#include "tmail/i18n.h"
#include "tmail/mime.h"

struct template
{
    struct tm_draft *d;
    const struct tm_mime_tree *tree;
    bool have_body;
};

static bool is_type(const struct tm_mime_part *p, const char *type, const char *subtype)
{
    return strcmp(p->type, type) == 0 && (!subtype || strcmp(p->subtype, subtype) == 0);
}

/* The part's text in UTF-8 with LF line ends as the draft's body. */
static enum tm_status take_body(struct template *t, const struct tm_mime_part *p,
                                struct tm_error *err)
{
    struct tm_buf text;
    tm_buf_init(&text, 0);
    enum tm_status st = tm_mime_part_text(t->tree, p, &text, err);
    tm_buf_reset(&t->d->body);
    for (size_t i = 0; i < text.len && st == TM_OK; i++) {
        if (text.data[i] != '\r' || i + 1 >= text.len || text.data[i + 1] != '\n')
            st = tm_buf_append_char(&t->d->body, text.data[i]);
    }
    tm_buf_cleanup(&text);
    t->have_body = st == TM_OK;
    return st;
}

/* The part's decoded bytes as an attachment with its type, charset, name and description. */
static enum tm_status take_attachment(struct template *t, const struct tm_mime_part *p,
                                      struct tm_error *err)
{
    struct tm_buf data, ctype;
    tm_buf_init(&data, 0);
    tm_buf_init(&ctype, 0);
    char *raw = tm_mime_header_get(p->base + p->header_start, p->header_len, "Content-Description");
    char *description = raw ? tm_mime_decode_header_text(raw, NULL) : NULL;
    enum tm_status st = raw && !description ? TM_ENOMEM : TM_OK;
    if (st == TM_OK)
        st = tm_buf_appendf(&ctype, "%s/%s", p->type, p->subtype);
    if (st == TM_OK && p->charset)
        st = tm_buf_appendf(&ctype, "; charset=%s", p->charset);
    if (st == TM_OK)
        st = tm_mime_part_decode(t->tree, p, &data, err);
    if (st == TM_OK)
        st = tm_draft_attach_data(t->d, p->filename, ctype.data, description,
                                  data.data ? data.data : "", data.len, err);
    free(raw);
    free(description);
    tm_buf_cleanup(&data);
    tm_buf_cleanup(&ctype);
    return st;
}

/* The text part of an alternative to keep: text/plain, else the first other text. */
static const struct tm_mime_part *alternative_text(const struct tm_mime_part *p)
{
    for (size_t i = 0; i < p->nchildren; i++)
        if (is_type(&p->children[i], "text", "plain"))
            return &p->children[i];
    for (size_t i = 0; i < p->nchildren; i++)
        if (is_type(&p->children[i], "text", NULL) && p->children[i].leaf)
            return &p->children[i];
    return p->nchildren ? &p->children[0] : NULL;
}

/* The first text/plain part not marked as an attachment is the body (any text part when it is
 * the whole message or the pick of an alternative: HTML is then edited as its text). Of an
 * alternative only one part is kept, as the others would be stale copies once the text is
 * edited. Messages inside are attachments as a whole. */
static enum tm_status take_part(struct template *t, const struct tm_mime_part *p, bool any_text,
                                struct tm_error *err)
{
    enum tm_status st = TM_OK;
    if (is_type(p, "multipart", "alternative") && !p->leaf) {
        const struct tm_mime_part *pick = alternative_text(p);
        return pick ? take_part(t, pick, true, err) : TM_OK;
    }
    if (is_type(p, "multipart", NULL) && !p->leaf) {
        for (size_t i = 0; i < p->nchildren && st == TM_OK; i++)
            st = take_part(t, &p->children[i], false, err);
        return st;
    }
    bool attachment = p->disposition && strcmp(p->disposition, "attachment") == 0;
    bool text = is_type(p, "text", "plain") || (any_text && is_type(p, "text", NULL));
    if (!t->have_body && text && !attachment)
        return take_body(t, p, err);
    return take_attachment(t, p, err);
}

/* The decoded Subject and the typed address fields. */
static enum tm_status take_fields(struct tm_draft *d, const char *msg, size_t len, bool keep_thread)
{
    static const char *const names[] = {"To", "Cc", "Bcc", "Reply-To", "From"};
    char **fields[] = {&d->to, &d->cc, &d->bcc, &d->reply_to, &d->from};
    enum tm_status st = TM_OK;
    for (size_t i = 0; i < (keep_thread ? 5u : 4u) && st == TM_OK; i++) {
        char *value = NULL;
        st = draft_header_addresses(msg, len, names[i], &value);
        if (st == TM_OK) {
            free(*fields[i]);
            *fields[i] = value;
        }
    }
    char *raw = tm_mime_header_get(msg, len, "Subject");
    char *subject = raw ? tm_mime_decode_header_text(raw, NULL) : NULL;
    if (st == TM_OK)
        st = raw && !subject ? TM_ENOMEM : draft_set(&d->subject, subject);
    free(raw);
    free(subject);
    return st;
}

enum tm_status draft_from_template(struct tm_draft *d, const char *msg, size_t len,
                                   bool keep_thread, struct tm_error *err)
{
    struct tm_mime_tree *tree = NULL;
    struct tm_envelope env;
    enum tm_status st = tm_mime_envelope_parse(msg, len, &env, err);
    if (st)
        return st;
    st = take_fields(d, msg, len, keep_thread);
    if (st == TM_OK && keep_thread)
        st = draft_set_opt(&d->in_reply_to, env.in_reply_to);
    if (st == TM_OK && keep_thread)
        st = draft_set_opt(&d->references, env.references);
    if (st) {
        tm_error_set(err, st, _("out of memory"));
        goto out;
    }
    st = tm_mime_parse(msg, len, &tree, err);
    if (st == TM_OK) {
        struct template t = {.d = d, .tree = tree};
        st = take_part(&t, &tree->root, true, err);
    }
out:
    tm_mime_tree_free(&tree);
    tm_mime_envelope_cleanup(&env);
    return st;
}
