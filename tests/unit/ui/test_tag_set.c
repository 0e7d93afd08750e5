/* test_tag_set.c - the index's set of tagged store ids: toggling one id, merging a batch with
 * repeats, removing a batch, dropping ids that left the mailbox, clearing, and growth. */
#include <stdlib.h>

#include "../../../src/ui/tag_set.h"
#include "tm_test.h"

/* Whether s holds exactly want[0..n), ascending. */
static int same(const struct tag_set *s, const int64_t *want, size_t n)
{
    if (s->n != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s->ids[i] != want[i])
            return 0;
    return 1;
}

TM_TEST(tag_set_add_has_remove_one_id)
{
    struct tag_set s = {0};
    TM_CHECK(!tag_set_has(&s, 7));
    TM_CHECK_INT(tag_set_add(&s, 7), TM_OK);
    TM_CHECK_INT(tag_set_add(&s, 3), TM_OK);
    TM_CHECK_INT(tag_set_add(&s, 7), TM_OK); /* twice: still once */
    TM_CHECK(tag_set_has(&s, 7) && tag_set_has(&s, 3) && !tag_set_has(&s, 5));
    TM_CHECK(same(&s, (int64_t[]){3, 7}, 2));
    tag_set_remove(&s, 5); /* absent: nothing happens */
    tag_set_remove(&s, 3);
    TM_CHECK(same(&s, (int64_t[]){7}, 1));
    tag_set_remove(&s, 7);
    TM_CHECK_INT(s.n, 0);
    TM_CHECK(!tag_set_has(&s, 7));
    tag_set_cleanup(&s);
    TM_CHECK(s.ids == NULL && s.n == 0 && s.cap == 0);
}

TM_TEST(tag_set_add_many_merges_unsorted_ids_with_repeats)
{
    struct tag_set s = {0};
    TM_CHECK_INT(tag_set_add(&s, 5), TM_OK);
    TM_CHECK_INT(tag_set_add(&s, 20), TM_OK);
    int64_t batch[] = {9, 5, 1, 9, 30, 20, 2};
    TM_CHECK_INT(tag_set_add_many(&s, batch, 7), TM_OK);
    TM_CHECK(same(&s, (int64_t[]){1, 2, 5, 9, 20, 30}, 6));
    TM_CHECK_INT(batch[0], 9); /* the caller's array is left alone */
    TM_CHECK_INT(tag_set_add_many(&s, NULL, 0), TM_OK);
    TM_CHECK_INT(tag_set_add(&s, 10), TM_OK); /* single adds still land in order after a merge */
    TM_CHECK(same(&s, (int64_t[]){1, 2, 5, 9, 10, 20, 30}, 7));
    tag_set_cleanup(&s);
}

TM_TEST(tag_set_remove_many_counts_what_was_there)
{
    struct tag_set s = {0};
    TM_CHECK_INT(tag_set_add_many(&s, (int64_t[]){1, 2, 3, 4, 5, 6}, 6), TM_OK);
    TM_CHECK_INT(tag_set_remove_many(&s, (int64_t[]){6, 2, 2, 99, 4}, 5), 3);
    TM_CHECK(same(&s, (int64_t[]){1, 3, 5}, 3));
    TM_CHECK_INT(tag_set_remove_many(&s, (int64_t[]){7, 8}, 2), 0);
    TM_CHECK_INT(tag_set_remove_many(&s, NULL, 0), 0);
    TM_CHECK_INT(tag_set_remove_many(&s, (int64_t[]){5, 3, 1}, 3), 3);
    TM_CHECK_INT(s.n, 0);
    tag_set_cleanup(&s);
}

/* Keeps odd ids, counting the calls in *ctx. */
static bool keep_odd(void *ctx, int64_t id)
{
    (*(int *)ctx)++;
    return id % 2 != 0;
}

TM_TEST(tag_set_keep_if_drops_ids_that_left_and_clear_empties)
{
    struct tag_set s = {0};
    int asked = 0;
    TM_CHECK_INT(tag_set_add_many(&s, (int64_t[]){4, 1, 3, 8, 5}, 5), TM_OK);
    TM_CHECK_INT(tag_set_keep_if(&s, keep_odd, &asked), 2);
    TM_CHECK_INT(asked, 5);
    TM_CHECK(same(&s, (int64_t[]){1, 3, 5}, 3));
    TM_CHECK(!tag_set_has(&s, 4) && tag_set_has(&s, 5));
    tag_set_clear(&s);
    TM_CHECK_INT(s.n, 0);
    TM_CHECK(!tag_set_has(&s, 1));
    TM_CHECK_INT(tag_set_add(&s, 2), TM_OK); /* usable after a clear */
    TM_CHECK(same(&s, (int64_t[]){2}, 1));
    tag_set_cleanup(&s);
}

TM_TEST(tag_set_grows_and_stays_sorted)
{
    struct tag_set s = {0};
    int64_t *batch = malloc(50000 * sizeof(*batch));
    TM_CHECK(batch != NULL);
    for (int i = 0; i < 20000; i++) /* one at a time, in a scrambled order */
        TM_CHECK_INT(tag_set_add(&s, (int64_t)((i * 7919) % 20000) * 2), TM_OK);
    for (int i = 0; i < 50000; i++) /* then a batch overlapping them: every integer < 50000 */
        batch[i] = 49999 - i;
    TM_CHECK_INT(tag_set_add_many(&s, batch, 50000), TM_OK);
    TM_CHECK_INT(s.n, 50000);
    for (size_t i = 0; i < s.n; i++)
        TM_CHECK_INT(s.ids[i], (int64_t)i);
    TM_CHECK_INT(tag_set_remove_many(&s, batch, 25000), 25000); /* the upper half */
    TM_CHECK_INT(s.n, 25000);
    TM_CHECK(tag_set_has(&s, 24999) && !tag_set_has(&s, 25000));
    free(batch);
    tag_set_cleanup(&s);
}
