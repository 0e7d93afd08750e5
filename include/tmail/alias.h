/* alias.h - mutt-style address aliases ("alias [-group NAME]... KEY ADDRESS[, ADDRESS...]") read
 * from alias lines of the configuration or an alias file, and completion of a typed prefix
 * against them. Pure apart from tm_alias_load_file. */
#ifndef TMAIL_ALIAS_H
#define TMAIL_ALIAS_H

#include <stdbool.h>
#include <stddef.h>

#include "tmail/status.h"

#define TM_ALIAS_MAX_FILE ((size_t)4 * 1024 * 1024)

/* One alias: key (ASCII, no spaces) and its expansion as written, e.g.
 * "Bob Smith <bob@example.org>, carol@example.org", owned by the set. */
struct tm_alias {
    char *key;
    char *value;
    char *comment; /* text after a trailing '#' comment, trimmed, or NULL */
};

/* Aliases in file order; a later alias with the same key replaces the earlier one in place. */
struct tm_alias_set {
    struct tm_alias *items;
    size_t count, cap;
};
void tm_alias_set_cleanup(struct tm_alias_set *set);

/* Parses one line (without its line end; comments and blank lines are fine) and adds its alias
 * to set. Lines that are not alias commands are TM_OK without change when skip_other, else
 * TM_EPARSE. Errors (TM_EPARSE: "alias needs a key and an address", an unclosed quote, a key with
 * control characters) name what is wrong; the caller adds file and line. */
enum tm_status tm_alias_parse_line(struct tm_alias_set *set, const char *line, size_t len,
                                   bool skip_other, struct tm_error *err);
/* Reads every alias of data[0..len), a file in mutt's alias format (other mutt commands in it
 * are skipped; backslash-newline continues a line). The first bad line is reported as
 * "NAME:LINE: message" in err after the rest is read (good lines are kept). */
enum tm_status tm_alias_parse_buffer(struct tm_alias_set *set, const char *name, const char *data,
                                     size_t len, struct tm_error *err);
/* tm_alias_parse_buffer on a file (~ not expanded here); a missing file is TM_ENOENT. */
enum tm_status tm_alias_load_file(struct tm_alias_set *set, const char *path, struct tm_error *err);

/* The expansion of key (exact, case-insensitive), borrowed; NULL when there is none. Aliases
 * naming other aliases are not expanded further. */
const char *tm_alias_lookup(const struct tm_alias_set *set, const char *key);

/* Calls cb for every alias whose key, or one of whose addresses or display names, starts with
 * prefix (case-insensitive; an empty prefix matches all), in file order. A nonzero return stops
 * the walk. */
typedef int (*tm_alias_cb)(void *ctx, const struct tm_alias *alias);
void tm_alias_complete(const struct tm_alias_set *set, const char *prefix, tm_alias_cb cb,
                       void *ctx);

/* Replaces every comma-separated item of list that is exactly an alias key (no '@', no '<') by
 * its expansion; malloc'd into *out. TM_ENOMEM only. */
enum tm_status tm_alias_expand_list(const struct tm_alias_set *set, const char *list, char **out,
                                    struct tm_error *err);

#endif
