/* test_mailcap_view.c - running mailcap viewers: file and stdin forms, test=, charset,
 * timeouts, and no temporary file left behind. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "tm_test.h"
#include "tmail/core.h"
#include "tmail/mailcap.h"

static bool load(const char *text, struct tm_mailcap *mc)
{
    const char *dir = tm_test_tmpdir();
    char path[512];
    snprintf(path, sizeof(path), "%s/mailcap", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return false;
    fputs(text, f);
    fclose(f);
    setenv("TMPDIR", dir, 1);
    memset(mc, 0, sizeof(*mc));
    char list[600];
    snprintf(list, sizeof(list), "%s/missing:%s", dir, path);
    return tm_core_mailcap_load(list, mc, NULL) == TM_OK;
}

static int temp_files_left(void)
{
    int n = 0;
    DIR *d = opendir(getenv("TMPDIR"));
    for (struct dirent *e; d && (e = readdir(d)) != NULL;)
        n += strncmp(e->d_name, "tmail-", 6) == 0;
    if (d)
        closedir(d);
    return n;
}

static const char *view(struct tm_mailcap *mc, int timeout_ms, enum tm_status *st)
{
    static struct tm_buf out;
    struct tm_mailcap_viewer v = {mc, timeout_ms};
    const char *html = "<p>Hello <b>caf\xc3\xa9</b></p>";
    tm_buf_cleanup(&out);
    tm_buf_init(&out, 0);
    *st = tm_core_mailcap_viewer(&v, "text/html", "utf-8", html, strlen(html), &out);
    return out.data ? out.data : "";
}

TM_TEST(mailcap_viewer_runs_first_working_copiousoutput_entry)
{
    struct tm_mailcap mc;
    enum tm_status st;
    TM_CHECK(load("text/html; firefox %s\n"                            /* not copiousoutput */
                  "text/html; echo never; copiousoutput; test=false\n" /* test fails */
                  "text/html; sed 's/<[^>]*>//g' %s; copiousoutput; nametemplate=%s.html\n",
                  &mc));
    TM_CHECK_STR(view(&mc, 0, &st), "Hello caf\xc3\xa9");
    TM_CHECK_INT(st, TM_OK);
    TM_CHECK_INT(temp_files_left(), 0);
    tm_mailcap_cleanup(&mc);
}

TM_TEST(mailcap_viewer_without_percent_s_reads_stdin_and_gets_charset)
{
    struct tm_mailcap mc;
    enum tm_status st;
    TM_CHECK(load("text/html; echo %{charset}\\; tr a-z A-Z; copiousoutput\n", &mc));
    TM_CHECK_STR(view(&mc, 0, &st), "utf-8\n<P>HELLO <B>CAF\xc3\xa9</B></P>");
    tm_mailcap_cleanup(&mc);
}

TM_TEST(mailcap_viewer_stopped_after_timeout_falls_back)
{
    struct tm_mailcap mc;
    enum tm_status st;
    TM_CHECK(load("text/html; sleep 30; copiousoutput\n", &mc));
    view(&mc, 300, &st);
    TM_CHECK_INT(st, TM_ENOTSUP);
    TM_CHECK_INT(temp_files_left(), 0);
    tm_mailcap_cleanup(&mc);
}

TM_TEST(mailcap_viewer_with_no_entry_is_enotsup)
{
    struct tm_mailcap mc;
    enum tm_status st;
    TM_CHECK(load("image/png; feh %s\n", &mc));
    view(&mc, 0, &st);
    TM_CHECK_INT(st, TM_ENOTSUP);
    tm_mailcap_cleanup(&mc);
}
