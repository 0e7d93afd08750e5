/* log.h - the log file under $XDG_STATE_HOME/tmail/tmail.log. Never pass secrets to it. */
#ifndef TMAIL_LOG_H
#define TMAIL_LOG_H

enum tm_log_level { TM_LOG_DEBUG, TM_LOG_INFO, TM_LOG_WARN, TM_LOG_ERROR };

/* Opens path for appending (0600); without a call logging goes nowhere. Thread-safe after. */
void tm_log_open(const char *path, enum tm_log_level min_level);
void tm_log_close(void);
void tm_log(enum tm_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
