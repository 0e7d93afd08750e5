/* fsutil.h - file helpers: bounded whole-file reads, directory tree copy, durable writes. */
#ifndef TMAIL_FSUTIL_H
#define TMAIL_FSUTIL_H

#include <stddef.h>

#include "tmail/buf.h"
#include "tmail/status.h"

/* Appends up to max bytes of path to out. Reading stops at max without error when
 * stop_at_max is nonzero (for header-only reads); otherwise a larger file is TM_ELIMIT. */
enum tm_status tm_fs_read_file(const char *path, size_t max, int stop_at_max, struct tm_buf *out,
                               struct tm_error *err);

/* Copies the directory tree src to dst (which must not exist), regular files and directories
 * only, files 0600 and directories 0700. Writes into dst.tmp-PID and renames at the end, so a
 * half-made copy never looks complete. */
enum tm_status tm_fs_copy_tree(const char *src, const char *dst, struct tm_error *err);

/* Creates every missing directory of path with mode. */
enum tm_status tm_fs_mkdirs(const char *path, unsigned mode, struct tm_error *err);

#endif
