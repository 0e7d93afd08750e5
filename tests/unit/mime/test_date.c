/* test_date.c - RFC 5322 dates and the broken forms real mail carries, as exact UTC times. */
#include <string.h>

#include "src/mime/private.h"
#include "tm_test.h"

#define CHECK_DATE(s, want)                                                                        \
    do {                                                                                           \
        time_t t_ = 0;                                                                             \
        if (!tm_mime_parse_date(s, &t_) || (long long)t_ != (want)) {                              \
            tm_test_fail(__FILE__, __LINE__, "date(%s) = %lld, want %lld", s, (long long)t_,       \
                         (long long)(want));                                                       \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define CHECK_BAD_DATE(s)                                                                          \
    do {                                                                                           \
        time_t t_ = 0;                                                                             \
        const char *s_ = s;                                                                        \
        if (tm_mime_parse_date(s_, &t_)) {                                                         \
            tm_test_fail(__FILE__, __LINE__, "date(%s) accepted as %lld", s_ ? s_ : "(null)",      \
                         (long long)t_);                                                           \
            return;                                                                                \
        }                                                                                          \
    } while (0)

TM_TEST(date_rfc5322_normal)
{
    CHECK_DATE("Fri, 13 Feb 2009 23:31:30 +0000", 1234567890);
    CHECK_DATE("Tue, 1 Jul 2003 10:52:37 +0200", 1057049557);
    CHECK_DATE("Fri, 21 Nov 1997 09:55:06 -0600", 880127706);
    CHECK_DATE("Thu, 13 Feb 1969 23:32:54 -0330", -27723426);
}

TM_TEST(date_without_weekday)
{
    CHECK_DATE("13 Feb 2009 23:31:30 +0000", 1234567890);
}

TM_TEST(date_two_and_three_digit_years)
{
    CHECK_DATE("Fri, 13 Feb 09 23:31:30 +0000", 1234567890);
    CHECK_DATE("Fri, 31 Dec 49 23:59 +0000", 2524607940);
    CHECK_DATE("1 Jan 50 00:00:00 +0000", -631152000);
    CHECK_DATE("Fri, 13 Feb 109 23:31:30 +0000", 1234567890);
}

TM_TEST(date_obsolete_zone_names)
{
    CHECK_DATE("Fri, 5 Jan 2024 08:00:00 PDT", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 07:00:00 PST", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 10:00:00 EST", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 11:00:00 edt", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 09:00:00 CST", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 10:00:00 CDT", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 08:00:00 MST", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 09:00:00 MDT", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 15:00:00 GMT", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 15:00:00 UT", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 15:00:00 UTC", 1704466800);
}

TM_TEST(date_military_and_unknown_zones_are_utc)
{
    CHECK_DATE("Fri, 5 Jan 2024 15:00:00 Z", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 15:00:00 A", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 15:00:00 CEST", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 15:00:00", 1704466800);
    CHECK_DATE("Fri, 5 Jan 2024 15:00:00 +02", 1704466800);
}

TM_TEST(date_missing_seconds_extra_blanks_and_comments)
{
    CHECK_DATE("Tue, 1 Jul 2003 10:52 +0000", 1057056720);
    CHECK_DATE("  Tue ,  1   Jul  2003\t10:52:37   +0000  ", 1057056757);
    CHECK_DATE("Tue, 1 Jul 2003 10:52:37 +0000 (UTC)", 1057056757);
    CHECK_DATE("(c) Tue, (x (y)) 1 Jul 2003 10:52:37 +0000", 1057056757);
    CHECK_DATE("Tuesday, 1 July 2003 10:52:37 +0000", 1057056757);
    CHECK_DATE("Tue, 01-Jul-2003 10:52:37 +0000", 1057056757);
    CHECK_DATE("Fri, 5 Jan 2024 17:00:00 GMT+0200", 1704466800);
}

TM_TEST(date_trailing_junk_and_wrong_weekday_ignored)
{
    CHECK_DATE("Fri, 13 Feb 2009 23:31:30 +0000 garbage 12:00", 1234567890);
    CHECK_DATE("Mon, 13 Feb 2009 23:31:30 +0000", 1234567890);
}

TM_TEST(date_ctime_form)
{
    CHECK_DATE("Tue Jul  1 10:52:37 2003", 1057056757);
    CHECK_DATE("Tue Jul  1 12:52:37 +0200 2003", 1057056757);
}

TM_TEST(date_leap_day_and_leap_second)
{
    CHECK_DATE("Tue, 29 Feb 2000 12:00:00 +0000", 951825600);
    CHECK_DATE("Sat, 31 Dec 2016 23:59:60 +0000", 1483228800);
    CHECK_BAD_DATE("Thu, 29 Feb 1900 12:00:00 +0000");
    CHECK_BAD_DATE("Fri, 29 Feb 2019 12:00:00 +0000");
}

TM_TEST(date_out_of_range_fields_rejected)
{
    CHECK_BAD_DATE("Fri, 32 Jan 2024 10:00:00 +0000");
    CHECK_BAD_DATE("Fri, 0 Jan 2024 10:00:00 +0000");
    CHECK_BAD_DATE("Fri, 31 Apr 2024 10:00:00 +0000");
    CHECK_BAD_DATE("Fri, 5 Jan 2024 24:00:00 +0000");
    CHECK_BAD_DATE("Fri, 5 Jan 2024 10:60:00 +0000");
    CHECK_BAD_DATE("Fri, 5 Jan 2024 10:00:61 +0000");
    CHECK_BAD_DATE("Fri, 5 Jan 2024 10:00:00 +9900");
    CHECK_BAD_DATE("Fri, 5 Jan 2024 10:00:00 +2460");
    CHECK_BAD_DATE("Fri, 5 Jan 1899 10:00:00 +0000");
    CHECK_BAD_DATE("Fri, 5 Jan 20240 10:00:00 +0000");
}

TM_TEST(date_garbage_rejected)
{
    CHECK_BAD_DATE("");
    CHECK_BAD_DATE("yesterday");
    CHECK_BAD_DATE("Fri, 5 Foo 2024 10:00:00 +0000");
    CHECK_BAD_DATE("5 Jan");
    CHECK_BAD_DATE("5 Jan 2024");
    CHECK_BAD_DATE("5 Jan 2024 10");
    CHECK_BAD_DATE("5 Jan 2024 10:");
    CHECK_BAD_DATE("99999999999999999999 Jan 2024 10:00");
    CHECK_BAD_DATE("5 Jan 2024 10:00:99999999999999999999");
    CHECK_BAD_DATE("(unterminated");
    CHECK_BAD_DATE(NULL);
}
