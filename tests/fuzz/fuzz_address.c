/* fuzz_address.c - libFuzzer target for the RFC 5322 address-list parser (groups, quoted
 * strings, comments, encoded words, obsolete routes) and its display form. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/mime/private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mime_addr_list list;
    char *value = malloc(size + 1), *display = NULL;
    if (!value)
        return 0;
    memcpy(value, data, size);
    value[size] = 0; /* header values are C strings; an embedded NUL ends them */
    if (mime_addr_list_parse(value, &list) == TM_OK) {
        for (size_t i = 0; i < list.count; i++) {
            if (list.items[i].name &&
                !mime_utf8_valid(list.items[i].name, strlen(list.items[i].name)))
                abort();
        }
        mime_addr_list_cleanup(&list);
    }
    if (mime_addr_display(value, &display) == TM_OK)
        free(display);
    free(value);
    return 0;
}
