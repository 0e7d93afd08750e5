/* test_imap_seqset.c - sequence sets: parsing and its errors, counting, iterating, and building
 * short sets from sorted UIDs. */
#include <stdlib.h>
#include <string.h>

#include "src/backend/imap/imap_proto.h"
#include "tm_test.h"

static enum tm_status parse(const char *s, uint32_t star, struct imap_seqset *set)
{
    return imap_seqset_parse(s, strlen(s), star, 100, set, NULL);
}

TM_TEST(imap_seqset_parses_ranges_star_and_reversed)
{
    struct imap_seqset set;
    TM_CHECK_INT(parse("1:5,7,9:*", 20, &set), TM_OK);
    TM_CHECK_INT(set.n, 3);
    TM_CHECK(set.ranges[0].lo == 1 && set.ranges[0].hi == 5);
    TM_CHECK(set.ranges[1].lo == 7 && set.ranges[1].hi == 7);
    TM_CHECK(set.ranges[2].lo == 9 && set.ranges[2].hi == 20);
    TM_CHECK_INT(imap_seqset_count(&set), 5 + 1 + 12);
    TM_CHECK(imap_seqset_contains(&set, 20) && !imap_seqset_contains(&set, 6));
    imap_seqset_cleanup(&set);
    TM_CHECK_INT(parse("*:4,4294967295", 2, &set), TM_OK);
    TM_CHECK(set.ranges[0].lo == 2 && set.ranges[0].hi == 4);
    TM_CHECK(set.ranges[1].lo == 4294967295u);
    imap_seqset_cleanup(&set);
    TM_CHECK_INT(parse("1:4294967295", 0, &set), TM_OK);
    TM_CHECK_INT(imap_seqset_count(&set), 4294967295u);
    imap_seqset_cleanup(&set);
}

TM_TEST(imap_seqset_rejects_malformed_sets)
{
    const char *bad[] = {
        "",           "1,,2", ",1",  "1,",    "0", "5:", ":5",  "1:0",
        "4294967296", "01",   "1 2", "1:2:3", "a", "*",  "1,*", "99999999999999999999"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct imap_seqset set;
        struct tm_error err;
        enum tm_status st = imap_seqset_parse(bad[i], strlen(bad[i]), 0, 100, &set, &err);
        if (st != TM_EPARSE || set.ranges || set.n)
            tm_test_fail(__FILE__, __LINE__, "\"%s\": %s", bad[i], tm_status_name(st));
        TM_CHECK(st == TM_EPARSE);
        TM_CHECK(strstr(err.message, "IMAP sequence set") != NULL);
    }
}

TM_TEST(imap_seqset_range_count_is_limited)
{
    struct imap_seqset set;
    struct tm_error err;
    TM_CHECK_INT(imap_seqset_parse("1,2,3,4", 7, 0, 3, &set, &err), TM_ELIMIT);
    TM_CHECK(set.ranges == NULL);
    TM_CHECK_INT(imap_seqset_parse("1,2,3", 5, 0, 3, &set, &err), TM_OK);
    imap_seqset_cleanup(&set);
}

TM_TEST(imap_seqset_iterates_every_number)
{
    struct imap_seqset set;
    struct imap_seqset_iter it;
    uint32_t v, got[16];
    size_t n = 0;
    TM_CHECK_INT(parse("3:5,1,4294967294:4294967295", 0, &set), TM_OK);
    imap_seqset_iter_init(&it, &set);
    while (n < 16 && imap_seqset_iter_next(&it, &v))
        got[n++] = v;
    TM_CHECK_INT(n, 6);
    TM_CHECK(got[0] == 3 && got[2] == 5 && got[3] == 1 && got[5] == 4294967295u);
    TM_CHECK(!imap_seqset_iter_next(&it, &v));
    imap_seqset_cleanup(&set);
    struct imap_seqset empty = {0};
    imap_seqset_iter_init(&it, &empty);
    TM_CHECK(!imap_seqset_iter_next(&it, &v));
}

TM_TEST(imap_seqset_format_compresses_runs_and_respects_length)
{
    const uint32_t uids[] = {0, 1, 2, 3, 3, 5, 7, 8, 9, 10, 4294967295u};
    size_t n = sizeof(uids) / sizeof(uids[0]);
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(imap_seqset_format(uids, n, 100, &b), n);
    TM_CHECK_STR(b.data, "1:3,5,7:10,4294967295");
    /* Chunks of at most 11 bytes each, together covering everything. */
    tm_buf_reset(&b);
    size_t i = 0, k;
    struct tm_buf all;
    tm_buf_init(&all, 0);
    while (i < n) {
        tm_buf_reset(&b);
        k = imap_seqset_format(uids + i, n - i, 11, &b);
        TM_CHECK(k > 0);
        TM_CHECK(b.len <= 11);
        tm_buf_appendf(&all, "[%s]", b.data);
        i += k;
    }
    TM_CHECK_STR(all.data, "[1:3,5,7:10][4294967295]");
    tm_buf_cleanup(&all);
    /* max_len counts what out already holds. */
    tm_buf_reset(&b);
    tm_buf_append_str(&b, "UID FETCH ");
    TM_CHECK_INT(imap_seqset_format(uids + 1, 4, 10, &b), 0);
    TM_CHECK_INT(imap_seqset_format(uids + 1, 4, 13, &b), 4);
    TM_CHECK_STR(b.data, "UID FETCH 1:3");
    /* A run that does not fit gives its first number. */
    tm_buf_reset(&b);
    tm_buf_append_str(&b, "UID FETCH ");
    TM_CHECK_INT(imap_seqset_format(uids + 1, 4, 12, &b), 1);
    TM_CHECK_STR(b.data, "UID FETCH 1");
    tm_buf_cleanup(&b);
}

TM_TEST(imap_seqset_format_always_progresses_with_11_bytes)
{
    const uint32_t uids[] = {4294967290u, 4294967290u, 4294967291u, 4294967292u, 4294967295u};
    struct tm_buf b;
    tm_buf_init(&b, 0);
    TM_CHECK_INT(imap_seqset_format(uids, 5, 11, &b), 2);
    TM_CHECK_STR(b.data, "4294967290");
    tm_buf_reset(&b);
    TM_CHECK_INT(imap_seqset_format(uids + 2, 3, 11, &b), 1);
    TM_CHECK_STR(b.data, "4294967291");
    tm_buf_reset(&b);
    TM_CHECK_INT(imap_seqset_format(uids + 2, 3, 10, &b), 1);
    TM_CHECK_INT(imap_seqset_format(uids + 3, 2, 10, &b), 0);
    TM_CHECK_INT(imap_seqset_format(uids + 2, 3, 9, &b), 0);
    tm_buf_cleanup(&b);
}

TM_TEST(imap_seqset_format_round_trips_through_parse)
{
    uint32_t uids[2000];
    size_t n = 0;
    for (uint32_t u = 1; n < 2000; u += (u % 7 == 0) ? 3 : 1)
        uids[n++] = u;
    struct tm_buf b;
    tm_buf_init(&b, 0);
    size_t i = 0;
    while (i < n) {
        tm_buf_reset(&b);
        size_t k = imap_seqset_format(uids + i, n - i, 50, &b);
        TM_CHECK(k > 0 && b.len <= 50);
        struct imap_seqset set;
        TM_CHECK_INT(imap_seqset_parse(b.data, b.len, 0, 1000, &set, NULL), TM_OK);
        struct imap_seqset_iter it;
        imap_seqset_iter_init(&it, &set);
        uint32_t v;
        for (size_t j = 0; j < k; j++) {
            TM_CHECK(imap_seqset_iter_next(&it, &v));
            TM_CHECK_INT(v, uids[i + j]);
        }
        TM_CHECK(!imap_seqset_iter_next(&it, &v));
        imap_seqset_cleanup(&set);
        i += k;
    }
    tm_buf_cleanup(&b);
}
