/* main.c - tmail's entry point: reads the command line, decides what to open, wires the layers
 * together and hands over to the UI. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "tm_build_config.h"
#include "tmail/config.h"
#include "tmail/core.h"
#include "tmail/draft.h"
#include "tmail/fsutil.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/mime.h"
#include "tmail/pattern.h"
#include "tmail/ui.h"
#include "tmail/xdg.h"

/* How the configuration is read: the process environment, and `color index` patterns checked
 * by core (config cannot compile them). */
static const struct tm_config_env rc_env = {tm_config_process_env, NULL,
                                            tm_pattern_check_index_color};

static void usage(FILE *to)
{
    fprintf(to, _("Usage: tmail [-f FOLDER] [-F FILE]\n"
                  "       tmail [-F FILE] -s SUBJECT [-c ADDR] [-b ADDR] [-a FILE...] -- ADDR...\n"
                  "       tmail [-F FILE] -H DRAFT [ADDR...]\n"
                  "       tmail [-F FILE] mailto:URL\n"
                  "       tmail --sync [-F FILE] [ACCOUNT]\n"
                  "       tmail --check-config [-F FILE]\n"
                  "       tmail --dump-mime FILE\n"
                  "  -f FOLDER        open this Maildir or mbox instead of the default mailbox\n"
                  "  -F FILE          read this configuration file instead of ~/.tmailrc\n"
                  "  -s SUBJECT       send standard input as the body of a message, no UI\n"
                  "  -c ADDR, -b ADDR add a Cc or Bcc recipient (repeatable)\n"
                  "  -a FILE...       attach files (up to -- or the next option)\n"
                  "  -H DRAFT         send a draft file with headers (To:, Subject: ...) and body\n"
                  "  --sync [ACCOUNT] sync every mailbox of one or all IMAP accounts, no UI\n"
                  "  --check-config   check the configuration, print every problem, exit 0 or 1\n"
                  "  --dump-mime FILE print the MIME structure of a message as JSON\n"
                  "  --version        print the version and exit\n"
                  "  --help           print this help and exit\n"));
}

/* The shared data directory: $TMAIL_SHAREDIR, the installed one, or the source tree's. */
static const char *find_sharedir(void)
{
    const char *env = getenv("TMAIL_SHAREDIR");
    struct stat sb;
    if (env && *env)
        return env;
    if (stat(TM_PKGDATADIR "/demo", &sb) == 0)
        return TM_PKGDATADIR;
    return TM_SOURCE_SHAREDIR;
}

static int fail(const char *what, const struct tm_error *err)
{
    fprintf(stderr, "tmail: %s%s%s\n", what, err ? ": " : "", err ? err->message : "");
    return 1;
}

static bool is_imap(const struct tm_account *a)
{
    return a->read.scheme == TM_URL_IMAP || a->read.scheme == TM_URL_IMAPS;
}

static void print_progress(void *ctx, const char *mailbox, int64_t done, int64_t total)
{
    (void)ctx, (void)mailbox, (void)done, (void)total; /* --sync is quiet until each mailbox ends */
}

struct sync_totals {
    const char *account;
    int64_t added, removed, changed;
    int mailboxes, failed;
};

static void print_report(void *ctx, const struct tm_core_sync_report *r)
{
    struct sync_totals *t = ctx;
    t->mailboxes++;
    t->added += r->added;
    t->removed += r->removed;
    t->changed += r->changed;
    if (r->status) {
        t->failed++;
        fprintf(stderr, "tmail: %s/%s: %s\n", t->account, r->mailbox, r->error);
    }
}

static void print_unsent(void *ctx, const char *text)
{
    fprintf(stderr, "tmail: %s: %s\n", (const char *)ctx, text);
}

static char *ask_tty_password(void *ctx, const char *account);

/* tmail --sync: sends what waits in the account's outbox; 0 when nothing failed. */
static int flush_outbox(const struct tm_config *cfg, const struct tm_account *a,
                        const char *store_path)
{
    struct tm_error err;
    tm_error_clear(&err);
    struct tm_core_send_options o = {
        .store_path = store_path,
        .account = a,
        .hostname = cfg->settings.hostname,
        .charset_fallback = cfg->settings.charset_fallback,
        .ask_password = ask_tty_password,
    };
    int sent = 0, failed = 0;
    if (tm_core_flush_outbox(&o, &sent, &failed, print_unsent, a->name, &err)) {
        fprintf(stderr, "tmail: %s: %s\n", a->name, err.message);
        return 1;
    }
    if (sent || failed)
        fprintf(stdout, _("%s: %d queued messages sent, %d not sent\n"), a->name, sent, failed);
    return failed ? 1 : 0;
}

/* tmail --sync [ACCOUNT]: the outbox first, then one summary line per account; exit 0 only if
 * everything synced and sent. */
static int sync_accounts(const struct tm_config *cfg, const char *only, const char *store_path)
{
    int rc = 0, matched = 0;
    for (size_t i = 0; i < cfg->n_accounts; i++) {
        const struct tm_account *a = &cfg->accounts[i];
        bool sends = a->send.scheme != TM_URL_NONE;
        if ((only && strcmp(a->name, only) != 0) || (!only && !is_imap(a) && !sends))
            continue;
        matched++;
        if (sends && flush_outbox(cfg, a, store_path))
            rc = 1;
        if (!is_imap(a))
            continue;
        struct sync_totals t = {.account = a->name};
        struct tm_core_sync_options o = {
            .store_path = store_path,
            .account = a,
            .charset_fallback = cfg->settings.charset_fallback,
            .sort = cfg->settings.sort,
            .sort_reverse = cfg->settings.sort_reverse,
            .progress = print_progress,
            .report = print_report,
            .report_ctx = &t,
        };
        struct tm_error err;
        tm_error_clear(&err);
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        enum tm_status st = tm_core_sync_account(&o, &err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
        if (st && t.failed == 0)
            fprintf(stderr, "tmail: %s: %s\n", a->name, err.message);
        fprintf(stdout,
                _("%s: %d mailboxes synced, %d failed: %lld new, %lld removed, %lld changed in "
                  "%.2f s\n"),
                a->name, t.mailboxes - t.failed, t.failed + (st && !t.failed), (long long)t.added,
                (long long)t.removed, (long long)t.changed, secs);
        if (st)
            rc = 1;
    }
    if (!matched) {
        fprintf(stderr,
                only ? _("tmail: no account called %s\n") : _("tmail: no IMAP account to sync%s\n"),
                only ? only : "");
        return 1;
    }
    return rc;
}

/* The first account with a reading URL, in file order, else the settings outside any block. */
static const struct tm_account *first_account(const struct tm_config *cfg)
{
    for (size_t i = 0; i < cfg->n_accounts; i++)
        if (cfg->accounts[i].read_url)
            return &cfg->accounts[i];
    return cfg->defaults.read_url ? &cfg->defaults : NULL;
}

/* "FILE:LINE: message" of the first error with FILE's last component only, in out. */
static const char *first_error(const struct tm_config *cfg, char *out, size_t size)
{
    out[0] = 0;
    for (size_t i = 0; i < cfg->n_diags; i++) {
        const struct tm_config_diag *d = &cfg->diags[i];
        if (d->severity != TM_CONFIG_ERROR)
            continue;
        const char *slash = d->file ? strrchr(d->file, '/') : NULL;
        snprintf(out, size, "%s:%d: %s",
                 slash     ? slash + 1
                 : d->file ? d->file
                           : "?",
                 d->line, d->message ? d->message : "");
        break;
    }
    return out;
}

/* Prints every diagnostic of an unusable configuration to stderr. */
static void print_config_errors(const struct tm_config *cfg)
{
    struct tm_buf line;
    tm_buf_init(&line, 0);
    for (size_t i = 0; cfg && i < cfg->n_diags; i++) {
        tm_buf_reset(&line);
        if (tm_config_format_diag(&cfg->diags[i], &line) == TM_OK && line.data)
            fprintf(stderr, "%s\n", line.data);
    }
    tm_buf_cleanup(&line);
}

#define MAX_ITEMS 256

struct args {
    const char *folder;
    const char *subject; /* -s */
    const char *draft;   /* -H */
    const char *cc[MAX_ITEMS], *bcc[MAX_ITEMS], *attach[MAX_ITEMS];
    int ncc, nbcc, nattach;
    char **rcpts; /* the addresses after the options */
    int nrcpts;
    const char *mailto; /* a mailto: URL */
    bool send;          /* -s or -H */
    const char *config;
    const char *dump_mime;
    const char *sync_account; /* --sync ACCOUNT */
    bool check_config;
    bool sync;
};

#define DUMP_MIME_MAX ((size_t)512 * 1024 * 1024)

/* tmail --dump-mime FILE: the message's structure as JSON on stdout. */
static int dump_mime(const char *path)
{
    struct tm_buf msg, json;
    struct tm_error err;
    int rc = 1;
    tm_buf_init(&msg, DUMP_MIME_MAX);
    tm_buf_init(&json, 0);
    tm_error_clear(&err);
    if (tm_fs_read_file(path, DUMP_MIME_MAX, 0, &msg, &err) ||
        tm_mime_dump_json(msg.data ? msg.data : "", msg.len, &json, &err)) {
        fprintf(stderr, "tmail: %s\n", err.message);
    } else {
        fwrite(json.data, 1, json.len, stdout);
        if (json.len == 0 || json.data[json.len - 1] != '\n')
            putchar('\n');
        rc = fflush(stdout) == 0 ? 0 : 1;
    }
    tm_buf_cleanup(&msg);
    tm_buf_cleanup(&json);
    return rc;
}

/* tmail -s: the password from the terminal, without echo; NULL when there is no terminal. */
static char *ask_tty_password(void *ctx, const char *account)
{
    (void)ctx;
    FILE *tty = fopen("/dev/tty", "r+");
    if (!tty)
        return NULL;
    fprintf(tty, _("Password for %s: "), account);
    fflush(tty);
    struct termios old, quiet;
    int fd = fileno(tty);
    bool restore = tcgetattr(fd, &old) == 0;
    if (restore) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    char buf[1024];
    char *line = fgets(buf, sizeof(buf), tty);
    if (restore)
        tcsetattr(fd, TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    char *password = NULL;
    if (line) {
        buf[strcspn(buf, "\r\n")] = 0;
        password = strdup(buf);
    }
    explicit_bzero(buf, sizeof(buf));
    return password;
}

/* The account tmail -s sends from: the first account if it can send, else the first that can. */
static const struct tm_account *sending_account(const struct tm_config *cfg)
{
    const struct tm_account *first = first_account(cfg);
    if (first && first->send.scheme != TM_URL_NONE)
        return first;
    for (size_t i = 0; i < cfg->n_accounts; i++)
        if (cfg->accounts[i].send.scheme != TM_URL_NONE)
            return &cfg->accounts[i];
    return cfg->defaults.send.scheme != TM_URL_NONE ? &cfg->defaults : NULL;
}

/* Appends items (", " between) to the draft field *field. */
static bool add_addresses(char **field, const char *const *items, int n)
{
    for (int i = 0; i < n; i++) {
        size_t old = strlen(*field), len = strlen(items[i]);
        char *grown = realloc(*field, old + len + 3);
        if (!grown)
            return false;
        snprintf(grown + old, len + 3, "%s%s", old ? ", " : "", items[i]);
        *field = grown;
    }
    return true;
}

#define BATCH_BODY_MAX   ((size_t)64 * 1024 * 1024)
#define BATCH_ATTACH_MAX ((size_t)256 * 1024 * 1024)

/* The draft of tmail -s / -H from the arguments and standard input. */
static enum tm_status batch_draft(const struct args *a, const struct tm_account *acct,
                                  const struct tm_settings *settings, struct tm_draft **out,
                                  struct tm_error *err)
{
    struct tm_draft_setup setup = {.account = acct, .settings = settings};
    enum tm_status st = tm_draft_start(&setup, TM_DRAFT_NEW, NULL, 0, 0, out, err);
    struct tm_draft *d = *out;
    if (st)
        return st;
    if (a->draft) {
        st = tm_draft_read_file(d, true, a->draft, err);
    } else {
        tm_buf_reset(&d->body);
        st = tm_fs_read_file("/dev/stdin", BATCH_BODY_MAX, 0, &d->body, err);
    }
    if (!st && a->subject) {
        char *subject = strdup(a->subject);
        if (!subject)
            return tm_error_set(err, TM_ENOMEM, _("out of memory"));
        free(d->subject);
        d->subject = subject;
    }
    if (!st && (!add_addresses(&d->to, (const char *const *)a->rcpts, a->nrcpts) ||
                !add_addresses(&d->cc, a->cc, a->ncc) || !add_addresses(&d->bcc, a->bcc, a->nbcc)))
        st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
    for (int i = 0; !st && i < a->nattach; i++)
        st = tm_draft_attach_file(d, a->attach[i], BATCH_ATTACH_MAX, err);
    return st;
}

/* tmail -s SUBJECT ... -- ADDR...: exit 0 only when the server accepted the message. */
static int send_batch(const struct args *a, const struct tm_config *cfg, const char *store_path)
{
    struct tm_error err;
    struct tm_draft *d = NULL;
    tm_error_clear(&err);
    const struct tm_account *acct = sending_account(cfg);
    if (!acct) {
        fprintf(stderr, _("tmail: no account can send mail: add smtp = smtp://USER@HOST:587 to an "
                          "account\n"));
        return 1;
    }
    if (!a->draft && isatty(0)) {
        fprintf(stderr, _("tmail: -s reads the message body from standard input, which is a "
                          "terminal; pipe the body in, or use -H DRAFT\n"));
        return 1;
    }
    enum tm_status st = batch_draft(a, acct, &cfg->settings, &d, &err);
    if (!st) {
        struct tm_core_send_options o = {
            .store_path = store_path,
            .account = acct,
            .hostname = cfg->settings.hostname,
            .save_copy = cfg->settings.copy == TM_QUAD_YES || cfg->settings.copy == TM_QUAD_ASK_YES,
            .charset_fallback = cfg->settings.charset_fallback,
            .ask_password = ask_tty_password,
        };
        st = tm_core_send_now(&o, d, &cfg->aliases, &err);
    }
    tm_draft_free(&d);
    if (st || err.message[0])
        fprintf(stderr, "tmail: %s\n", err.message);
    return st ? 1 : 0;
}

/* tmail --check-config [-F FILE]: every problem as FILE:LINE: message; exit 0 or 1. */
static int check_config(const char *override)
{
    char rc_path[PATH_MAX];
    struct tm_error err;
    struct tm_buf report;
    tm_error_clear(&err);
    if (tm_config_find_file(override, rc_path, sizeof(rc_path), &err)) {
        fprintf(stderr, "tmail: %s\n",
                override
                    ? err.message
                    : _("no configuration file (~/.tmailrc or $XDG_CONFIG_HOME/tmail/tmailrc)"));
        return 1;
    }
    tm_buf_init(&report, 0);
    int code = tm_config_check_file(rc_path, &rc_env, &report);
    if (report.data)
        fputs(report.data, code ? stderr : stdout);
    tm_buf_cleanup(&report);
    return code;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},         {"version", no_argument, NULL, 'V'},
        {"check-config", no_argument, NULL, 'C'}, {"dump-mime", required_argument, NULL, 'M'},
        {"sync", no_argument, NULL, 'S'},         {0, 0, 0, 0},
    };
    int c;
    while ((c = getopt_long(argc, argv, "f:F:hs:c:b:a:H:", longopts, NULL)) != -1) {
        switch (c) {
        case 's':
            a->subject = optarg;
            a->send = true;
            break;
        case 'H':
            a->draft = optarg;
            a->send = true;
            break;
        case 'c':
        case 'b':
            if ((c == 'c' ? a->ncc : a->nbcc) >= MAX_ITEMS) {
                fprintf(stderr, _("tmail: too many -%c options\n"), c);
                return 2;
            }
            if (c == 'c')
                a->cc[a->ncc++] = optarg;
            else
                a->bcc[a->nbcc++] = optarg;
            break;
        case 'a': /* mutt: -a takes every file up to the next option or -- */
            a->attach[a->nattach++] = optarg;
            while (optind < argc && argv[optind][0] != '-' && a->nattach < MAX_ITEMS)
                a->attach[a->nattach++] = argv[optind++];
            if (optind < argc && argv[optind][0] != '-') {
                fprintf(stderr, _("tmail: too many attachments\n"));
                return 2;
            }
            a->send = true;
            break;
        case 'f':
            a->folder = optarg;
            break;
        case 'F':
            a->config = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("tmail %s\n", TM_VERSION);
            exit(0);
        case 'C':
            a->check_config = true;
            break;
        case 'M':
            a->dump_mime = optarg;
            break;
        case 'S':
            a->sync = true;
            break;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (a->sync && optind + 1 == argc)
        a->sync_account = argv[optind++];
    if (!a->sync && optind + 1 == argc && strncasecmp(argv[optind], "mailto:", 7) == 0)
        a->mailto = argv[optind++];
    if (a->send) { /* the recipients */
        a->rcpts = argv + optind;
        a->nrcpts = argc - optind;
        optind = argc;
    }
    if (optind < argc) {
        usage(stderr);
        return 2;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct args a = {0};
    struct tm_error err;
    char cache[PATH_MAX], store_path[PATH_MAX + 32], state[PATH_MAX], log_path[PATH_MAX + 32];
    char folder[PATH_MAX], account[PATH_MAX + 16], notice[PATH_MAX + 1200], rc[PATH_MAX];
    char first[1024];

    setlocale(LC_ALL, "");
    bindtextdomain("tmail", TM_LOCALEDIR);
    textdomain("tmail");
    tm_error_clear(&err);
    int rcode = parse_args(argc, argv, &a);
    if (rcode)
        return rcode;
    if (a.dump_mime)
        return dump_mime(a.dump_mime);
    if (a.check_config)
        return check_config(a.config);

    if (tm_xdg_dir(TM_XDG_CACHE, 1, cache, sizeof(cache), &err))
        return fail(_("cannot create the cache directory"), &err);
    snprintf(store_path, sizeof(store_path), "%s/cache.sqlite", cache);
    if (tm_xdg_dir(TM_XDG_STATE, 1, state, sizeof(state), &err) == TM_OK) {
        snprintf(log_path, sizeof(log_path), "%s/tmail.log", state);
        tm_log_open(log_path, TM_LOG_INFO);
    }

    struct tm_config *cfg = NULL;
    bool have_rc = false;
    if (!a.folder || a.config) {
        have_rc = tm_config_find_file(a.config, rc, sizeof(rc), &err) == TM_OK;
        if (a.config && !have_rc)
            return fail(_("cannot read the configuration"), &err);
    }
    if (have_rc) {
        if (tm_config_load_file(rc, &rc_env, &cfg, &err) == TM_ECONFIG || !cfg) {
            print_config_errors(cfg);
            tm_config_free(&cfg);
            return fail(_("the configuration cannot be used"), &err);
        }
    } else if (!(cfg = tm_config_new())) {
        return fail(_("out of memory"), NULL);
    }
    tm_log_set_level((enum tm_log_level)cfg->settings.log_level); /* debug adds the wire trace */

    if (a.send) {
        if (cfg->n_errors) {
            print_config_errors(cfg);
            tm_config_free(&cfg);
            return fail(_("fix the configuration before sending"), NULL);
        }
        int code = send_batch(&a, cfg, store_path);
        tm_config_free(&cfg);
        tm_log_close();
        return code;
    }
    if (a.sync) {
        int code = sync_accounts(cfg, a.sync_account, store_path);
        tm_config_free(&cfg);
        tm_log_close();
        return code;
    }

    notice[0] = 0;
    const struct tm_account *acct = a.folder ? NULL : first_account(cfg);
    const struct tm_account *imap_acct = NULL, *maildir_acct = NULL;
    if (a.folder) {
        if (!realpath(a.folder, folder)) {
            tm_error_errno(&err, TM_ENOENT, errno, _("cannot open %s"), a.folder);
            tm_config_free(&cfg);
            return fail(_("no such folder"), &err);
        }
        snprintf(account, sizeof(account), "local:%s", folder);
    } else if (acct && acct->read.scheme == TM_URL_MAILDIR && acct->read.path &&
               realpath(acct->read.path, folder)) {
        maildir_acct = acct;
        snprintf(account, sizeof(account), "%s", acct->name);
    } else if (acct && is_imap(acct)) {
        imap_acct = acct;
        snprintf(account, sizeof(account), "%s", acct->name);
    } else {
        bool copied;
        if (tm_core_prepare_demo(find_sharedir(), folder, sizeof(folder), &copied, &err)) {
            tm_config_free(&cfg);
            return fail(_("cannot prepare the demo mailbox"), &err);
        }
        snprintf(account, sizeof(account), "demo");
        if (acct)
            snprintf(notice, sizeof(notice),
                     _("Account %s: only IMAP and Maildir accounts can be read yet; showing the "
                       "demo"),
                     acct->name);
        else if (have_rc)
            snprintf(notice, sizeof(notice), _("%s has no account: showing the demo mailbox"), rc);
        else
            snprintf(notice, sizeof(notice),
                     copied ? _("No configuration (S sets up an account): copied the demo mailbox "
                                "to %s")
                            : _("No configuration (S sets up an account): opened the demo "
                                "mailbox in %s"),
                     folder);
    }
    if (cfg->n_errors) /* tmail still starts; the first error says what to fix */
        snprintf(notice, sizeof(notice), _("%s  [1 of %zu errors: tmail --check-config lists all]"),
                 first_error(cfg, first, sizeof(first)), cfg->n_errors);

    struct tm_ui_options opt = {
        .core = {.store_path = store_path,
                 .folder_path = imap_acct ? NULL : folder,
                 .account = imap_acct ? imap_acct : maildir_acct,
                 .account_name = account,
                 .charset_fallback = cfg->settings.charset_fallback,
                 .sort = cfg->settings.sort,
                 .sort_reverse = cfg->settings.sort_reverse,
                 .hostname = cfg->settings.hostname},
        .mailto = a.mailto,
        .cfg = &cfg,
        .notice = notice[0] ? notice : NULL,
    };
    int status = tm_ui_run(&opt, &err);
    tm_config_free(&cfg);
    tm_log_close();
    if (status)
        return fail(_("cannot start"), &err);
    return 0;
}
