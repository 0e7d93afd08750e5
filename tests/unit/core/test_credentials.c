/* test_credentials.c - passwords: password_cmd runs once per session, errors never carry the
 * secret, the configured password and the prompt as fallbacks, forget. */
#include <stdio.h>
#include <stdlib.h>

#include "tm_test.h"
#include "tmail/config.h"
#include "tmail/credentials.h"

static struct tm_account account(const char *cmd, const char *password)
{
    struct tm_account a;
    memset(&a, 0, sizeof(a));
    a.name = "work";
    a.password_cmd = (char *)cmd;
    a.password = (char *)password;
    return a;
}

TM_TEST(credentials_password_cmd_runs_once_per_session)
{
    const char *dir = tm_test_tmpdir();
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "echo run >> %s/count; printf 's3cret\\nsecond line\\n'", dir);
    struct tm_account a = account(cmd, NULL);
    struct tm_credentials *c = tm_credentials_new(NULL, NULL);
    const char *pw = NULL;
    TM_CHECK_INT(tm_credentials_password(c, &a, &pw, NULL), TM_OK);
    TM_CHECK_STR(pw, "s3cret");
    TM_CHECK_INT(tm_credentials_password(c, &a, &pw, NULL), TM_OK);
    TM_CHECK_STR(pw, "s3cret");
    char path[600], line[64];
    snprintf(path, sizeof(path), "%s/count", dir);
    FILE *f = fopen(path, "r");
    int runs = 0;
    while (f && fgets(line, sizeof(line), f))
        runs++;
    if (f)
        fclose(f);
    TM_CHECK_INT(runs, 1);
    tm_credentials_forget(c, "work"); /* refused by the server: ask again */
    TM_CHECK_INT(tm_credentials_password(c, &a, &pw, NULL), TM_OK);
    tm_credentials_free(&c);
    TM_CHECK(c == NULL);
}

TM_TEST(credentials_failing_command_reports_without_the_output)
{
    struct tm_account a = account("echo hunter2; exit 3", NULL);
    struct tm_credentials *c = tm_credentials_new(NULL, NULL);
    const char *pw = NULL;
    struct tm_error err;
    TM_CHECK_INT(tm_credentials_password(c, &a, &pw, &err), TM_EAUTH);
    TM_CHECK(strstr(err.message, "exit status 3") != NULL);
    TM_CHECK(strstr(err.message, "hunter2") == NULL);
    a = account("true", NULL);
    TM_CHECK_INT(tm_credentials_password(c, &a, &pw, &err), TM_EAUTH);
    TM_CHECK(strstr(err.message, "printed nothing") != NULL);
    tm_credentials_free(&c);
}

static char *answer(void *ctx, const char *name)
{
    (*(int *)ctx)++;
    return strcmp(name, "work") == 0 ? strdup("typed") : NULL;
}

TM_TEST(credentials_fall_back_to_password_then_prompt)
{
    int asked = 0;
    struct tm_credentials *c = tm_credentials_new(answer, &asked);
    const char *pw = NULL;
    struct tm_account a = account(NULL, "from-file");
    TM_CHECK_INT(tm_credentials_password(c, &a, &pw, NULL), TM_OK);
    TM_CHECK_STR(pw, "from-file");
    tm_credentials_forget(c, "work");
    a = account(NULL, NULL);
    TM_CHECK_INT(tm_credentials_password(c, &a, &pw, NULL), TM_OK);
    TM_CHECK_STR(pw, "typed");
    TM_CHECK_INT(tm_credentials_password(c, &a, &pw, NULL), TM_OK);
    TM_CHECK_INT(asked, 1); /* asked once, then remembered */
    a.name = "other";
    TM_CHECK_INT(tm_credentials_password(c, &a, &pw, NULL), TM_ECANCELED);
    tm_credentials_free(&c);
    struct tm_credentials *none = tm_credentials_new(NULL, NULL);
    TM_CHECK_INT(tm_credentials_password(none, &a, &pw, NULL), TM_EAUTH);
    tm_credentials_free(&none);
}
