/* starter.c - the starter ~/.tmailrc the first-run dialog writes for one IMAP or POP3 account. */
#include <stdio.h>
#include <string.h>

#include "tmail/config.h"
#include "tmail/i18n.h"

bool tm_config_guess_host(const char *address, const char *prefix, char *out, size_t size)
{
    const char *at = address ? strrchr(address, '@') : NULL;
    if (!at || !at[1] || strchr(at + 1, ' '))
        return false;
    return snprintf(out, size, "%s.%s", prefix, at + 1) < (int)size;
}

/* Values go between double quotes: line breaks, quotes and backslashes are refused, and $ or
 * ` would be expanded by the tmailrc reader, so they are refused too. */
static bool plain_value(const char *s)
{
    return s && !strpbrk(s, "\n\r\"\\$`");
}

static bool host_ok(const char *h)
{
    return h && *h && !strpbrk(h, " \t\n\r/@:\"'\\$`");
}

enum tm_status tm_config_starter_text(const struct tm_config_starter *in, struct tm_buf *out,
                                      struct tm_error *err)
{
    const char *at = in->address ? strrchr(in->address, '@') : NULL;
    if (!at || at == in->address || !at[1] || strpbrk(in->address, " \t\"\\$`<>\n\r"))
        return tm_error_set(err, TM_ECONFIG, _("\"%s\" is not an email address"),
                            in->address ? in->address : "");
    if (!host_ok(in->read_host) || !host_ok(in->smtp_host))
        return tm_error_set(err, TM_ECONFIG, _("a server name is missing or has odd characters"));
    if ((in->name && !plain_value(in->name)) ||
        (in->password_cmd && !plain_value(in->password_cmd)))
        return tm_error_set(err, TM_ECONFIG,
                            _("names and commands cannot hold quotes, backslashes, $ or `"));
    int read_port = in->read_port > 0 ? in->read_port : in->pop3 ? 995 : 993;
    int smtp_port = in->smtp_port > 0 ? in->smtp_port : 587;
    const char *scheme = in->pop3 ? "pops" : "imaps";
    tm_buf_appendf(out, "# ~/.tmailrc - written by tmail's first-run setup; see tmailrc(5).\n"
                        "# Every setting and its default: share/tmailrc.example.\n\n"
                        "account main\n");
    if (in->name && *in->name)
        tm_buf_appendf(out, "  set from = \"%s <%s>\"\n", in->name, in->address);
    else
        tm_buf_appendf(out, "  set from = \"%s\"\n", in->address);
    /* The login is the whole address, as most providers want; the URL reader splits user and
     * host at the last '@'. */
    tm_buf_appendf(out, "  set %s = %s://%s@%s:%d\n", in->pop3 ? "pop" : "imap", scheme,
                   in->address, in->read_host, read_port);
    tm_buf_appendf(out, "  set smtp = %s://%s@%s:%d\n", smtp_port == 465 ? "smtps" : "smtp",
                   in->address, in->smtp_host, smtp_port);
    if (in->password_cmd && *in->password_cmd)
        tm_buf_appendf(out, "  set password_cmd = \"%s\"\n", in->password_cmd);
    else
        tm_buf_appendf(out, "  # no password_cmd: tmail asks for the password when it connects\n");
    if (!in->pop3)
        tm_buf_appendf(out, "  set sent = Sent\n  set drafts = Drafts\n");
    return tm_buf_appendf(out, "end\n") == TM_OK ? TM_OK
                                                 : tm_error_set(err, TM_ENOMEM, _("out of memory"));
}
