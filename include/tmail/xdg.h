/* xdg.h - XDG base directories (config, cache, data, state) for tmail's files, created 0700. */
#ifndef TMAIL_XDG_H
#define TMAIL_XDG_H

#include <stddef.h>

#include "tmail/status.h"

enum tm_xdg_kind { TM_XDG_CONFIG, TM_XDG_CACHE, TM_XDG_DATA, TM_XDG_STATE };

/* Writes "<base>/tmail" for kind into out (e.g. $XDG_CACHE_HOME/tmail, else ~/.cache/tmail) and
 * creates it with mode 0700 when create is nonzero. */
enum tm_status tm_xdg_dir(enum tm_xdg_kind kind, int create, char *out, size_t size,
                          struct tm_error *err);

#endif
