/* demo.c - the bundled demo mailbox: copied once to $XDG_DATA_HOME/tmail/demo so the shipped
 * files are never modified, then opened like any Maildir. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "tmail/core.h"
#include "tmail/fsutil.h"
#include "tmail/i18n.h"
#include "tmail/xdg.h"

enum tm_status tm_core_prepare_demo(const char *sharedir, char *out, size_t size, bool *copied,
                                    struct tm_error *err)
{
    char data[4096], src[4096];
    struct stat sb;
    *copied = false;
    enum tm_status st = tm_xdg_dir(TM_XDG_DATA, 1, data, sizeof(data), err);
    if (st)
        return st;
    if (snprintf(out, size, "%s/demo", data) >= (int)size ||
        snprintf(src, sizeof(src), "%s/demo", sharedir) >= (int)sizeof(src))
        return tm_error_set(err, TM_ELIMIT, _("demo mailbox path too long"));
    if (stat(out, &sb) == 0)
        return TM_OK;
    if (errno != ENOENT)
        return tm_error_errno(err, TM_EIO, errno, _("cannot look at %s"), out);
    if (stat(src, &sb) != 0)
        return tm_error_errno(err, TM_ENOENT, errno, _("the demo mailbox %s is missing"), src);
    st = tm_fs_copy_tree(src, out, err);
    if (!st)
        *copied = true;
    return st;
}
