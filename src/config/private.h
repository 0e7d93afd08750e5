/* private.h - declarations shared by the configuration parser's files. */
#ifndef TM_CONFIG_PRIVATE_H
#define TM_CONFIG_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "tmail/config.h"

#define CFG_MAX_WORDS 64
#define CFG_MAX_WORD  8192 /* after $VAR expansion */

/* One word of a command line after quoting, escapes and expansion. eq is the offset of the first
 * '=' written outside quotes, or -1, so `set a=b` and `set a = "b=c"` both split correctly. */
struct cfg_word {
    char *text; /* owned, NUL-terminated */
    size_t len;
    int eq;
    bool eq_tail_quoted; /* quotes followed the '=': `a=""` is an explicit empty value */
};

struct cfg_words {
    struct cfg_word w[CFG_MAX_WORDS];
    size_t n;
};

/* lexer.c: splits one logical line into words; a '#' outside quotes starts a comment. On a
 * syntax error returns TM_EPARSE with a message in msg. */
enum tm_status cfg_lex_line(const char *line, size_t len, const struct tm_config_env *env,
                            struct cfg_words *out, char *msg, size_t msgsize);
void cfg_words_cleanup(struct cfg_words *w);

/* True when diagnostics are no longer kept, so suggestions need not be computed. */
bool cfg_diags_full(const struct tm_config *cfg);

/* did_you_mean.c: the closest of n names (stride bytes apart, a const char * at the start of
 * each element) to word, or NULL when none is close enough. */
const char *cfg_did_you_mean(const char *word, const void *names, size_t n, size_t stride);
size_t cfg_edit_distance(const char *a, const char *b);

/* settings_table.c */
const struct tm_setting_info *cfg_setting_find(const char *name);
int cfg_setting_index(const struct tm_setting_info *s); /* position in the table */
void *cfg_setting_ptr(const struct tm_setting_info *s, struct tm_settings *g, struct tm_account *a);

/* values.c: parses text as a value of s's type into the field at dst (freeing the old string).
 * Returns false with a message (and maybe a did-you-mean) in msg. */
bool cfg_value_set(const struct tm_setting_info *s, void *dst, const char *text, char *msg,
                   size_t msgsize);
void cfg_value_unset(const struct tm_setting_info *s, void *dst);
void cfg_value_free(const struct tm_setting_info *s, void *dst);
bool cfg_value_copy(const struct tm_setting_info *s, void *dst, const void *src);
bool cfg_url_parse(const char *text, unsigned schemes, struct tm_url *out, char *msg,
                   size_t msgsize);
void cfg_url_cleanup(struct tm_url *u);
bool cfg_regex_check(const char *text, char *msg, size_t msgsize);

/* keys.c: a key spec ("j", "\x06", "^F", "<F5>", "<Esc>x") into seq; a macro body (keys and
 * <function> names) into a malloc'd array. */
bool cfg_key_parse(const char *spec, struct tm_keyseq *seq, char *msg, size_t msgsize);
bool cfg_macro_parse(const char *text, enum tm_keymap map, bool suggest, int32_t **keys, int *n,
                     char *msg, size_t msgsize);

/* functions.c */
enum tm_op cfg_op_find(const char *name);
bool cfg_op_valid_in(enum tm_op op, enum tm_keymap map);
const char *cfg_op_suggest(const char *name);
int cfg_map_find(const char *name); /* -1 when unknown */
const char *cfg_map_suggest(const char *name);
enum tm_status cfg_bindings_add_defaults(struct tm_config *cfg);
size_t cfg_default_binding_count(void);

/* colors.c: parses the words after `color` into rule; env (may be NULL) checks index patterns. */
bool cfg_color_parse(struct cfg_word *w, size_t n, const struct tm_config_env *env,
                     struct tm_color_rule *rule, char *msg, size_t msgsize);

/* parser.c */
struct cfg_loader;
/* Called for `source FILE`: reads and parses it (check.c). NULL in the pure parser. */
typedef enum tm_status (*cfg_source_fn)(struct cfg_loader *ld, const char *path);

struct cfg_loader {
    struct tm_config *cfg;
    const struct tm_config_env *env;
    cfg_source_fn source;
    void *source_ctx;
    int depth;
    mode_t file_mode; /* of the file being parsed; 0 when unknown */
    const char *file; /* the file and line being parsed, for messages */
    int line;
    long account;      /* index of the open account block, or -1 */
    int account_depth; /* depth of the file that opened it */
};
/* Parses one buffer. TM_ECONFIG when the whole buffer was refused (too large, binary data);
 * that and every smaller problem are in cfg->diags. TM_ENOMEM otherwise the only failure. */
enum tm_status cfg_parse(struct cfg_loader *ld, const char *name, const char *data, size_t len);

/* diags (parser.c): appends a diagnostic; ENOMEM is the only failure. */
enum tm_status cfg_diag(struct tm_config *cfg, enum tm_config_severity sev, const char *file,
                        int line, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* account.c */
enum tm_status cfg_account_init(struct tm_account *a, const char *name, const char *file, int line);
void cfg_account_cleanup(struct tm_account *a);
enum tm_status cfg_settings_init(struct tm_settings *g, struct tm_account *defaults);
void cfg_settings_cleanup(struct tm_settings *g);

/* alias.c: reads every alias line of data[0..len) (a tmailrc or mutt alias file: other lines
 * skipped, backslash-newline continues) into set; bad(ctx, line, message) is called for each
 * bad line, and may fail only with TM_ENOMEM. Returns TM_ENOMEM or TM_OK. */
typedef enum tm_status (*cfg_alias_bad_fn)(void *ctx, int line, const char *message);
enum tm_status cfg_alias_parse(struct tm_alias_set *set, const char *data, size_t len,
                               cfg_alias_bad_fn bad, void *ctx);

/* docs.c: man with the text between the generated-settings markers replaced by generated.
 * TM_EPARSE when the markers are missing. */
enum tm_status cfg_docs_splice(const char *man, const char *generated, struct tm_buf *out);

/* True when the line ends in an odd number of backslashes: it continues on the next (parser.c;
 * the rc file and alias files both read lines this way). */
bool cfg_line_continues(const char *s, size_t len);
#endif
