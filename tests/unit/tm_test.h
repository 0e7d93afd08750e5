/* tm_test.h - a very small unit-test runner: TM_TEST(name) defines a test, TM_CHECK* assert.
 * Each binary prints "ok NAME" or "FAIL NAME: file:line: what" per test, then one closing line
 * "N passed, N failed"; argv[1], when given, runs only tests whose name contains it. */
#ifndef TM_TEST_H
#define TM_TEST_H

#include <stdint.h>
#include <string.h>

typedef void (*tm_test_fn)(void);
void tm_test_register(const char *name, tm_test_fn fn);
/* Records a failure of the running test; returns so the macro can `return`. */
void tm_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A fresh empty directory for the running test (removed at exit); the path is static storage. */
const char *tm_test_tmpdir(void);

#define TM_TEST(name)                                                                              \
    static void name(void);                                                                        \
    __attribute__((constructor)) static void tm_reg_##name(void)                                   \
    {                                                                                              \
        tm_test_register(#name, name);                                                             \
    }                                                                                              \
    static void name(void)

#define TM_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            tm_test_fail(__FILE__, __LINE__, "%s", #cond);                                         \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define TM_CHECK_INT(a, b)                                                                         \
    do {                                                                                           \
        long long tm_a_ = (long long)(a), tm_b_ = (long long)(b);                                  \
        if (tm_a_ != tm_b_) {                                                                      \
            tm_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, tm_a_, tm_b_);      \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#define TM_CHECK_STR(a, b)                                                                         \
    do {                                                                                           \
        const char *tm_a_ = (a), *tm_b_ = (b);                                                     \
        if (!tm_a_ || !tm_b_ || strcmp(tm_a_, tm_b_) != 0) {                                       \
            tm_test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,                 \
                         tm_a_ ? tm_a_ : "(null)", tm_b_ ? tm_b_ : "(null)");                      \
            return;                                                                                \
        }                                                                                          \
    } while (0)

#endif
