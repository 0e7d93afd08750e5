/* test_stream.c - line and exact reads over scripted byte streams: lines split across reads, bare
 * LF, NUL bytes, the length cap, end of input, exact reads across the 64 KiB buffer, the trace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/net/private.h"
#include "tm_test.h"
#include "tmail/log.h"

static struct tm_stream *raw_stream(const char *bytes, size_t len, size_t chunk)
{
    struct tm_stream *s = NULL;
    struct tm_error err;
    if (net_scripted_new_raw(bytes, len, chunk, &s, &err) != TM_OK)
        return NULL;
    return s;
}

TM_TEST(stream_read_line_joins_a_line_split_across_reads)
{
    static const char data[] = "a1 OK LOGIN completed\r\n* 2 EXISTS\r\n";
    static const size_t chunks[] = {1, 2, 3, 5, 22, 23, 24, 0};
    for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
        struct tm_stream *s = raw_stream(data, sizeof(data) - 1, chunks[i]);
        struct tm_buf line;
        struct tm_error err;
        TM_CHECK(s != NULL);
        tm_buf_init(&line, 0);
        TM_CHECK_INT(tm_stream_read_line(s, &line, 1000, &err), TM_OK);
        TM_CHECK_STR(line.data, "a1 OK LOGIN completed");
        tm_buf_reset(&line);
        TM_CHECK_INT(tm_stream_read_line(s, &line, 1000, &err), TM_OK);
        TM_CHECK_STR(line.data, "* 2 EXISTS");
        TM_CHECK_INT(tm_stream_read_line(s, &line, 1000, &err), TM_ENET);
        tm_buf_cleanup(&line);
        tm_stream_close(&s);
        TM_CHECK(s == NULL);
    }
}

TM_TEST(stream_read_line_ends_at_a_bare_lf_and_keeps_a_lone_cr)
{
    static const char data[] = "one\ntwo\r\nthree\r\r\nfour\rfive\n\n";
    struct tm_stream *s = raw_stream(data, sizeof(data) - 1, 1);
    struct tm_buf line;
    struct tm_error err;
    tm_buf_init(&line, 0);
    const char *want[] = {"one", "two", "three\r", "four\rfive", ""};
    for (size_t i = 0; i < 5; i++) {
        tm_buf_reset(&line);
        TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
        TM_CHECK_STR(line.data, want[i]);
    }
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(stream_read_line_keeps_nul_bytes)
{
    static const char data[] = "a\0b\0\r\n";
    struct tm_stream *s = raw_stream(data, sizeof(data) - 1, 2);
    struct tm_buf line;
    struct tm_error err;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_INT(line.len, 4);
    TM_CHECK(memcmp(line.data, "a\0b\0", 5) == 0);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(stream_read_line_appends_to_what_the_buffer_holds)
{
    struct tm_stream *s = raw_stream("tail\r\n", 6, 0);
    struct tm_buf line;
    struct tm_error err;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_buf_append_str(&line, "head "), TM_OK);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 4, &err), TM_OK);
    TM_CHECK_STR(line.data, "head tail");
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

TM_TEST(stream_read_line_of_exactly_max_bytes_is_accepted_in_any_split)
{
    for (size_t chunk = 0; chunk < 9; chunk++) {
        struct tm_stream *s = raw_stream("12345\r\n123\n", 11, chunk);
        struct tm_buf line;
        struct tm_error err;
        tm_buf_init(&line, 0);
        TM_CHECK_INT(tm_stream_read_line(s, &line, 5, &err), TM_OK);
        TM_CHECK_STR(line.data, "12345");
        tm_buf_reset(&line);
        TM_CHECK_INT(tm_stream_read_line(s, &line, 3, &err), TM_OK);
        TM_CHECK_STR(line.data, "123");
        tm_buf_cleanup(&line);
        tm_stream_close(&s);
    }
}

TM_TEST(stream_read_line_longer_than_max_fails_without_consuming_the_rest)
{
    static const char *const longer[] = {"123456\r\n", "12345\rx\r\n", "1234567890\n"};
    for (size_t i = 0; i < 3; i++) {
        for (size_t chunk = 0; chunk < 4; chunk++) {
            size_t len = strlen(longer[i]);
            struct tm_stream *s = raw_stream(longer[i], len, chunk);
            struct tm_buf line;
            struct tm_error err;
            tm_buf_init(&line, 0);
            TM_CHECK_INT(tm_buf_append_str(&line, "kept"), TM_OK);
            TM_CHECK_INT(tm_stream_read_line(s, &line, 5, &err), TM_ELIMIT);
            TM_CHECK(strstr(err.message, "longer than 5 bytes") != NULL);
            TM_CHECK_STR(line.data, "kept");
            if (chunk == 0) /* all of it arrived in one read: none of it was consumed */
                TM_CHECK_INT(tm_stream_buffered(s), len);
            tm_buf_cleanup(&line);
            tm_stream_close(&s);
        }
    }
}

TM_TEST(stream_read_line_at_end_of_input_is_enet_and_keeps_the_buffer)
{
    struct tm_stream *s = raw_stream("partial", 7, 3);
    struct tm_buf line;
    struct tm_error err;
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_buf_append_str(&line, "x"), TM_OK);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_ENET);
    TM_CHECK(strstr(err.message, "connection closed") != NULL);
    TM_CHECK_STR(line.data, "x");
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_ENET);
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}

static char pattern(size_t i)
{
    return (char)('A' + (i * 7 + i / 251) % 61);
}

TM_TEST(stream_read_exact_across_buffer_boundaries)
{
    size_t body = 200000;
    char *data = malloc(body + 8);
    TM_CHECK(data != NULL);
    memcpy(data, "* {200}\r\n", 9);
    for (size_t i = 0; i < body - 9; i++)
        data[9 + i] = pattern(i);
    static const size_t chunks[] = {0, 1000, 65535, 70001};
    for (size_t c = 0; c < 4; c++) {
        struct tm_stream *s = raw_stream(data, body, chunks[c]);
        struct tm_buf line;
        struct tm_error err;
        char *got = malloc(body);
        tm_buf_init(&line, 0);
        TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
        TM_CHECK_STR(line.data, "* {200}");
        /* Three exact reads: inside the buffer, across its end, and the rest. */
        TM_CHECK_INT(tm_stream_read_exact(s, got, 10, &err), TM_OK);
        TM_CHECK_INT(tm_stream_read_exact(s, got + 10, 65536, &err), TM_OK);
        TM_CHECK_INT(tm_stream_read_exact(s, got + 65546, body - 9 - 65546, &err), TM_OK);
        for (size_t i = 0; i < body - 9; i++)
            if (got[i] != pattern(i))
                TM_CHECK_INT(i, -1);
        TM_CHECK_INT(tm_stream_read_exact(s, got, 1, &err), TM_ENET);
        free(got);
        tm_buf_cleanup(&line);
        tm_stream_close(&s);
    }
    free(data);
}

TM_TEST(stream_read_exact_of_one_mebibyte)
{
    size_t n = 1024 * 1024;
    char *data = malloc(n), *got = malloc(n);
    TM_CHECK(data && got);
    for (size_t i = 0; i < n; i++)
        data[i] = pattern(i);
    struct tm_stream *s = raw_stream(data, n, 0);
    struct tm_error err;
    TM_CHECK_INT(tm_stream_read_exact(s, got, n, &err), TM_OK);
    TM_CHECK(memcmp(data, got, n) == 0);
    TM_CHECK_INT(tm_stream_buffered(s), 0);
    tm_stream_close(&s);
    free(data);
    free(got);
}

TM_TEST(stream_read_exact_of_zero_bytes_reads_nothing)
{
    struct tm_stream *s = raw_stream("x\r\n", 3, 0);
    struct tm_error err;
    char c = 0;
    TM_CHECK_INT(tm_stream_read_exact(s, &c, 0, &err), TM_OK);
    TM_CHECK_INT(tm_stream_buffered(s), 0);
    TM_CHECK_INT(tm_stream_read_exact(s, &c, 1, &err), TM_OK);
    TM_CHECK_INT(c, 'x');
    TM_CHECK_INT(tm_stream_buffered(s), 2);
    tm_stream_close(&s);
}

TM_TEST(stream_close_accepts_null)
{
    struct tm_stream *s = NULL;
    tm_stream_close(&s);
    tm_stream_close(NULL);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    static char text[8192];
    size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
    text[n] = 0;
    if (f)
        fclose(f);
    return text;
}

TM_TEST(stream_trace_logs_lines_and_hides_secrets)
{
    char path[300];
    struct tm_stream *s = NULL;
    struct tm_error err;
    struct tm_buf line;
    snprintf(path, sizeof(path), "%s/trace.log", tm_test_tmpdir());
    tm_log_open(path, TM_LOG_DEBUG);
    TM_CHECK_INT(tm_stream_scripted_new("S: * OK ready\n"
                                        "C: a1 LOGIN user hunter2\n"
                                        "C: a2 NOOP\n"
                                        "S: a2 OK \x1b[31mred",
                                        &s, &err),
                 TM_OK);
    snprintf(s->trace, sizeof(s->trace), "imap");
    tm_buf_init(&line, 0);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_INT(tm_stream_write_secret(s, "a1 LOGIN user hunter2\r\n", 23, &err), TM_OK);
    TM_CHECK_INT(tm_stream_write(s, "a2 NOOP\r\n", 9, &err), TM_OK);
    TM_CHECK_INT(tm_stream_read_line(s, &line, 100, &err), TM_OK);
    TM_CHECK_INT(tm_stream_scripted_finish(s, &err), TM_OK);
    tm_log_close();
    const char *log = read_file(path);
    TM_CHECK(strstr(log, "imap< * OK ready\n") != NULL);
    TM_CHECK(strstr(log, "imap> <secret, 23 bytes>\n") != NULL);
    TM_CHECK(strstr(log, "imap> a2 NOOP\n") != NULL);
    TM_CHECK(strstr(log, "hunter2") == NULL);
    TM_CHECK(strchr(log, '\x1b') == NULL); /* a server cannot put escapes into the log */
    tm_buf_cleanup(&line);
    tm_stream_close(&s);
}
