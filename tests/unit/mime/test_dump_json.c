/* test_dump_json.c - the exact JSON of tm_mime_dump_json (`tmail --dump-mime`) for a few
 * messages: headers, address lists, escaping, and the parts list. */
#include <stdlib.h>
#include <string.h>

#include "src/mime/private.h"
#include "tm_test.h"

#define SHA_EMPTY "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static int check_json(const char *msg, const char *want, int line)
{
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 0);
    enum tm_status st = tm_mime_dump_json(msg, strlen(msg), &out, &err);
    const char *got = out.data ? out.data : "";
    int ok = st == TM_OK && strcmp(got, want) == 0;
    if (!ok)
        tm_test_fail(__FILE__, line, "dump gave %s:\n%s\nwant:\n%s", tm_status_name(st), got, want);
    tm_buf_cleanup(&out);
    return ok;
}

#define CHECK_JSON(msg, want)                                                                      \
    do {                                                                                           \
        if (!check_json(msg, want, __LINE__))                                                      \
            return;                                                                                \
    } while (0)

#define NO_HEADERS                                                                                 \
    "{\"headers\":{\"subject\":null,\"from\":null,\"to\":null,\"cc\":null,\"message_id\":null,"    \
    "\"date\":null},"

TM_TEST(dump_json_bare_body_has_null_headers)
{
    CHECK_JSON("\nbody\n",
               NO_HEADERS "\"parts\":[{\"path\":\"\",\"content_type\":\"text/plain\",\"charset\":"
                          "null,\"filename\":null,\"disposition\":null,\"cte\":null,\"leaf\":true,"
                          "\"size\":5,\"sha256\":"
                          "\"9e2ec912af5dff2a72300863864fc4da04e81999339d9fac5c7590ba8a3f4e11\"}]}"
                          "\n");
    CHECK_JSON("", NO_HEADERS "\"parts\":[{\"path\":\"\",\"content_type\":\"text/plain\","
                              "\"charset\":null,\"filename\":null,\"disposition\":null,\"cte\":"
                              "null,\"leaf\":true,\"size\":0,\"sha256\":\"" SHA_EMPTY "\"}]}\n");
}

TM_TEST(dump_json_headers_addresses_and_ids_as_written)
{
    CHECK_JSON("Subject: =?UTF-8?Q?h=C3=A9llo?=\n  world\n"
               "From: \"Doe, J.\" <j@example.org>\n"
               "To: undisclosed-recipients:;, Team: a@x.org, B <b@x.org>;, c@x.org\n"
               "Cc: \n"
               "Message-ID:   <abc@host> (comment)\n"
               "Date: Mon, 23 Nov 2026\n 10:00:00 +0000\n"
               "Subject: second is ignored\n\n",
               "{\"headers\":{\"subject\":\"h\xc3\xa9llo world\",\"from\":[[\"Doe, J.\","
               "\"j@example.org\"]],\"to\":[[null,\"a@x.org\"],[\"B\",\"b@x.org\"],[null,"
               "\"c@x.org\"]],\"cc\":[],\"message_id\":\"<abc@host> (comment)\",\"date\":"
               "\"Mon, 23 Nov 2026 10:00:00 +0000\"},\"parts\":[{\"path\":\"\",\"content_type\":"
               "\"text/plain\",\"charset\":null,\"filename\":null,\"disposition\":null,\"cte\":"
               "null,\"leaf\":true,\"size\":0,\"sha256\":\"" SHA_EMPTY "\"}]}\n");
}

TM_TEST(dump_json_escapes_controls_and_replaces_invalid_utf8)
{
    /* A raw Latin-1 byte becomes U+FFFD; quotes, backslashes and controls are escaped. */
    CHECK_JSON(
        "Subject: caf\xe9 \"q\" \\ \x01 tab\there\nMessage-ID: <\xff@x>\n\n",
        "{\"headers\":{\"subject\":\"caf\xef\xbf\xbd \\\"q\\\" \\\\ \\u0001 tab\\u0009here\","
        "\"from\":null,\"to\":null,\"cc\":null,\"message_id\":\"<\xef\xbf\xbd@x>\","
        "\"date\":null},\"parts\":[{\"path\":\"\",\"content_type\":\"text/plain\","
        "\"charset\":null,\"filename\":null,\"disposition\":null,\"cte\":null,\"leaf\":"
        "true,\"size\":0,\"sha256\":\"" SHA_EMPTY "\"}]}\n");
}

TM_TEST(dump_json_multipart_parts_list)
{
    CHECK_JSON("Content-Type: multipart/mixed; boundary=b\n\n--b\n"
               "Content-Type: text/plain; charset=US-ASCII\n"
               "Content-Transfer-Encoding: BASE64\n\naGk=\n"
               "--b\nContent-Type: message/rfc822\n\n\nx\n"
               "--b\nContent-Type: image/gif; name=\"\"\n"
               "Content-Disposition: inline; filename=\"p\\\"ic.gif\"\n\nGIF\n--b--\n",
               NO_HEADERS
               "\"parts\":[{\"path\":\"\",\"content_type\":\"multipart/mixed\",\"charset\":null,"
               "\"filename\":null,\"disposition\":null,\"cte\":null,\"leaf\":false,\"size\":null,"
               "\"sha256\":null},"
               "{\"path\":\"1\",\"content_type\":\"text/plain\",\"charset\":\"us-ascii\","
               "\"filename\":null,\"disposition\":null,\"cte\":\"base64\",\"leaf\":true,\"size\":2,"
               "\"sha256\":\"8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4\"},"
               "{\"path\":\"2\",\"content_type\":\"message/rfc822\",\"charset\":null,\"filename\":"
               "null,\"disposition\":null,\"cte\":null,\"leaf\":false,\"size\":null,\"sha256\":"
               "null},"
               "{\"path\":\"2.1\",\"content_type\":\"text/plain\",\"charset\":null,\"filename\":"
               "null,\"disposition\":null,\"cte\":null,\"leaf\":true,\"size\":1,\"sha256\":"
               "\"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\"},"
               "{\"path\":\"3\",\"content_type\":\"image/gif\",\"charset\":null,\"filename\":"
               "\"p\\\"ic.gif\",\"disposition\":\"inline\",\"cte\":null,\"leaf\":true,\"size\":3,"
               "\"sha256\":\"76c664ef152e065922fed4727315d065b8fb1aed61015cdaef7bcfea3c58d5ab\"}]}"
               "\n");
}

TM_TEST(dump_json_output_cap_reports_limit)
{
    struct tm_buf out;
    struct tm_error err;
    tm_buf_init(&out, 40);
    TM_CHECK_INT(tm_mime_dump_json("Subject: x\n\nbody\n", 17, &out, &err), TM_ELIMIT);
    TM_CHECK_INT(err.status, TM_ELIMIT);
    tm_buf_cleanup(&out);
}

TM_TEST(dump_json_raw_8bit_filename_becomes_replacement_character)
{
    /* The screen reads this name as windows-1252 ("café.bin"); the JSON spec wants U+FFFD. */
    const char *msg = "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
                      "Content-Type: application/octet-stream\n"
                      "Content-Disposition: attachment; filename=\"caf\xe9.bin\"\n\nx\n--b--\n";
    struct tm_buf out;
    struct tm_mime_tree *tree = NULL;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_mime_dump_json(msg, strlen(msg), &out, NULL), TM_OK);
    TM_CHECK(strstr(out.data, "\"filename\":\"caf\xEF\xBF\xBD.bin\"") != NULL);
    TM_CHECK_INT(tm_mime_parse(msg, strlen(msg), &tree, NULL), TM_OK);
    TM_CHECK_STR(tm_mime_tree_find(tree, "1")->filename, "caf\xC3\xA9.bin");
    tm_mime_tree_free(&tree);
    tm_buf_cleanup(&out);
}
