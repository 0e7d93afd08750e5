/* main.c - tmail's entry point: reads the command line, decides what to open, wires the layers
 * together and hands over to the UI. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tm_build_config.h"
#include "tmail/config.h"
#include "tmail/core.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/ui.h"
#include "tmail/xdg.h"

static void usage(FILE *to)
{
    fprintf(to, _("Usage: tmail [-f FOLDER] [-F FILE]\n"
                  "  -f FOLDER   open this Maildir instead of the default mailbox\n"
                  "  -F FILE     read this configuration file instead of ~/.tmailrc\n"
                  "  --version   print the version and exit\n"
                  "  --help      print this help and exit\n"));
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

struct args {
    const char *folder;
    const char *config;
};

static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'}, {"version", no_argument, NULL, 'V'}, {0, 0, 0, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "f:F:h", longopts, NULL)) != -1) {
        switch (c) {
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
        default:
            usage(stderr);
            return 2;
        }
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
    char folder[PATH_MAX], account[PATH_MAX + 16], notice[PATH_MAX + 200], rc[PATH_MAX];

    setlocale(LC_ALL, "");
    bindtextdomain("tmail", TM_LOCALEDIR);
    textdomain("tmail");
    tm_error_clear(&err);
    int rcode = parse_args(argc, argv, &a);
    if (rcode)
        return rcode;

    if (tm_xdg_dir(TM_XDG_CACHE, 1, cache, sizeof(cache), &err))
        return fail(_("cannot create the cache directory"), &err);
    snprintf(store_path, sizeof(store_path), "%s/cache.sqlite", cache);
    if (tm_xdg_dir(TM_XDG_STATE, 1, state, sizeof(state), &err) == TM_OK) {
        snprintf(log_path, sizeof(log_path), "%s/tmail.log", state);
        tm_log_open(log_path, TM_LOG_INFO);
    }

    notice[0] = 0;
    if (a.folder) {
        if (!realpath(a.folder, folder)) {
            tm_error_errno(&err, TM_ENOENT, errno, _("cannot open %s"), a.folder);
            return fail(_("no such folder"), &err);
        }
        snprintf(account, sizeof(account), "local:%s", folder);
    } else {
        bool have_rc = tm_config_find_file(a.config, rc, sizeof(rc), &err) == TM_OK;
        if (a.config && !have_rc)
            return fail(_("cannot read the configuration"), &err);
        bool copied;
        if (tm_core_prepare_demo(find_sharedir(), folder, sizeof(folder), &copied, &err))
            return fail(_("cannot prepare the demo mailbox"), &err);
        snprintf(account, sizeof(account), "demo");
        if (have_rc)
            snprintf(notice, sizeof(notice),
                     _("%s found, but accounts are not read yet: showing the demo mailbox"), rc);
        else
            snprintf(notice, sizeof(notice),
                     copied ? _("No configuration: copied the demo mailbox to %s")
                            : _("No configuration: opened the demo mailbox in %s"),
                     folder);
    }

    struct tm_ui_options opt = {
        .core = {.store_path = store_path, .folder_path = folder, .account_name = account},
        .notice = notice[0] ? notice : NULL,
    };
    int status = tm_ui_run(&opt, &err);
    tm_log_close();
    if (status)
        return fail(_("cannot start"), &err);
    return 0;
}
