/* xdg.c - XDG base directory lookup (XDG Base Directory Specification 0.8). */
#include <stdio.h>
#include <stdlib.h>

#include "tmail/fsutil.h"
#include "tmail/i18n.h"
#include "tmail/xdg.h"

enum tm_status tm_xdg_dir(enum tm_xdg_kind kind, int create, char *out, size_t size,
                          struct tm_error *err)
{
    static const struct {
        const char *var;
        const char *fallback;
    } dirs[] = {
        [TM_XDG_CONFIG] = {"XDG_CONFIG_HOME", ".config"},
        [TM_XDG_CACHE] = {"XDG_CACHE_HOME", ".cache"},
        [TM_XDG_DATA] = {"XDG_DATA_HOME", ".local/share"},
        [TM_XDG_STATE] = {"XDG_STATE_HOME", ".local/state"},
    };
    const char *base = getenv(dirs[kind].var);
    int n;
    /* The spec says relative values are invalid and must be ignored. */
    if (base && base[0] == '/') {
        n = snprintf(out, size, "%s/tmail", base);
    } else {
        const char *home = getenv("HOME");
        if (!home || home[0] != '/')
            return tm_error_set(err, TM_ECONFIG, _("HOME is not set to an absolute path"));
        n = snprintf(out, size, "%s/%s/tmail", home, dirs[kind].fallback);
    }
    if (n < 0 || (size_t)n >= size)
        return tm_error_set(err, TM_ELIMIT, _("directory path too long"));
    if (create)
        return tm_fs_mkdirs(out, 0700, err);
    return TM_OK;
}
