/* test_flowed.c - format=flowed decoding (RFC 3676), byte by byte. */
#include "tm_test.h"
#include "tmail/mime.h"

static const char *flow(const char *in, bool delsp)
{
    static struct tm_buf out;
    tm_buf_cleanup(&out);
    tm_buf_init(&out, 1 << 20);
    if (tm_mime_flowed_decode(in, strlen(in), delsp, &out) != TM_OK)
        return NULL;
    return out.data ? out.data : "";
}

TM_TEST(flowed_soft_breaks_join_paragraph)
{
    TM_CHECK_STR(flow("This is a \nflowed para\ngraph.\nNext.\n", false),
                 "This is a flowed para\ngraph.\nNext.\n");
}

TM_TEST(flowed_delsp_removes_the_soft_space)
{
    TM_CHECK_STR(flow("Lang \nwort\n", true), "Langwort\n");
    TM_CHECK_STR(flow("Lang \nwort\n", false), "Lang wort\n");
}

TM_TEST(flowed_quote_depth_kept_and_normalised)
{
    TM_CHECK_STR(flow(">> quoted \n>> text\n> one\nplain\n", false),
                 ">> quoted text\n> one\nplain\n");
}

TM_TEST(flowed_depth_change_ends_paragraph)
{
    /* A soft line followed by a line of another depth is not joined (RFC 3676 4.5). */
    TM_CHECK_STR(flow("> soft \nunquoted\n", false), "> soft \nunquoted\n");
}

TM_TEST(flowed_space_stuffing_removed)
{
    TM_CHECK_STR(flow("  indented\n From here\n", false), " indented\nFrom here\n");
}

TM_TEST(flowed_signature_separator_not_joined)
{
    TM_CHECK_STR(flow("Bye \n-- \nAlice\n", false), "Bye \n-- \nAlice\n");
    TM_CHECK_STR(flow("Bye\n-- \nAlice\n", false), "Bye\n-- \nAlice\n");
}

TM_TEST(flowed_crlf_and_missing_final_newline)
{
    TM_CHECK_STR(flow("a \r\nb\r\nc ", false), "a b\nc \n");
}

TM_TEST(flowed_empty_input)
{
    TM_CHECK_STR(flow("", false), "");
}

TM_TEST(flowed_render_rejoins_flowed_text_plain_only)
{
    const char *flowed = "Content-Type: text/plain; charset=utf-8; format=flowed; delsp=yes\n\n"
                         "Ein lang \ner Satz \nhier.\n> Zi \n> tat\n";
    const char *fixed = "Content-Type: text/plain; charset=utf-8\n\nsoft \nbreak\n";
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_mime_render_text(flowed, strlen(flowed), &out, NULL), TM_OK);
    TM_CHECK(strstr(out.data, "Ein langer Satzhier.\n> Zitat\n") != NULL);
    tm_buf_reset(&out);
    TM_CHECK_INT(tm_mime_render_text(fixed, strlen(fixed), &out, NULL), TM_OK);
    TM_CHECK(strstr(out.data, "soft \nbreak\n") != NULL);
    tm_buf_cleanup(&out);
}
