/* fuzz_draft.c - libFuzzer target for the draft layer's readers of outside data: mailto: URLs
 * (from the command line and links in mail) and original messages turned into replies, forwards,
 * edit-as-new and recalled drafts, each then built. The first byte picks the mode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tmail/config.h"
#include "tmail/draft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void build(struct tm_draft *d)
{
    struct tm_draft_output out;
    memset(&out, 0, sizeof(out));
    struct tm_draft_build_opts opts = {.postponed = true, .now = 1700000000};
    tm_draft_build(d, &opts, &out, NULL);
    tm_draft_output_cleanup(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    int mode = data[0] % 9;
    char *text = malloc(size);
    if (!text)
        return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    struct tm_account account;
    memset(&account, 0, sizeof(account));
    account.from = "Me <me@example.org>";
    struct tm_settings settings;
    memset(&settings, 0, sizeof(settings));
    settings.attribution = "On %d, %n wrote:";
    settings.forward_format = "[%a: %s]";
    settings.sig_dashes = true;
    struct tm_draft_setup setup = {&account, &settings, true, "sig", NULL};
    struct tm_draft *d = NULL;
    if (mode == 8) {
        if (tm_draft_start(&setup, TM_DRAFT_NEW, NULL, 0, 0, &d, NULL) == TM_OK &&
            tm_draft_apply_mailto(d, text, NULL) == TM_OK)
            build(d);
    } else if (tm_draft_start(&setup, (enum tm_draft_kind)mode, text, size - 1, 1, &d, NULL) ==
               TM_OK) {
        build(d);
    }
    tm_draft_free(&d);
    free(text);
    return 0;
}
