/* settings_table.c - THE table of settings: name, type, scope, default, values and description.
 * It drives parsing, :set completion, tmailrc(5) and share/tmailrc.example. Defaults are raw
 * values (what the setting holds), not tmailrc text. Keep it sorted by name. */
#include <stddef.h>
#include <string.h>

#include "private.h"

#define G_(field) TM_SCOPE_GLOBAL, offsetof(struct tm_settings, field)
#define A_(field) TM_SCOPE_ACCOUNT, offsetof(struct tm_account, field)
#define BOOL(n, where, d, desc)                                                                    \
    {                                                                                              \
        .name = n, .type = TM_SET_BOOL, .def = d, .description = desc, SCOPE_OFF(where)            \
    }
#define SCOPE_OFF(...)      SCOPE_OFF_(__VA_ARGS__)
#define SCOPE_OFF_(sc, off) .scope = sc, .offset = off
#define NUM(n, where, d, lo, hi, desc)                                                             \
    {                                                                                              \
        .name = n, .type = TM_SET_NUMBER, .def = d, .min = lo, .max = hi, .description = desc,     \
        SCOPE_OFF(where)                                                                           \
    }
#define SIZE(n, where, d, lo, hi, desc)                                                            \
    {                                                                                              \
        .name = n, .type = TM_SET_SIZE, .def = d, .min = lo, .max = hi, .description = desc,       \
        SCOPE_OFF(where)                                                                           \
    }
#define STR(n, ty, where, d, desc)                                                                 \
    {                                                                                              \
        .name = n, .type = ty, .def = d, .description = desc, SCOPE_OFF(where)                     \
    }
#define ENUM(n, where, d, vals, desc)                                                              \
    {                                                                                              \
        .name = n, .type = TM_SET_ENUM, .def = d, .values = vals, .description = desc,             \
        SCOPE_OFF(where)                                                                           \
    }
#define URL(n, where, schemes, desc)                                                               \
    {                                                                                              \
        .name = n, .type = TM_SET_URL, .def = "", .url_schemes = schemes, .description = desc,     \
        SCOPE_OFF(where)                                                                           \
    }
#define ALIAS(n, target, where)                                                                    \
    {                                                                                              \
        .name = n, .type = TM_SET_STRING, .def = "", .alias_of = target, SCOPE_OFF(where)          \
    }

#define U(s)      (1u << TM_URL_##s)
#define READ_URLS (U(IMAP) | U(IMAPS) | U(POP) | U(POPS) | U(MAILDIR))

static const char *const quad_values[] = {"yes", "no", "ask-yes", "ask-no", NULL};
static const char *const sort_values[] = {
    "date", "date-received", "from", "mailbox-order", "score", "size", "subject", "threads", "to",
    NULL};
static const char *const tls_values[] = {"on", "off", "starttls", NULL};
/* In the order of enum tm_log_level (tmail/log.h). */
static const char *const log_values[] = {"debug", "info", "warning", "error", NULL};

static const struct tm_setting_info table[] = {
    ENUM("abort_nosubject", G_(abort_nosubject), "ask-yes", quad_values,
         "Whether to abort sending a message with an empty subject."),
    ENUM("abort_unmodified", G_(abort_unmodified), "yes", quad_values,
         "Whether to abort sending a message whose body was not changed in the editor."),
    STR("alias_file", TM_SET_PATH, G_(alias_file), "",
        "File of mutt alias lines (alias KEY ADDRESS...), read at start when it exists and "
        "where new aliases are saved; empty means none."),
    BOOL("allow_plaintext_auth", A_(allow_plaintext_auth), "no",
         "Allow a password over a connection without TLS. Needs tls = off as well."),
    STR("alternates", TM_SET_REGEX, G_(alternates), "",
        "Regular expression matching your other addresses, so replies do not go to yourself."),
    STR("alternative_order", TM_SET_STRING, G_(alternative_order),
        "text/plain text/enriched text/html",
        "Preferred MIME types among the parts of a multipart/alternative, best first."),
    BOOL("arrow_cursor", G_(arrow_cursor), "no",
         "Mark the current entry with -> instead of a highlighted bar."),
    BOOL("askbcc", G_(askbcc), "no", "Ask for Bcc recipients before editing a message."),
    BOOL("askcc", G_(askcc), "no", "Ask for Cc recipients before editing a message."),
    STR("attribution", TM_SET_STRING, G_(attribution),
        "On %d, %n wrote:", "Line put before the quoted text of a reply."),
    BOOL("beep", G_(beep), "yes", "Beep on errors."),
    STR("charset_fallback", TM_SET_STRING, G_(charset_fallback), "windows-1252",
        "Character set assumed for 8-bit text without a declared charset that is not UTF-8."),
    BOOL("confirm_append", G_(confirm_append), "yes",
         "Ask before appending messages to an existing folder."),
    NUM("connect_timeout", A_(connect_timeout), "30", 1, 600,
        "Seconds to wait for a server to connect or answer before giving up."),
    ENUM("copy", G_(copy), "yes", quad_values,
         "Whether to save a copy of each sent message in the sent folder."),
    STR("date_format", TM_SET_STRING, G_(date_format), "!%a, %b %d, %Y at %I:%M:%S%p %Z",
        "strftime(3) format of %d in index_format and attribution; a leading ! means C locale."),
    ENUM("delete", G_(delete_), "ask-yes", quad_values,
         "Whether to purge deleted messages when leaving or syncing a folder."),
    STR("drafts", TM_SET_STRING, A_(drafts), "",
        "Folder for postponed messages; empty means the server's Drafts folder."),
    BOOL("edit_headers", G_(edit_headers), "no",
         "Put the headers (From, To, Cc, Bcc, Subject, Reply-To) in the file the editor opens."),
    STR("editor", TM_SET_STRING, G_(editor), "",
        "Command to edit messages; empty means $VISUAL, else $EDITOR, else vi."),
    SIZE("fetch_whole_max", A_(fetch_whole_max), "256K", 0, 1024L * 1024 * 1024,
         "IMAP messages up to this size are downloaded whole when opened. A bigger one comes in "
         "parts: its structure and text first, each attachment when it is viewed, saved or "
         "piped. 0 always downloads whole messages; K, M and G multiply by 1024."),
    URL("folder", A_(read_url), READ_URLS,
        "The account's mailboxes: any URL that imap, pop or maildir accept."),
    STR("forward_format", TM_SET_STRING, G_(forward_format), "[%a: %s]",
        "Subject of a forwarded message."),
    STR("from", TM_SET_ADDRESS, A_(from), "",
        "Your address, as \"Name <user@example.org>\" or user@example.org. Required."),
    STR("header_cache", TM_SET_PATH, G_(header_cache), "",
        "Path of the message cache database; empty means $XDG_CACHE_HOME/tmail."),
    BOOL("help", G_(help), "yes", "Show the help line at the top of each menu."),
    STR("hostname", TM_SET_STRING, G_(hostname), "",
        "Name sent in SMTP EHLO and used in Message-IDs when From has no domain; empty means the "
        "machine's fully qualified name."),
    URL("imap", A_(read_url), U(IMAP) | U(IMAPS),
        "IMAP server to read mail from: imaps://user@host[:port] (TLS), or imap://user@host "
        "(STARTTLS)."),
    BOOL("imap_check_subscribed", A_(imap_check_subscribed), "no",
         "Check only subscribed IMAP folders for new mail."),
    BOOL("imap_deflate", A_(imap_deflate), "yes",
         "Compress the IMAP connection (COMPRESS=DEFLATE, RFC 4978) when the server offers it: "
         "less data on slow or metered links for a little CPU."),
    BOOL("imap_idle", A_(imap_idle), "yes", "Use IMAP IDLE to learn about new mail at once."),
    NUM("imap_keepalive", A_(imap_keepalive), "300", 0, 3600,
        "Seconds between keep-alive commands on an idle IMAP connection; 0 turns them off."),
    ENUM("include", G_(include), "ask-yes", quad_values,
         "Whether to quote the original message in a reply."),
    STR("index_format", TM_SET_STRING, G_(index_format),
        "%4C %Z %{%b %d} %-15.15L (%?l?%4l&%4c?) %s", "Format of a line in the message index."),
    ENUM("log_level", G_(log_level), "warning", log_values,
         "How much to write to $XDG_STATE_HOME/tmail/tmail.log (never any secrets)."),
    NUM("mail_check", A_(mail_check), "60", 1, 86400,
        "Seconds between checks of the account's other mailboxes for new mail (the open one is "
        "watched with IMAP IDLE)."),
    STR("mailcap_path", TM_SET_STRING, G_(mailcap_path), "",
        "Colon-separated mailcap files; empty means ~/.mailcap and the system's."),
    URL("maildir", A_(read_url), U(MAILDIR), "Local Maildir directory to read mail from."),
    BOOL("mark_old", G_(mark_old), "yes", "Mark new messages old when leaving a folder."),
    BOOL("markers", G_(markers), "yes", "Show a + at the start of wrapped lines in the pager."),
    ENUM("mime_forward", G_(mime_forward), "no", quad_values,
         "Forward a message as a message/rfc822 attachment instead of quoting it inline."),
    ENUM("move", G_(move), "no", quad_values,
         "Whether to move read messages from the inbox to another folder."),
    STR("oauth_token_cmd", TM_SET_STRING, A_(oauth_token_cmd), "",
        "Command that prints an OAuth 2 access token (XOAUTH2/OAUTHBEARER)."),
    STR("pager_format", TM_SET_STRING, G_(pager_format), "-%Z- %C/%m: %-20.20n   %s%*  -- (%P)",
        "Format of the status line in the pager."),
    NUM("pager_index_lines", G_(pager_index_lines), "0", 0, 100,
        "Lines of the index shown above the pager; 0 hides it."),
    STR("password", TM_SET_STRING, A_(password), "",
        "The password itself. Prefer password_cmd; a warning is shown when the file is "
        "readable by others."),
    STR("password_cmd", TM_SET_STRING, A_(password_cmd), "",
        "Command that prints the password, run once per session; kept only in memory."),
    URL("pop", A_(read_url), U(POP) | U(POPS),
        "POP3 server to download mail from: pops://user@host[:port] or pop://user@host."),
    ENUM("postpone", G_(postpone), "ask-yes", quad_values,
         "Whether to postpone a message (save it to drafts) when leaving the compose screen "
         "without sending."),
    ALIAS("postponed", "drafts", A_(drafts)),
    BOOL("prefetch_bodies", A_(prefetch_bodies), "no",
         "Download message bodies during sync, for reading offline."),
    STR("quote_regex", TM_SET_REGEX, G_(quote_regex), "^([ \t]*[|>:}#])+",
        "Regular expression matching quoted lines in the pager."),
    STR("realname", TM_SET_STRING, A_(realname), "",
        "Your name, used when from has no display name."),
    ENUM("recall", G_(recall), "ask-yes", quad_values,
         "Whether to offer a postponed message when starting a new one."),
    ALIAS("record", "sent", A_(sent)),
    STR("reply_regex", TM_SET_REGEX, G_(reply_regex), "^((re|aw|sv)(\\[[0-9]+\\])?:[ \t]*)*",
        "Regular expression matching reply prefixes of subjects (case-insensitive)."),
    BOOL("reverse_name", G_(reverse_name), "no",
         "Reply from the address the message was sent to, when it is one of alternates."),
    STR("sent", TM_SET_STRING, A_(sent), "",
        "Folder for copies of sent mail; empty means the server's Sent folder."),
    BOOL("sig_dashes", G_(sig_dashes), "yes", "Put \"-- \" on the line before the signature."),
    STR("signature", TM_SET_PATH, A_(signature), "", "File appended to new messages."),
    NUM("sleep_time", G_(sleep_time), "1", 0, 60,
        "Seconds to pause after showing an informational message."),
    BOOL("smart_wrap", G_(smart_wrap), "yes", "Wrap long lines at word boundaries."),
    URL("smtp", A_(smtp_url), U(SMTP) | U(SMTPS),
        "Server to send mail through: smtp://user@host:587 (STARTTLS required) or "
        "smtps://user@host:465 (TLS)."),
    ALIAS("smtp_url", "smtp", A_(smtp_url)),
    ENUM("sort", G_(sort), "threads", sort_values,
         "Order of messages in the index (tmail threads by default; mutt sorts by date)."),
    ENUM("sort_aux", G_(sort_aux), "date", sort_values,
         "Secondary order, for equal entries and inside threads."),
    BOOL("sort_reverse", G_(sort_reverse), "no", "Reverse the sort order."),
    STR("spoolfile", TM_SET_STRING, A_(spoolfile), "",
        "The folder opened at start; empty means INBOX."),
    STR("status_format", TM_SET_STRING, G_(status_format),
        "-%r-tmail: %f [Msgs:%?M?%M/?%m%?n? New:%n?%?d? Del:%d?]---(%s/%S)-%>-(%P)---",
        "Format of the status line in the index."),
    BOOL("status_on_top", G_(status_on_top), "no", "Show the status line at the top."),
    BOOL("tilde", G_(tilde), "no", "Pad the end of a message with ~ lines in the pager."),
    NUM("timeout", G_(timeout), "600", 0, 86400,
        "Seconds without a key press after which tmail checks for new mail."),
    ENUM("tls", A_(tls), "on", tls_values,
         "on: verify the server's certificate (TLS for imaps/pops/smtps, else STARTTLS "
         "required); off: plain text, and then no password unless allow_plaintext_auth."),
    STR("tls_ca_file", TM_SET_PATH, A_(tls_ca_file), "",
        "PEM file of a private CA to verify servers against, instead of the system's."),
    STR("tls_fingerprint", TM_SET_STRING, A_(tls_fingerprint), "",
        "Pin the server certificate: sha256: followed by its 64 hex digits."),
    STR("trash", TM_SET_STRING, A_(trash), "",
        "Folder deleted messages are moved to; empty means delete at once."),
    BOOL("wait_key", G_(wait_key), "yes", "Wait for a key after an external command."),
    NUM("wrap", G_(wrap), "0", -300, 300,
        "Wrap the pager at this column; 0 is the screen width, negative counts from the right."),
};

#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

const struct tm_setting_info *tm_config_settings(size_t *n)
{
    *n = TABLE_LEN;
    return table;
}

const struct tm_setting_info *cfg_setting_find(const char *name)
{
    for (size_t i = 0; i < TABLE_LEN; i++) {
        if (strcmp(table[i].name, name) != 0)
            continue;
        if (table[i].alias_of)
            return cfg_setting_find(table[i].alias_of);
        return &table[i];
    }
    return NULL;
}

/* Account settings that share a field (imap, pop, maildir, folder) share a bit: the first. */
int cfg_setting_index(const struct tm_setting_info *s)
{
    int bit = 0;
    for (size_t i = 0; i < TABLE_LEN; i++) {
        if (table[i].scope != TM_SCOPE_ACCOUNT || table[i].alias_of)
            continue;
        if (table[i].offset == s->offset)
            return bit;
        bit++;
    }
    return -1;
}

void *cfg_setting_ptr(const struct tm_setting_info *s, struct tm_settings *g, struct tm_account *a)
{
    if (s->scope == TM_SCOPE_GLOBAL)
        return g ? (char *)g + s->offset : NULL;
    return a ? (char *)a + s->offset : NULL;
}
