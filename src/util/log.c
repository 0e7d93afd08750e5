/* log.c - an append-only log file, shared by all threads. Callers never pass secrets. */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "tmail/log.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static enum tm_log_level log_min = TM_LOG_INFO;

void tm_log_open(const char *path, enum tm_log_level min_level)
{
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = NULL;
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd >= 0) {
        log_file = fdopen(fd, "a");
        if (!log_file)
            close(fd);
    }
    log_min = min_level;
    pthread_mutex_unlock(&log_lock);
}

void tm_log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file)
        fclose(log_file);
    log_file = NULL;
    pthread_mutex_unlock(&log_lock);
}

void tm_log_set_level(enum tm_log_level min_level)
{
    pthread_mutex_lock(&log_lock);
    log_min = min_level;
    pthread_mutex_unlock(&log_lock);
}

bool tm_log_enabled(enum tm_log_level level)
{
    pthread_mutex_lock(&log_lock);
    bool on = level >= log_min && log_file != NULL;
    pthread_mutex_unlock(&log_lock);
    return on;
}

void tm_log(enum tm_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < log_min)
        return;
    pthread_mutex_lock(&log_lock);
    if (log_file) {
        char stamp[32];
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        struct tm tmv;
        gmtime_r(&now.tv_sec, &tmv);
        strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tmv);
        /* milliseconds: the order of a sync's steps and what each one costs */
        fprintf(log_file, "%s.%03ldZ %s ", stamp, now.tv_nsec / 1000000, names[level]);
        va_list ap;
        va_start(ap, fmt);
        vfprintf(log_file, fmt, ap);
        va_end(ap);
        fputc('\n', log_file);
        fflush(log_file);
    }
    pthread_mutex_unlock(&log_lock);
}
