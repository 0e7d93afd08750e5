/* test_imap_bench.c - how fast a header sync's FETCH responses are read and decoded: prints
 * "# imap parse: ..." lines with responses per second (no pass/fail on speed: sanitizer builds are
 * several times slower than release builds). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "imap_test_util.h"
#include "tm_test.h"

#define BENCH_N 100000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads and decodes every response of in; returns how many, or -1 on a failure. */
static long read_and_decode(const struct tm_buf *in, double *seconds)
{
    struct imap_parser *p = NULL;
    struct imap_memsource m;
    struct imap_response r;
    struct imap_fetch f;
    struct tm_error err;
    long n = 0;
    if (imap_parser_new(NULL, &p, &err) != TM_OK)
        return -1;
    imap_memsource_init(&m, in->data, in->len, 0);
    struct imap_source src = imap_memsource_source(&m);
    double t0 = now();
    while (imap_read_response(p, &src, &r, &err) == TM_OK) {
        if (imap_fetch_decode(&r, &f, &err) != TM_OK || !f.has_uid || f.uid != (uint32_t)n + 1) {
            n = -1;
            break;
        }
        n++;
    }
    *seconds = now() - t0;
    imap_parser_free(&p);
    return n;
}

TM_TEST(imap_parse_throughput_of_header_sync)
{
    struct tm_buf small, headers;
    double secs;
    tm_buf_init(&small, 0);
    tm_buf_init(&headers, 0);
    for (int i = 1; i <= BENCH_N; i++) {
        tm_buf_appendf(&small, "* %d FETCH (UID %d FLAGS (\\Seen $Forwarded) MODSEQ (%d))\r\n", i,
                       i, 1000 + i);
        const char *h = "Date: Wed, 17 Jul 1996 02:23:25 -0700\r\nFrom: Joe <joe@example.org>\r\n"
                        "Subject: a typical subject line\r\nMessage-ID: <1234@example.org>\r\n\r\n";
        tm_buf_appendf(&headers,
                       "* %d FETCH (UID %d FLAGS (\\Seen) RFC822.SIZE 4242 INTERNALDATE "
                       "\"17-Jul-1996 02:44:25 -0700\" BODY[HEADER.FIELDS (DATE FROM SUBJECT "
                       "MESSAGE-ID)] {%zu}\r\n%s MODSEQ (%d))\r\n",
                       i, i, strlen(h), h, 1000 + i);
    }
    long n = read_and_decode(&small, &secs);
    TM_CHECK_INT(n, BENCH_N);
    printf("# imap parse: %d small FETCH responses (%zu bytes) in %.3f s: %.0f responses/s\n",
           BENCH_N, small.len, secs, BENCH_N / secs);
    n = read_and_decode(&headers, &secs);
    TM_CHECK_INT(n, BENCH_N);
    printf("# imap parse: %d header FETCH responses with a literal (%zu bytes) in %.3f s: %.0f "
           "responses/s, %.0f MB/s\n",
           BENCH_N, headers.len, secs, BENCH_N / secs, (double)headers.len / secs / 1e6);
    tm_buf_cleanup(&small);
    tm_buf_cleanup(&headers);
}
