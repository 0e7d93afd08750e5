/* test_imap_uids.c - VANISHED, SEARCH, ESEARCH, COPYUID and APPENDUID decoding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imap_test_util.h"
#include "tm_test.h"

/* "lo:hi,lo:hi" of a set, for comparisons. */
static const char *ranges(const struct imap_seqset *set)
{
    static char out[256];
    size_t o = 0;
    out[0] = 0;
    for (size_t i = 0; i < set->n && o < sizeof(out) - 24; i++)
        o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%u:%u", i ? "," : "", set->ranges[i].lo,
                              set->ranges[i].hi);
    return out;
}

TM_TEST(imap_vanished_earlier_and_plain)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_seqset set;
    bool earlier;
    TM_CHECK_INT(read_one("* VANISHED (EARLIER) 1:3,5\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_vanished_decode(&r, &earlier, &set, NULL), TM_OK);
    TM_CHECK(earlier);
    TM_CHECK_STR(ranges(&set), "1:3,5:5");
    imap_seqset_cleanup(&set);
    TM_CHECK_INT(read_one("* VANISHED 405\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_vanished_decode(&r, &earlier, &set, NULL), TM_OK);
    TM_CHECK(!earlier);
    TM_CHECK_STR(ranges(&set), "405:405");
    imap_seqset_cleanup(&set);
    const char *bad[] = {"* VANISHED (LATER) 1\r\n", "* VANISHED 1:*\r\n", "* VANISHED\r\n",
                         "* VANISHED 1 2\r\n",       "* VANISHED 0\r\n",   "* EXPUNGE 1\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TM_CHECK_INT(read_one(bad[i], &p, &r, NULL), TM_OK);
        TM_CHECK_INT(imap_vanished_decode(&r, &earlier, &set, NULL), TM_EPARSE);
        TM_CHECK(set.ranges == NULL && set.n == 0);
    }
    imap_parser_free(&p);
}

TM_TEST(imap_search_into_ids_and_set)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_search_result ids;
    struct imap_seqset set;
    TM_CHECK_INT(read_one("* SEARCH 2 3 4 9 7 8 (MODSEQ 917162500)\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_search_ids_decode(&r, &ids, NULL), TM_OK);
    TM_CHECK_INT(ids.n, 6);
    TM_CHECK(ids.ids[0] == 2 && ids.ids[3] == 9 && ids.ids[5] == 8);
    TM_CHECK(ids.has_modseq && ids.modseq == 917162500);
    imap_search_result_cleanup(&ids);
    TM_CHECK_INT(imap_search_decode(&r, &set, NULL), TM_OK);
    TM_CHECK_STR(ranges(&set), "2:4,9:9,7:8");
    TM_CHECK_INT(imap_seqset_count(&set), 6);
    imap_seqset_cleanup(&set);
    TM_CHECK_INT(read_one("* SEARCH\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_search_decode(&r, &set, NULL), TM_OK);
    TM_CHECK_INT(set.n, 0);
    TM_CHECK_INT(read_one("* SEARCH 1 0\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_search_decode(&r, &set, NULL), TM_EPARSE);
    TM_CHECK_INT(read_one("* SEARCH 4294967296\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_search_ids_decode(&r, &ids, NULL), TM_EPARSE);
    TM_CHECK(ids.ids == NULL);
    TM_CHECK_INT(read_one("* 3 FETCH (FLAGS ())\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_search_decode(&r, &set, NULL), TM_EPARSE);
    imap_parser_free(&p);
}

TM_TEST(imap_esearch_return_data)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_esearch e;
    struct imap_seqset set;
    TM_CHECK_INT(read_one("* ESEARCH (TAG \"a5\") UID MIN 2 MAX 9 COUNT 5 ALL 2:4,9 MODSEQ 77 "
                          "PARTIAL (1:10 2:3)\r\n",
                          &p, &r, NULL),
                 TM_OK);
    TM_CHECK_INT(imap_esearch_decode(&r, &e, NULL), TM_OK);
    TM_CHECK_STR(e.tag, "a5");
    TM_CHECK(e.uid && e.has_min && e.min == 2 && e.has_max && e.max == 9);
    TM_CHECK(e.has_count && e.count == 5 && e.has_modseq && e.modseq == 77 && e.has_all);
    TM_CHECK_STR(ranges(&e.all), "2:4,9:9");
    imap_esearch_cleanup(&e);
    TM_CHECK_INT(imap_search_decode(&r, &set, NULL), TM_OK);
    TM_CHECK_STR(ranges(&set), "2:4,9:9");
    imap_seqset_cleanup(&set);
    TM_CHECK_INT(read_one("* ESEARCH (TAG \"a6\") UID COUNT 0\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_esearch_decode(&r, &e, NULL), TM_OK);
    TM_CHECK(e.has_count && e.count == 0 && !e.has_all && e.all.n == 0);
    TM_CHECK_INT(imap_search_decode(&r, &set, NULL), TM_OK);
    TM_CHECK_INT(set.n, 0);
    TM_CHECK_INT(read_one("* ESEARCH\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_esearch_decode(&r, &e, NULL), TM_OK);
    TM_CHECK(e.tag == NULL && !e.uid);
    const char *bad[] = {"* ESEARCH UID COUNT\r\n", "* ESEARCH (TAG) UID\r\n",
                         "* ESEARCH ALL 1:*\r\n", "* ESEARCH MIN 0\r\n",
                         "* ESEARCH ALL 1,2 ALL 1,,2\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TM_CHECK_INT(read_one(bad[i], &p, &r, NULL), TM_OK);
        TM_CHECK_INT(imap_esearch_decode(&r, &e, NULL), TM_EPARSE);
        TM_CHECK(e.all.ranges == NULL);
    }
    imap_parser_free(&p);
}

TM_TEST(imap_copyuid_in_tagged_and_untagged_ok)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    struct imap_seqset src, dst;
    uint32_t uidvalidity = 0;
    TM_CHECK_INT(read_one("a3 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n", &p, &r, NULL),
                 TM_OK);
    TM_CHECK_INT(imap_copyuid_decode(&r, &uidvalidity, &src, &dst, NULL), TM_OK);
    TM_CHECK_INT(uidvalidity, 38505);
    TM_CHECK_STR(ranges(&src), "304:304,319:320");
    TM_CHECK_STR(ranges(&dst), "3956:3958");
    imap_seqset_cleanup(&src);
    imap_seqset_cleanup(&dst);
    TM_CHECK_INT(read_one("* OK [COPYUID 1 5 9] Moved\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_copyuid_decode(&r, &uidvalidity, &src, &dst, NULL), TM_OK);
    TM_CHECK_STR(ranges(&dst), "9:9");
    imap_seqset_cleanup(&src);
    imap_seqset_cleanup(&dst);
    struct tm_error err;
    TM_CHECK_INT(read_one("a3 OK [COPYUID 1 1:3 7:8] Done\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_copyuid_decode(&r, &uidvalidity, &src, &dst, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "differ in size") != NULL);
    TM_CHECK(src.ranges == NULL && dst.ranges == NULL);
    TM_CHECK_INT(read_one("a3 OK Done\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_copyuid_decode(&r, &uidvalidity, &src, &dst, NULL), TM_ENOENT);
    const char *bad[] = {"a OK [COPYUID 0 1 2] x\r\n", "a OK [COPYUID 1 1] x\r\n",
                         "a OK [COPYUID 1 1:* 2] x\r\n", "a OK [COPYUID 1 1 (2)] x\r\n"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        TM_CHECK_INT(read_one(bad[i], &p, &r, NULL), TM_OK);
        TM_CHECK_INT(imap_copyuid_decode(&r, &uidvalidity, &src, &dst, NULL), TM_EPARSE);
        TM_CHECK(src.ranges == NULL && dst.ranges == NULL);
    }
    imap_parser_free(&p);
}

TM_TEST(imap_appenduid_single_and_multiappend)
{
    struct imap_parser *p = NULL;
    struct imap_response r;
    uint32_t uidvalidity = 0, uid = 0;
    TM_CHECK_INT(read_one("a4 OK [APPENDUID 38505 3955] APPEND completed\r\n", &p, &r, NULL),
                 TM_OK);
    TM_CHECK_INT(imap_appenduid_decode(&r, &uidvalidity, &uid, NULL), TM_OK);
    TM_CHECK(uidvalidity == 38505 && uid == 3955);
    TM_CHECK_INT(read_one("a4 OK [APPENDUID 38505 3955:3956] APPEND completed\r\n", &p, &r, NULL),
                 TM_OK);
    TM_CHECK_INT(imap_appenduid_decode(&r, &uidvalidity, &uid, NULL), TM_EPARSE);
    TM_CHECK_INT(read_one("a4 OK [APPENDUID 38505 0] x\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_appenduid_decode(&r, &uidvalidity, &uid, NULL), TM_EPARSE);
    TM_CHECK_INT(read_one("a4 OK [READ-WRITE] x\r\n", &p, &r, NULL), TM_OK);
    TM_CHECK_INT(imap_appenduid_decode(&r, &uidvalidity, &uid, NULL), TM_ENOENT);
    imap_parser_free(&p);
}
