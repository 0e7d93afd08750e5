/* compose_quote.c - the original's text in a reply (attribution and "> " quoting) or a forward
 * (inline block, or the whole message as a message/rfc822 attachment). (RFC 3676 4.5, RFC 2046
 * 5.2.1) */
#include <stdlib.h>
#include <string.h>

#include "compose_private.h"
#include "private.h"
#include "tmail/i18n.h"

/* Who wrote orig, as "Name" or the address; malloc'd, NULL when unknown or on ENOMEM. */
static char *author(const struct tm_envelope *env)
{
    const char *who = env->from_name && *env->from_name ? env->from_name : env->from_addr;
    return who ? strdup(who) : NULL;
}

/* Appends one line of quoted text: "> text", ">" for an empty line, ">>" for a quoted one. */
static enum tm_status quote_line(struct tm_buf *out, const char *line, size_t n)
{
    const char *prefix = n == 0 || line[0] == '>' ? ">" : "> ";
    enum tm_status st = tm_buf_append_str(out, prefix);
    if (st == TM_OK)
        st = tm_buf_append(out, line, n);
    return st ? st : tm_buf_append_char(out, '\n');
}

/* The readable text of orig without trailing line breaks, as tm_mime_render_text gives it (the
 * parts it leaves out, om, listed as the whole message would list them). */
static enum tm_status body_text(const char *orig, size_t len, const struct tm_compose_omitted *om,
                                struct tm_buf *text, struct tm_error *err)
{
    struct tm_render_opts opts = {
        .omitted = om ? om->parts : NULL, .n_omitted = om ? om->n : 0, .omitted_plain = true};
    enum tm_status st = tm_mime_render_text_opts(orig, len, &opts, text, err);
    while (st == TM_OK && text->len > 0 && text->data[text->len - 1] == '\n')
        text->data[--text->len] = '\0';
    return st;
}

enum tm_status tm_compose_quote_body(const char *orig, size_t len, struct tm_buf *out,
                                     struct tm_error *err)
{
    return tm_compose_quote_body_attr(orig, len, NULL, out, err);
}

/* The default attribution: "On DATE, NAME wrote:" with the Date field as written. */
static enum tm_status default_attribution(struct tm_buf *out, const char *orig, size_t len,
                                          const struct tm_envelope *env)
{
    char *date = tm_mime_header_get(orig, len, "Date");
    char *who = author(env);
    enum tm_status st;
    if (date)
        st = tm_buf_appendf(out, _("On %s, %s wrote:\n"), date, who ? who : _("someone"));
    else
        st = tm_buf_appendf(out, _("%s wrote:\n"), who ? who : _("someone"));
    free(date);
    free(who);
    return st;
}

enum tm_status tm_compose_quote_body_attr(const char *orig, size_t len, const char *attribution,
                                          struct tm_buf *out, struct tm_error *err)
{
    return tm_compose_quote_body_omitted(orig, len, NULL, attribution, out, err);
}

enum tm_status tm_compose_quote_body_omitted(const char *orig, size_t len,
                                             const struct tm_compose_omitted *omitted,
                                             const char *attribution, struct tm_buf *out,
                                             struct tm_error *err)
{
    struct tm_envelope env;
    struct tm_buf text;
    tm_buf_init(&text, out->limit);
    tm_error_clear(err);
    enum tm_status st = tm_mime_envelope_parse(orig, len, &env, err);
    if (st)
        goto out;
    if (!attribution)
        st = default_attribution(out, orig, len, &env);
    else if (*attribution)
        st = tm_buf_appendf(out, "%s\n", attribution);
    if (st == TM_OK)
        st = body_text(orig, len, omitted, &text, err);
    for (size_t pos = 0; st == TM_OK && pos < text.len;) {
        const char *nl = memchr(text.data + pos, '\n', text.len - pos);
        size_t n = nl ? (size_t)(nl - (text.data + pos)) : text.len - pos;
        st = quote_line(out, text.data + pos, n);
        pos += n + 1;
    }
    tm_mime_envelope_cleanup(&env);
out:
    if (st && err && err->status == TM_OK)
        tm_error_set(err, st, _("cannot quote the message"));
    tm_buf_cleanup(&text);
    return st;
}

/* Appends "Name: value\n" when value is there. */
static enum tm_status forward_field(struct tm_buf *out, const char *name, const char *value)
{
    return value && *value ? tm_buf_appendf(out, "%s: %s\n", name, value) : TM_OK;
}

static enum tm_status forward_header(struct tm_buf *out, const char *orig, size_t len,
                                     const struct tm_envelope *env)
{
    char *date = tm_mime_header_get(orig, len, "Date"), *from = NULL;
    enum tm_status st = TM_OK;
    if (env->from_addr && env->from_name && *env->from_name)
        st = tm_buf_appendf(out, "----- %s %s <%s> -----\n", _("Forwarded message from"),
                            env->from_name, env->from_addr);
    else
        st = tm_buf_appendf(out, "----- %s %s -----\n", _("Forwarded message from"),
                            env->from_addr ? env->from_addr : _("someone"));
    char *raw_from = tm_mime_header_get(orig, len, "From");
    if (st == TM_OK && raw_from)
        st = mime_addr_display(raw_from, &from);
    if (st == TM_OK)
        st = forward_field(out, "Date", date);
    if (st == TM_OK)
        st = forward_field(out, "From", from);
    if (st == TM_OK)
        st = forward_field(out, "To", env->to);
    if (st == TM_OK)
        st = forward_field(out, "Cc", env->cc);
    if (st == TM_OK)
        st = forward_field(out, "Subject", env->subject);
    free(raw_from);
    free(from);
    free(date);
    return st;
}

enum tm_status tm_compose_forward_body(const char *orig, size_t len, struct tm_buf *out,
                                       struct tm_error *err)
{
    return tm_compose_forward_body_omitted(orig, len, NULL, out, err);
}

enum tm_status tm_compose_forward_body_omitted(const char *orig, size_t len,
                                               const struct tm_compose_omitted *omitted,
                                               struct tm_buf *out, struct tm_error *err)
{
    struct tm_envelope env;
    struct tm_buf text;
    tm_buf_init(&text, out->limit);
    tm_error_clear(err);
    enum tm_status st = tm_mime_envelope_parse(orig, len, &env, err);
    if (st)
        goto out;
    st = forward_header(out, orig, len, &env);
    if (st == TM_OK)
        st = body_text(orig, len, omitted, &text, err);
    if (st == TM_OK)
        st = tm_buf_appendf(out, "\n%s\n\n----- %s -----\n", text.data ? text.data : "",
                            _("End forwarded message"));
    tm_mime_envelope_cleanup(&env);
out:
    if (st && err && err->status == TM_OK)
        tm_error_set(err, st, _("cannot forward the message"));
    tm_buf_cleanup(&text);
    return st;
}

void tm_compose_forward_attachment(const char *orig, size_t len, struct tm_compose_attachment *att)
{
    att->filename = NULL;
    att->content_type = "message/rfc822";
    att->data = orig;
    att->len = len;
}
