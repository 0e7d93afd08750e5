/* log.h - the log file under $XDG_STATE_HOME/tmail/tmail.log. Never pass secrets to it. */
#ifndef TMAIL_LOG_H
#define TMAIL_LOG_H

#include <stdbool.h>

enum tm_log_level { TM_LOG_DEBUG, TM_LOG_INFO, TM_LOG_WARN, TM_LOG_ERROR };

/* Opens path for appending (0600); without a call logging goes nowhere. Thread-safe after. */
void tm_log_open(const char *path, enum tm_log_level min_level);
void tm_log_close(void);
/* Changes the lowest level written (the log_level setting, known after the configuration). */
void tm_log_set_level(enum tm_log_level min_level);
/* Whether a message of level would be written: callers skip building costly ones (wire traces). */
bool tm_log_enabled(enum tm_log_level level);
void tm_log(enum tm_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
