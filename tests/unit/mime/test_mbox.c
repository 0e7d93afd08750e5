/* test_mbox.c - splitting mbox files (mboxo, mboxrd, Content-Length, unquoted From in bodies)
 * and undoing >From quoting, on hand-made input and on MimeKit's mbox test files. */
#include <stdio.h>
#include <stdlib.h>

#include "tm_test.h"
#include "tmail/fsutil.h"
#include "tmail/mime.h"

#define MAX_MSGS 64

struct split {
    size_t n;
    struct tm_mbox_entry e[MAX_MSGS];
};

static void split_buf(const char *data, size_t len, struct split *out)
{
    size_t pos = 0;
    out->n = 0;
    while (out->n < MAX_MSGS && tm_mbox_next(data, len, &pos, &out->e[out->n]))
        out->n++;
}

/* The n-th message of s as a NUL-terminated copy (static storage). */
static const char *msg_text(const char *data, const struct split *s, size_t i)
{
    static char buf[4096];
    size_t len = s->e[i].end - s->e[i].start;
    if (len >= sizeof(buf))
        len = sizeof(buf) - 1;
    memcpy(buf, data + s->e[i].start, len);
    buf[len] = 0;
    return buf;
}

TM_TEST(mbox_splits_on_from_lines_after_blank_lines)
{
    const char *m = "From a@b Thu Nov  5 10:00:00 2026\nSubject: one\n\nbody one\n\n"
                    "From c@d Thu Nov  5 11:00:00 2026\nSubject: two\n\nbody two\n";
    struct split s;
    split_buf(m, strlen(m), &s);
    TM_CHECK_INT(s.n, 2);
    TM_CHECK_STR(msg_text(m, &s, 0), "Subject: one\n\nbody one\n");
    TM_CHECK_STR(msg_text(m, &s, 1), "Subject: two\n\nbody two\n");
}

TM_TEST(mbox_unquoted_from_in_body_is_not_a_separator)
{
    /* Not after a blank line; after a blank line but not followed by a header; and a "From "
     * line whose rest is words, not a date. */
    const char *m = "From a@b Thu Nov  5 10:00:00 2026\nSubject: one\n\nline\nFrom here on\n\n"
                    "From Russia with love\n\nFrom Russia with love\nYear: 1963\n";
    struct split s;
    split_buf(m, strlen(m), &s);
    TM_CHECK_INT(s.n, 1);
    TM_CHECK(strstr(msg_text(m, &s, 0), "Year: 1963") != NULL);
}

TM_TEST(mbox_content_length_wins_over_from_in_body)
{
    const char *m = "From a@b Thu Nov  5 10:00:00 2026\nContent-Length: 34\n\n"
                    "text\n\nFrom x@y 12:00\nFake: header\n\n"
                    "From c@d Thu Nov  5 11:00:00 2026\nSubject: two\n\nbody\n";
    struct split s;
    split_buf(m, strlen(m), &s);
    TM_CHECK_INT(s.n, 2);
    TM_CHECK(strstr(msg_text(m, &s, 0), "Fake: header") != NULL);
    TM_CHECK_STR(msg_text(m, &s, 1), "Subject: two\n\nbody\n");
}

TM_TEST(mbox_bogus_content_length_is_ignored)
{
    const char *m = "From a@b 2026\nContent-Length: 3\n\nlonger body\n\n"
                    "From c@d 2026\nSubject: two\n\nx\n";
    struct split s;
    split_buf(m, strlen(m), &s);
    TM_CHECK_INT(s.n, 2);
    TM_CHECK(strstr(msg_text(m, &s, 0), "longer body\n") != NULL);
}

TM_TEST(mbox_crlf_and_bom)
{
    const char *m = "\xEF\xBB\xBF"
                    "From a@b 2026\r\nSubject: one\r\n\r\nx\r\n\r\n"
                    "From c@d 2026\r\nSubject: two\r\n\r\ny\r\n";
    struct split s;
    split_buf(m, strlen(m), &s);
    TM_CHECK_INT(s.n, 2);
    TM_CHECK_STR(msg_text(m, &s, 0), "Subject: one\r\n\r\nx\r\n");
}

TM_TEST(mbox_garbage_before_first_from_is_skipped)
{
    const char *m = "junk\n\nFrom a@b 2026\nSubject: one\n\nx\n";
    struct split s;
    split_buf(m, strlen(m), &s);
    TM_CHECK_INT(s.n, 1);
    TM_CHECK_STR(msg_text(m, &s, 0), "Subject: one\n\nx\n");
    split_buf("", 0, &s);
    TM_CHECK_INT(s.n, 0);
    split_buf("no mbox at all\n", 15, &s);
    TM_CHECK_INT(s.n, 0);
}

TM_TEST(mbox_unquote_removes_one_level)
{
    const char *in = "a\n>From x\n>>From y\n> From z\n>Fromage\nFrom w";
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_mbox_unquote(in, strlen(in), &out), TM_OK);
    TM_CHECK_STR(out.data, "a\nFrom x\n>From y\n> From z\n>Fromage\nFrom w");
    tm_buf_cleanup(&out);
}

static size_t count_file(const char *name, char *subject_of_last, size_t size)
{
    char path[1024];
    struct tm_buf data;
    struct split s;
    snprintf(path, sizeof(path), "%s/tests/data/mbox/%s", TM_TEST_SRCDIR, name);
    tm_buf_init(&data, 0);
    if (tm_fs_read_file(path, 8 << 20, 0, &data, NULL) != TM_OK)
        return (size_t)-1;
    split_buf(data.data, data.len, &s);
    if (s.n && subject_of_last) {
        const struct tm_mbox_entry *e = &s.e[s.n - 1];
        char *subj = tm_mime_header_get(data.data + e->start, e->end - e->start, "Subject");
        snprintf(subject_of_last, size, "%s", subj ? subj : "");
        free(subj);
    }
    tm_buf_cleanup(&data);
    return s.n;
}

TM_TEST(mbox_mimekit_files_split_as_expected)
{
    char subject[256];
    TM_CHECK_INT(count_file("simple.mbox.txt", NULL, 0), 3);
    TM_CHECK_INT(count_file("unmunged.mbox.txt", subject, sizeof(subject)), 2);
    TM_CHECK_STR(subject, "Another test message with an unmunged From line");
    TM_CHECK_INT(count_file("issue1189.mbox.txt", NULL, 0), 4);
    /* 29 From_ lines at line starts, two more ">From -" lines quoted inside bodies. */
    TM_CHECK_INT(count_file("content-length.mbox.txt", NULL, 0), 29);
}
