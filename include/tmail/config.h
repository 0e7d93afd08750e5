/* config.h - ~/.tmailrc parsed once into typed structs: global settings, accounts, key bindings,
 * colour rules, plus every error found as FILE:LINE: message. Lower layers and the UI read fields
 * of these structs; nothing looks a setting up by its name at run time. */
#ifndef TMAIL_CONFIG_H
#define TMAIL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tmail/alias.h"
#include "tmail/buf.h"
#include "tmail/config_ops.h"
#include "tmail/status.h"

/* Finds the configuration file: override (tmail -F) if not NULL, else ~/.tmailrc, else
 * $XDG_CONFIG_HOME/tmail/tmailrc. Writes the path to out and returns TM_OK when the file
 * exists; TM_ENOENT (err filled) when there is none, which is a normal first run. */
enum tm_status tm_config_find_file(const char *override, char *out, size_t size,
                                   struct tm_error *err);

/* ---- Limits of the reader (a file beyond them is an error, never a hang) ---- */
#define TM_CONFIG_MAX_FILE  ((size_t)1024 * 1024) /* bytes per file */
#define TM_CONFIG_MAX_LINE  4096                  /* bytes per line */
#define TM_CONFIG_MAX_DEPTH 16                    /* nested `source` */
#define TM_CONFIG_MAX_DIAGS 500                   /* diagnostics kept; more are only counted */

/* ---- Enumerated setting values (the order matches the value names in the settings table) ---- */
enum tm_quad { TM_QUAD_YES, TM_QUAD_NO, TM_QUAD_ASK_YES, TM_QUAD_ASK_NO };
enum tm_sort {
    TM_SORT_DATE,
    TM_SORT_DATE_RECEIVED,
    TM_SORT_FROM,
    TM_SORT_MAILBOX_ORDER,
    TM_SORT_SCORE,
    TM_SORT_SIZE,
    TM_SORT_SUBJECT,
    TM_SORT_THREADS,
    TM_SORT_TO,
};
/* on: verify against the CA store (imaps/pops/smtps implicit TLS, else STARTTLS required);
 * starttls: same, named for clarity; off: plain text, only with an explicit setting. */
enum tm_tls_mode { TM_TLS_ON, TM_TLS_OFF, TM_TLS_STARTTLS };

/* ---- Global settings. Strings are owned by the config and NULL when empty. ---- */
struct tm_settings {
    char *editor;
    long pager_index_lines;
    int sort;     /* enum tm_sort */
    int sort_aux; /* enum tm_sort */
    bool sort_reverse;
    bool mark_old;
    bool confirm_append;
    int delete_; /* enum tm_quad: `delete` */
    int move;    /* enum tm_quad */
    char *header_cache;
    char *date_format;
    char *index_format;
    char *pager_format;
    char *status_format;
    char *charset_fallback;
    char *alternative_order;
    char *mailcap_path;
    long wrap;
    bool tilde;
    bool markers;
    bool smart_wrap;
    char *quote_regex; /* validated with regcomp (REG_EXTENDED) */
    char *reply_regex;
    char *attribution;
    char *forward_format;
    int include;         /* enum tm_quad */
    int abort_nosubject; /* enum tm_quad */
    int abort_unmodified;
    bool askcc;
    bool askbcc;
    bool reverse_name;
    int copy; /* enum tm_quad */
    bool edit_headers;
    char *hostname;
    int mime_forward; /* enum tm_quad */
    int postpone;     /* enum tm_quad */
    int recall;       /* enum tm_quad */
    bool sig_dashes;
    char *alternates;
    bool help;
    bool status_on_top;
    bool arrow_cursor;
    bool beep;
    bool wait_key;
    long sleep_time;
    int log_level;    /* enum tm_log_level of tmail/log.h */
    long timeout;     /* seconds without a key press before checking for mail */
    char *alias_file; /* read at load when it exists; where new aliases are saved */
};

/* ---- Accounts ---- */
enum tm_url_scheme {
    TM_URL_NONE,
    TM_URL_IMAP,
    TM_URL_IMAPS,
    TM_URL_POP,
    TM_URL_POPS,
    TM_URL_SMTP,
    TM_URL_SMTPS,
    TM_URL_MAILDIR, /* a local path, in path */
};

/* A parsed reading or sending URL. port is the explicit one or the scheme's default
 * (143, 993, 110, 995, 587, 465); user may be NULL; path is the mailbox or Maildir path. */
struct tm_url {
    enum tm_url_scheme scheme;
    char *user;
    char *host;
    int port;
    char *path;
};

struct tm_account {
    char *name; /* "default" for settings outside any account block */
    char *from; /* "Name <addr>" or "addr" */
    char *realname;
    char *read_url;     /* imap / pop / maildir / folder */
    char *smtp_url;     /* smtp (smtp_url) */
    char *password_cmd; /* run once per session; output kept only in memory */
    char *password;     /* discouraged: warned about when the file is readable by others */
    char *oauth_token_cmd;
    char *sent;   /* record */
    char *drafts; /* postponed */
    char *trash;
    char *spoolfile;
    char *signature;
    int tls; /* enum tm_tls_mode */
    char *tls_ca_file;
    char *tls_fingerprint; /* "sha256:" + 64 hex digits, colons allowed */
    bool allow_plaintext_auth;
    long connect_timeout;
    long imap_keepalive;
    bool imap_idle;
    bool imap_deflate; /* COMPRESS=DEFLATE (RFC 4978) when the server offers it */
    bool imap_check_subscribed;
    long mail_check;
    bool prefetch_bodies;
    /* IMAP messages up to this size are fetched whole, bigger ones in parts */
    long fetch_whole_max;
    struct tm_url read; /* parsed read_url, filled when the configuration is finished */
    struct tm_url send; /* parsed smtp_url; scheme TM_URL_NONE when the account cannot send */
    char *file;         /* where the account block starts */
    int line;
    uint64_t set_mask; /* internal: which account settings the block set itself */
};

/* ---- Keys ---- */
enum tm_keymap {
    TM_MAP_GENERIC,
    TM_MAP_INDEX,
    TM_MAP_PAGER,
    TM_MAP_COMPOSE,
    TM_MAP_ATTACH,
    TM_MAP_BROWSER,
    TM_MAP_EDITOR,
    TM_MAP_COUNT,
};

/* Key codes: Unicode code points (control keys are their C0 code: \Cf = 6, <Esc> = 27,
 * <Enter> = '\n', <Return> = '\r'), then the keys below, then in macros the functions. The UI
 * maps its curses codes to these. */
enum tm_key {
    TM_KEY_SPECIAL = 0x110000,
    TM_KEY_UP = TM_KEY_SPECIAL,
    TM_KEY_DOWN,
    TM_KEY_LEFT,
    TM_KEY_RIGHT,
    TM_KEY_PAGEUP,
    TM_KEY_PAGEDOWN,
    TM_KEY_HOME,
    TM_KEY_END,
    TM_KEY_INSERT,
    TM_KEY_DELETE,
    TM_KEY_BACKSPACE,
    TM_KEY_BACKTAB,
    TM_KEY_KEYPAD_ENTER,
    TM_KEY_F0,            /* TM_KEY_F0 + n for <Fn>, n = 0..63 */
    TM_KEY_OP = 0x120000, /* TM_KEY_OP + enum tm_op: `<function-name>` inside a macro */
};
#define TM_KEY_F(n)   (TM_KEY_F0 + (n))
#define TM_KEYSEQ_MAX 8
#define TM_MACRO_MAX  1024

struct tm_keyseq {
    int32_t keys[TM_KEYSEQ_MAX];
    int len;
};

/* One binding. op is TM_OP_NONE for a macro (macro_keys set) or for an unbound key (noop). */
struct tm_binding {
    enum tm_keymap map;
    struct tm_keyseq keys;
    enum tm_op op;
    int32_t *macro_keys; /* owned; keys and TM_KEY_OP + op entries to replay */
    int macro_len;
    char *macro_text;  /* owned; the macro as written, for the help screen */
    char *description; /* owned; optional macro description */
};

/* ---- Colours ---- */
enum tm_color_object {
    TM_COLOR_NORMAL,
    TM_COLOR_INDICATOR,
    TM_COLOR_STATUS,
    TM_COLOR_TREE,
    TM_COLOR_INDEX,  /* pattern: a search pattern, compiled by core */
    TM_COLOR_HEADER, /* pattern: a regex on header lines */
    TM_COLOR_HDRDEFAULT,
    TM_COLOR_BODY,   /* pattern: a regex on body text */
    TM_COLOR_QUOTED, /* quote level 0; TM_COLOR_QUOTED + n for quotedN, n = 1..9 */
    TM_COLOR_QUOTED9 = TM_COLOR_QUOTED + 9,
    TM_COLOR_ATTACHMENT,
    TM_COLOR_SIGNATURE,
    TM_COLOR_ERROR,
    TM_COLOR_MESSAGE,
    TM_COLOR_MARKERS,
    TM_COLOR_SEARCH,
    TM_COLOR_TILDE,
    TM_COLOR_OBJECT_COUNT,
};
#define TM_COLOR_DEFAULT (-1) /* the terminal's own colour */
enum tm_color_attr {
    TM_ATTR_BOLD = 1,
    TM_ATTR_UNDERLINE = 2,
    TM_ATTR_REVERSE = 4,
    TM_ATTR_STANDOUT = 8,
    TM_ATTR_BLINK = 16,
    TM_ATTR_ITALIC = 32,
};

/* A colour rule; later rules win over earlier ones for the same object and pattern. */
struct tm_color_rule {
    enum tm_color_object object;
    short fg, bg;   /* 0..255 or TM_COLOR_DEFAULT; brightX is X + 8 */
    unsigned attrs; /* enum tm_color_attr bits */
    char *pattern;  /* owned; NULL for objects without one */
};

/* ---- Diagnostics ---- */
enum tm_config_severity { TM_CONFIG_ERROR, TM_CONFIG_WARNING };

struct tm_config_diag {
    enum tm_config_severity severity;
    char *file; /* owned */
    int line;   /* 0 when the message is about the whole file */
    char *message;
};

/* ---- The whole configuration ---- */
struct tm_config {
    struct tm_settings settings;
    struct tm_account defaults; /* account settings given outside any account block */
    struct tm_account *accounts;
    size_t n_accounts;
    struct tm_binding *bindings; /* defaults first, then the file's, in order: the last wins */
    size_t n_bindings, cap_bindings;
    struct tm_color_rule *colors;
    size_t n_colors, cap_colors;
    struct tm_config_diag *diags;
    size_t n_diags, cap_diags;
    size_t n_errors, n_warnings; /* counted even past TM_CONFIG_MAX_DIAGS */
    bool unusable;               /* the main file could not be read at all */
    struct tm_alias_set aliases; /* `alias` lines of the files, then those of alias_file */
};

/* What the parser takes from its caller. get looks up environment variables for $VAR and ~
 * expansion (ctx is the caller's; NULL: no expansion). check_index_pattern judges the pattern of
 * a `color index` rule, which config keeps as text because patterns are core's: false with a
 * reason in msg refuses the rule (an error at its line); NULL accepts every pattern. */
struct tm_config_env {
    const char *(*get)(void *ctx, const char *name);
    void *ctx;
    bool (*check_index_pattern)(const char *pattern, char *msg, size_t size);
};

/* A get for struct tm_config_env that reads the process environment (getenv); ctx unused. */
const char *tm_config_process_env(void *ctx, const char *name);

/* A new configuration holding every default setting and mutt's default key bindings. NULL when
 * out of memory. Release with tm_config_free. */
struct tm_config *tm_config_new(void);
void tm_config_free(struct tm_config **pp);

/* Parses data[0..len) named name (for FILE:LINE messages) into cfg. Pure: no file access, so
 * `source` is reported as an error here; env may be NULL (no expansion of $VAR and ~). Problems
 * go to cfg->diags; returns TM_ENOMEM only. Call tm_config_finish after the last buffer. */
enum tm_status tm_config_parse_buffer(struct tm_config *cfg, const char *name, const char *data,
                                      size_t len, const struct tm_config_env *env);

/* Completes accounts from the defaults, parses their URLs and checks required fields, TLS and
 * credentials; problems go to cfg->diags. Returns TM_ENOMEM only. */
enum tm_status tm_config_finish(struct tm_config *cfg);

/* Reads path (and what it sources, relative to the including file, then the alias_file when it
 * exists) into a new configuration in *out, finished. env NULL means the process environment. *out
 * is set whenever memory allows, also on TM_ECONFIG, which means the file is unusable (missing, too
 * big, binary); errors inside a usable file leave the status TM_OK with cfg->n_errors > 0. */
enum tm_status tm_config_load_file(const char *path, const struct tm_config_env *env,
                                   struct tm_config **out, struct tm_error *err);

/* Appends "FILE:LINE: message" (warnings: "FILE:LINE: warning: message") to out. */
enum tm_status tm_config_format_diag(const struct tm_config_diag *d, struct tm_buf *out);

/* tmail --check-config: loads path with env (NULL: as tm_config_load_file), appends one line per
 * diagnostic and a summary line to report, and returns the exit code: 0 without errors (warnings
 * allowed), 1 otherwise. */
int tm_config_check_file(const char *path, const struct tm_config_env *env, struct tm_buf *report);

/* The binding of keys[0..n) in map (falling back to the generic map except in the editor),
 * or NULL. *is_prefix (may be NULL) is set when keys start a longer binding. */
const struct tm_binding *tm_config_binding_find(const struct tm_config *cfg, enum tm_keymap map,
                                                const int32_t *keys, int n, bool *is_prefix);

/* True when bindings[i] is in effect: no later binding of its map has the same keys, and it is
 * not a noop. For listing the bindings of a map on the help screen. */
bool tm_config_binding_active(const struct tm_config *cfg, size_t i);

/* What the first-run dialog asks to write a starter ~/.tmailrc. Strings borrowed; name, the
 * password command and the ports may be empty/0 (then the usual ports: 993/995 and 587). */
struct tm_config_starter {
    bool pop3;             /* else IMAP */
    const char *address;   /* alice@example.org */
    const char *name;      /* Alice Example */
    const char *read_host; /* imap.example.org */
    int read_port;
    const char *smtp_host; /* smtp.example.org */
    int smtp_port;         /* 465 means implicit TLS (smtps://), else STARTTLS */
    const char *password_cmd;
};

/* The usual server name for an address's domain: prefix "." domain ("imap", "pop", "smtp"),
 * into out; false when address has no domain. */
bool tm_config_guess_host(const char *address, const char *prefix, char *out, size_t size);

/* Writes a commented starter tmailrc for one account to out. TM_ECONFIG (err says which) for an
 * address without '@', a missing host, or a value with a line break or a quote it cannot hold. */
enum tm_status tm_config_starter_text(const struct tm_config_starter *in, struct tm_buf *out,
                                      struct tm_error *err);

/* Finds the account named name, or NULL. */
const struct tm_account *tm_config_account(const struct tm_config *cfg, const char *name);

/* ---- The settings table (for :set completion, help and the man page) ---- */
enum tm_setting_type {
    TM_SET_BOOL,
    TM_SET_NUMBER,
    TM_SET_STRING,
    TM_SET_PATH,
    TM_SET_ENUM,
    TM_SET_URL,
    TM_SET_ADDRESS,
    TM_SET_REGEX,
    TM_SET_SIZE, /* bytes, held in a long: a number with an optional K, M or G suffix (x1024) */
};
enum tm_setting_scope { TM_SCOPE_GLOBAL, TM_SCOPE_ACCOUNT };

struct tm_setting_info {
    const char *name;
    enum tm_setting_type type;
    enum tm_setting_scope scope;
    const char *def;           /* the default as written in a tmailrc */
    const char *const *values; /* enum: NULL-terminated value names, in enum order */
    long min, max;             /* number range */
    unsigned url_schemes;      /* URL: bits 1 << enum tm_url_scheme accepted */
    size_t offset;             /* into struct tm_settings or struct tm_account */
    const char *alias_of;      /* non-NULL: another name (mutt's) for that setting */
    const char *description;
};

/* The table, sorted by name; *n receives its length. */
const struct tm_setting_info *tm_config_settings(size_t *n);

/* Names for the help screen and :bind completion. */
const char *tm_config_op_name(enum tm_op op);
const char *tm_config_op_description(enum tm_op op);
const char *tm_config_map_name(enum tm_keymap map);
const char *tm_config_color_object_name(enum tm_color_object obj);

/* Writes a key as a tmailrc key spec ("j", "\\Cf", "<PageDown>") into out. */
void tm_config_key_name(int32_t key, char *out, size_t size);

/* Generated documentation of the settings table. */
enum tm_config_doc {
    TM_DOC_MAN,     /* the settings section of tmailrc(5), in man(7) markup */
    TM_DOC_EXAMPLE, /* share/tmailrc.example: every setting commented out with its default */
};
enum tm_status tm_config_write_docs(struct tm_buf *out, enum tm_config_doc kind);

#endif
