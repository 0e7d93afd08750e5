/* config.h - where tmail's configuration lives. (The typed settings, accounts and key maps of
 * ~/.tmailrc arrive with the configuration issue; this is the part the foundation needs.) */
#ifndef TMAIL_CONFIG_H
#define TMAIL_CONFIG_H

#include <stddef.h>

#include "tmail/status.h"

/* Finds the configuration file: override (tmail -F) if not NULL, else ~/.tmailrc, else
 * $XDG_CONFIG_HOME/tmail/tmailrc. Writes the path to out and returns TM_OK when the file
 * exists; TM_ENOENT (err filled) when there is none, which is a normal first run. */
enum tm_status tm_config_find_file(const char *override, char *out, size_t size,
                                   struct tm_error *err);

#endif
