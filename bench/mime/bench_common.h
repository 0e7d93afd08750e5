/* bench_common.h - what bench_tmail.c and bench_gmime.c share, so both sides list, read, time,
 * checksum and report in exactly the same way. Header-only: each program includes it once. */
#ifndef BENCH_MIME_COMMON_H
#define BENCH_MIME_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* What both sides count; the binary (non-text leaf) figures must be equal on both sides. */
struct bench_totals {
    uint64_t messages, input_bytes, largest;
    uint64_t leaves, text_leaves;
    uint64_t binary_bytes; /* transfer-decoded bytes of non-text leaves */
    uint64_t text_bytes;   /* UTF-8 bytes of text leaves */
    uint64_t header_bytes; /* bytes of the decoded envelope strings */
    uint64_t hash;
};

/* A cheap checksum of a decoded payload (length, and one byte in 4096), so the work cannot be
 * optimised away without costing a pass over the data. */
static inline void bench_mix(struct bench_totals *t, const unsigned char *p, size_t len)
{
    uint64_t h = t->hash ^ len;
    for (size_t i = 0; i < len; i += 4096)
        h = (h ^ p[i]) * 1099511628211u;
    t->hash = h * 1099511628211u;
}

static int bench_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The message files of dir (dir/cur/ when it exists), sorted by name; NULL-terminated. */
static char **bench_list(const char *dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/cur", dir);
    struct stat sb;
    const char *d = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) ? path : dir;
    DIR *dp = opendir(d);
    if (!dp) {
        fprintf(stderr, "cannot open %s: %s\n", d, strerror(errno));
        exit(2);
    }
    size_t n = 0, cap = 1024;
    char **v = malloc(cap * sizeof(*v));
    struct dirent *e;
    while (v && (e = readdir(dp))) {
        if (e->d_name[0] == '.')
            continue;
        if (n + 2 > cap)
            v = realloc(v, (cap *= 2) * sizeof(*v));
        size_t sz = strlen(d) + strlen(e->d_name) + 2;
        if (v && (v[n] = malloc(sz)))
            snprintf(v[n++], sz, "%s/%s", d, e->d_name);
    }
    closedir(dp);
    if (!v) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    v[n] = NULL;
    qsort(v, n, sizeof(*v), bench_cmp);
    return v;
}

/* Reads path whole into *buf (grown as needed, reused across messages); returns the length. */
static size_t bench_read(const char *path, char **buf, size_t *cap)
{
    int fd = open(path, O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        fprintf(stderr, "cannot read %s: %s\n", path, strerror(errno));
        exit(2);
    }
    size_t len = (size_t)sb.st_size;
    if (len + 1 > *cap) {
        free(*buf);
        *cap = len + 1;
        if (!(*buf = malloc(*cap))) {
            fprintf(stderr, "out of memory\n");
            exit(2);
        }
    }
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, *buf + got, len - got);
        if (r <= 0) {
            fprintf(stderr, "short read on %s\n", path);
            exit(2);
        }
        got += (size_t)r;
    }
    close(fd);
    (*buf)[len] = 0;
    return len;
}

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* User plus system CPU seconds used so far. */
static double bench_cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* One line of key=value pairs that run.sh parses. MB is 10^6 bytes of input message; seconds
 * is wall time, cpu_seconds the CPU time of the same stretch (less disturbed by other load). */
static void bench_report(const char *name, const struct bench_totals *t, double seconds,
                         double cpu_seconds)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%s messages=%llu input_bytes=%llu largest=%llu leaves=%llu text_leaves=%llu "
           "binary_bytes=%llu text_bytes=%llu header_bytes=%llu hash=%016llx seconds=%.3f "
           "mb_per_s=%.1f cpu_seconds=%.3f cpu_mb_per_s=%.1f maxrss_kib=%ld\n",
           name, (unsigned long long)t->messages, (unsigned long long)t->input_bytes,
           (unsigned long long)t->largest, (unsigned long long)t->leaves,
           (unsigned long long)t->text_leaves, (unsigned long long)t->binary_bytes,
           (unsigned long long)t->text_bytes, (unsigned long long)t->header_bytes,
           (unsigned long long)t->hash, seconds, (double)t->input_bytes / 1e6 / seconds,
           cpu_seconds, (double)t->input_bytes / 1e6 / cpu_seconds, ru.ru_maxrss);
}

#endif
