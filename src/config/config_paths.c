/* config_paths.c - locating the configuration file (tmail -F, ~/.tmailrc, XDG config). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "tmail/config.h"
#include "tmail/i18n.h"
#include "tmail/xdg.h"

static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

enum tm_status tm_config_find_file(const char *override, char *out, size_t size,
                                   struct tm_error *err)
{
    if (override) {
        if (snprintf(out, size, "%s", override) >= (int)size)
            return tm_error_set(err, TM_ELIMIT, _("configuration path too long"));
        if (!is_file(out))
            return tm_error_errno(err, TM_ENOENT, errno ? errno : ENOENT,
                                  _("cannot read configuration %s"), out);
        return TM_OK;
    }
    const char *home = getenv("HOME");
    if (home && snprintf(out, size, "%s/.tmailrc", home) < (int)size && is_file(out))
        return TM_OK;
    char dir[4096];
    if (tm_xdg_dir(TM_XDG_CONFIG, 0, dir, sizeof(dir), NULL) == TM_OK &&
        snprintf(out, size, "%s/tmailrc", dir) < (int)size && is_file(out))
        return TM_OK;
    out[0] = 0;
    return tm_error_set(err, TM_ENOENT, _("no configuration file"));
}
