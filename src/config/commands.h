/* commands.h - the tmailrc commands, run by parser.c on one lexed line each. */
#ifndef TM_CONFIG_COMMANDS_H
#define TM_CONFIG_COMMANDS_H

#include "private.h"

struct command {
    const char *name;
    enum tm_status (*run)(struct cfg_loader *ld, struct cfg_words *w);
};

enum tm_status cmd_error(struct cfg_loader *ld, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

enum tm_status cmd_set(struct cfg_loader *ld, struct cfg_words *w);
enum tm_status cmd_unset(struct cfg_loader *ld, struct cfg_words *w);
enum tm_status cmd_reset(struct cfg_loader *ld, struct cfg_words *w);
enum tm_status cmd_bind(struct cfg_loader *ld, struct cfg_words *w);
enum tm_status cmd_macro(struct cfg_loader *ld, struct cfg_words *w);
enum tm_status cmd_color(struct cfg_loader *ld, struct cfg_words *w);
enum tm_status cmd_source(struct cfg_loader *ld, struct cfg_words *w);
enum tm_status cmd_account(struct cfg_loader *ld, struct cfg_words *w);
enum tm_status cmd_end(struct cfg_loader *ld, struct cfg_words *w);
/* alias and unalias, from the raw line line[0..len) (see run_line in parser.c). */
enum tm_status cmd_alias(struct cfg_loader *ld, const char *line, size_t len);

#endif
