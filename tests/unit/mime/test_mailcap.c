/* test_mailcap.c - mailcap parsing, look-up order and command expansion (RFC 1524). */
#include "tm_test.h"
#include "tmail/mailcap.h"

static const char *const SAMPLE =
    "# comment line\n"
    "\n"
    "text/html; w3m -dump -T text/html '%s'; copiousoutput; nametemplate=%s.html\n"
    "text/html; firefox %s; test=test -n \"$DISPLAY\"\n"
    "image/*; feh %s; \\\n"
    "  description=Image viewer\n"
    "application/pdf; zathura %s\\; echo done; needsterminal\n"
    "broken line without semicolon\n"
    "text; cat; copiousoutput\n";

static struct tm_mailcap parse_sample(int *bad)
{
    struct tm_mailcap mc = {0};
    tm_mailcap_parse(&mc, SAMPLE, strlen(SAMPLE), bad);
    return mc;
}

TM_TEST(mailcap_parses_fields_flags_and_continuations)
{
    int bad = -1;
    struct tm_mailcap mc = parse_sample(&bad);
    TM_CHECK_INT(mc.n, 5);
    TM_CHECK_INT(bad, 1);
    TM_CHECK_STR(mc.entries[0].type, "text/html");
    TM_CHECK_STR(mc.entries[0].view, "w3m -dump -T text/html '%s'");
    TM_CHECK_INT(mc.entries[0].flags, TM_MAILCAP_COPIOUSOUTPUT);
    TM_CHECK_STR(mc.entries[0].nametemplate, "%s.html");
    TM_CHECK_INT(mc.entries[0].line, 3);
    TM_CHECK_STR(mc.entries[1].test, "test -n \"$DISPLAY\"");
    TM_CHECK_STR(mc.entries[2].type, "image/*");
    TM_CHECK_STR(mc.entries[2].description, "Image viewer");
    TM_CHECK_INT(mc.entries[2].line, 5);
    TM_CHECK_STR(mc.entries[3].view, "zathura %s; echo done");
    TM_CHECK_INT(mc.entries[3].flags, TM_MAILCAP_NEEDSTERMINAL);
    tm_mailcap_cleanup(&mc);
}

TM_TEST(mailcap_find_in_order_with_wildcards_and_required_flags)
{
    struct tm_mailcap mc = parse_sample(NULL);
    size_t from = 0;
    const struct tm_mailcap_entry *e = tm_mailcap_find(&mc, "TEXT/HTML", 0, &from);
    TM_CHECK(e && e == &mc.entries[0]);
    e = tm_mailcap_find(&mc, "text/html", 0, &from); /* the next one, when a test fails */
    TM_CHECK(e && e == &mc.entries[1]);
    from = 0;
    e = tm_mailcap_find(&mc, "text/html", TM_MAILCAP_NEEDSTERMINAL, &from);
    TM_CHECK(e == NULL);
    from = 0;
    e = tm_mailcap_find(&mc, "image/png", 0, &from);
    TM_CHECK(e && e == &mc.entries[2]);
    from = 0;
    e = tm_mailcap_find(&mc, "text/x-diff", TM_MAILCAP_COPIOUSOUTPUT, &from); /* bare "text" */
    TM_CHECK(e && e == &mc.entries[4]);
    from = 0;
    TM_CHECK(tm_mailcap_find(&mc, "imagex/png", 0, &from) == NULL);
    tm_mailcap_cleanup(&mc);
}

static const char *hostile_param(const char *name, void *ctx)
{
    (void)ctx;
    return strcmp(name, "charset") == 0 ? "utf-8'; rm -rf ~; echo '$(id)`x`" : NULL;
}

TM_TEST(mailcap_expand_never_lets_message_text_reach_the_shell)
{
    struct tm_buf out;
    bool uses_file = false;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_mailcap_expand("conv --from=%{charset} --type '%t' < %s; echo 100%% \\%s",
                                   "/tmp/tmail-x/part.html", "text/html;$(reboot)", hostile_param,
                                   NULL, &out, &uses_file),
                 TM_OK);
    TM_CHECK_STR(out.data, "conv --from=utf-8___rm_-rf____echo____id__x_ --type "
                           "'text/html___reboot_' < /tmp/tmail-x/part.html; echo 100% %s");
    TM_CHECK(uses_file);
    tm_buf_reset(&out);
    TM_CHECK_INT(
        tm_mailcap_expand("cat %{missing}", "f", "t/x", hostile_param, NULL, &out, &uses_file),
        TM_OK);
    TM_CHECK_STR(out.data, "cat ");
    TM_CHECK(!uses_file);
    tm_buf_cleanup(&out);
}

TM_TEST(mailcap_survives_junk)
{
    struct tm_mailcap mc = {0};
    int bad = 0;
    const char junk[] = "\\\n\\\n;;;\n/;\n*/*; x\n\0\0; y\ntext/plain; \\";
    TM_CHECK_INT(tm_mailcap_parse(&mc, junk, sizeof(junk) - 1, &bad), TM_OK);
    TM_CHECK(bad >= 2);
    tm_mailcap_cleanup(&mc);
}
