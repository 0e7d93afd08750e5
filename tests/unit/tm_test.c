/* tm_test.c - the unit-test runner behind tm_test.h. */
#include "tm_test.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_TESTS 1024

struct test_entry {
    const char *name;
    tm_test_fn fn;
};

static struct test_entry tests[MAX_TESTS];
static int n_tests;
static int current_failed;
static const char *current_name;
static char tmpdir[256];

void tm_test_register(const char *name, tm_test_fn fn)
{
    if (n_tests < MAX_TESTS)
        tests[n_tests++] = (struct test_entry){name, fn};
}

void tm_test_fail(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    if (current_failed)
        return;
    current_failed = 1;
    printf("FAIL %s: %s:%d: ", current_name, file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

static void remove_tmpdir(void)
{
    if (tmpdir[0]) {
        char cmd[300];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
        if (system(cmd) != 0)
            fprintf(stderr, "could not remove %s\n", tmpdir);
        tmpdir[0] = 0;
    }
}

const char *tm_test_tmpdir(void)
{
    remove_tmpdir();
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/tm-unit.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        exit(2);
    }
    return tmpdir;
}

int main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 0; i < n_tests; i++) {
        if (argc > 1 && !strstr(tests[i].name, argv[1]))
            continue;
        current_name = tests[i].name;
        current_failed = 0;
        tests[i].fn();
        remove_tmpdir();
        if (current_failed) {
            failed++;
        } else {
            passed++;
            printf("ok %s\n", tests[i].name);
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
