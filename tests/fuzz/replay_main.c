/* replay_main.c - runs a fuzz target over its seed corpus without libFuzzer, so every normal
 * (sanitizer) test build replays the seeds: prints "ok TARGET/SEED" per input and
 * "N passed, N failed". A crash or sanitizer report fails the whole binary. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            uint8_t *p = realloc(buf, cap * 2);
            if (!p)
                break;
            buf = p;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf)
        return -1;
    LLVMFuzzerTestOneInput(buf, len);
    /* Every prefix too: truncated input is where parsers overrun. */
    for (size_t cut = 0; cut < len && cut < 4096; cut += 1 + cut / 8)
        LLVMFuzzerTestOneInput(buf, cut);
    free(buf);
    return 0;
}

int main(void)
{
    int passed = 0, failed = 0;
    DIR *d = opendir(TM_FUZZ_CORPUS);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", TM_FUZZ_CORPUS, e->d_name);
        if (replay_file(path) == 0) {
            printf("ok %s/%s\n", TM_FUZZ_NAME, e->d_name);
            passed++;
        } else {
            printf("FAIL %s/%s: cannot read\n", TM_FUZZ_NAME, e->d_name);
            failed++;
        }
    }
    if (d)
        closedir(d);
    else
        printf("FAIL %s: no corpus at %s\n", TM_FUZZ_NAME, TM_FUZZ_CORPUS), failed++;
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
