/* test_buf.c - size-capped growable buffers: growth, the limit, formatted appends, steal. */
#include <stdlib.h>
#include <string.h>

#include "tm_test.h"
#include "tmail/buf.h"

TM_TEST(buf_starts_empty_and_zero_limit_means_default)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK(b.data == NULL);
    TM_CHECK_INT(b.len, 0);
    TM_CHECK_INT(b.limit, TM_BUF_DEFAULT_LIMIT);
    tm_buf_cleanup(&b);
}

TM_TEST(buf_grows_and_keeps_contents_nul_terminated)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    char expect[10001];
    for (int i = 0; i < 10000; i++) {
        expect[i] = (char)('a' + i % 26);
        TM_CHECK_INT(tm_buf_append_char(&b, expect[i]), TM_OK);
        TM_CHECK_INT(b.len, i + 1);
        TM_CHECK(b.cap > b.len);
        TM_CHECK_INT(b.data[b.len], 0);
    }
    expect[10000] = 0;
    TM_CHECK_STR(b.data, expect);
    tm_buf_cleanup(&b);
    TM_CHECK(b.data == NULL);
    TM_CHECK_INT(b.len, 0);
}

TM_TEST(buf_append_binary_with_embedded_nul)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(tm_buf_append(&b, "a\0b", 3), TM_OK);
    TM_CHECK_INT(b.len, 3);
    TM_CHECK(memcmp(b.data, "a\0b", 4) == 0);
    TM_CHECK_INT(tm_buf_append(&b, NULL, 0), TM_OK);
    TM_CHECK_INT(b.len, 3);
    tm_buf_cleanup(&b);
}

TM_TEST(buf_empty_append_allocates_empty_string)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(tm_buf_append_str(&b, ""), TM_OK);
    TM_CHECK_STR(b.data, "");
    tm_buf_cleanup(&b);
}

TM_TEST(buf_limit_is_enforced_and_failed_append_changes_nothing)
{
    struct tm_buf b;
    tm_buf_init(&b, 8);
    TM_CHECK_INT(tm_buf_append_str(&b, "12345"), TM_OK);
    TM_CHECK_INT(tm_buf_append_str(&b, "6789"), TM_ELIMIT);
    TM_CHECK_INT(b.len, 5);
    TM_CHECK_STR(b.data, "12345");
    TM_CHECK_INT(tm_buf_append_str(&b, "678"), TM_OK); /* exactly the limit is fine */
    TM_CHECK_STR(b.data, "12345678");
    TM_CHECK_INT(tm_buf_append_char(&b, 'x'), TM_ELIMIT);
    TM_CHECK_INT(tm_buf_appendf(&b, "%d", 1), TM_ELIMIT);
    TM_CHECK_INT(tm_buf_append(&b, "", 0), TM_OK);
    TM_CHECK_INT(b.len, 8);
    tm_buf_cleanup(&b);
}

TM_TEST(buf_reserve_rejects_huge_sizes_without_overflow)
{
    struct tm_buf b;
    tm_buf_init(&b, 16);
    TM_CHECK_INT(tm_buf_append_str(&b, "abc"), TM_OK);
    TM_CHECK_INT(tm_buf_reserve(&b, (size_t)-1), TM_ELIMIT);
    TM_CHECK_INT(tm_buf_reserve(&b, (size_t)-1 - 1), TM_ELIMIT);
    TM_CHECK_INT(tm_buf_reserve(&b, 14), TM_ELIMIT);
    TM_CHECK_INT(tm_buf_reserve(&b, 13), TM_OK);
    TM_CHECK(b.cap >= 17);
    TM_CHECK_STR(b.data, "abc");
    tm_buf_cleanup(&b);
}

TM_TEST(buf_reset_keeps_allocation)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(tm_buf_append_str(&b, "hello"), TM_OK);
    char *before = b.data;
    tm_buf_reset(&b);
    TM_CHECK_INT(b.len, 0);
    TM_CHECK_STR(b.data, "");
    TM_CHECK(b.data == before);
    TM_CHECK_INT(tm_buf_append_str(&b, "x"), TM_OK);
    TM_CHECK_STR(b.data, "x");
    tm_buf_cleanup(&b);
}

TM_TEST(buf_appendf_formats_and_appends)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(tm_buf_append_str(&b, "n="), TM_OK);
    TM_CHECK_INT(tm_buf_appendf(&b, "%d, s=%s, %05.1f", -42, "str", 3.14159), TM_OK);
    TM_CHECK_STR(b.data, "n=-42, s=str, 003.1");
    TM_CHECK_INT(b.len, strlen("n=-42, s=str, 003.1"));
    TM_CHECK_INT(tm_buf_appendf(&b, "%s", ""), TM_OK);
    TM_CHECK_INT(b.len, strlen("n=-42, s=str, 003.1"));
    tm_buf_cleanup(&b);
}

TM_TEST(buf_appendf_long_output_grows)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    char big[3000];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    TM_CHECK_INT(tm_buf_appendf(&b, "<%s>", big), TM_OK);
    TM_CHECK_INT(b.len, sizeof(big) + 1);
    TM_CHECK_INT(b.data[0], '<');
    TM_CHECK_INT(b.data[b.len - 1], '>');
    TM_CHECK_INT(b.data[b.len], 0);
    tm_buf_cleanup(&b);
}

TM_TEST(buf_appendf_exactly_at_limit)
{
    struct tm_buf b;
    tm_buf_init(&b, 4);
    TM_CHECK_INT(tm_buf_appendf(&b, "%s", "abcde"), TM_ELIMIT);
    TM_CHECK_INT(b.len, 0);
    TM_CHECK_INT(tm_buf_appendf(&b, "%d", 1234), TM_OK);
    TM_CHECK_STR(b.data, "1234");
    tm_buf_cleanup(&b);
}

TM_TEST(buf_steal_hands_over_and_empties)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(tm_buf_append_str(&b, "owned"), TM_OK);
    char *s = tm_buf_steal(&b);
    TM_CHECK(s != NULL);
    TM_CHECK(b.data == NULL);
    TM_CHECK_INT(b.len, 0);
    TM_CHECK_INT(b.cap, 0);
    TM_CHECK_STR(s, "owned");
    free(s);
    /* The buffer is reusable after a steal. */
    TM_CHECK_INT(tm_buf_append_str(&b, "again"), TM_OK);
    TM_CHECK_STR(b.data, "again");
    tm_buf_cleanup(&b);
}

TM_TEST(buf_steal_of_never_used_buffer_is_empty_string)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    char *s = tm_buf_steal(&b);
    TM_CHECK(s != NULL);
    TM_CHECK_STR(s, "");
    free(s);
    tm_buf_cleanup(&b);
}

TM_TEST(buf_cleanup_twice_is_safe)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(tm_buf_append_str(&b, "x"), TM_OK);
    tm_buf_cleanup(&b);
    tm_buf_cleanup(&b);
    TM_CHECK(b.data == NULL);
}

TM_TEST(buf_reserve_keeps_an_empty_buffer_a_c_string)
{
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(tm_buf_reserve(&b, 4096), TM_OK);
    TM_CHECK(b.data != NULL);
    TM_CHECK_INT(strlen(b.data), 0);
    tm_buf_cleanup(&b);
}
