/* maildir_flags.c - Maildir file names: the unique name, the ":2," info flags, and locations.
 * (https://cr.yp.to/proto/maildir.html) */
#include <string.h>

#include "private.h"
#include "tmail/flags.h"
#include "tmail/i18n.h"

/* The letters we manage, in ASCII order (the spec wants the info's flags sorted). */
static const struct {
    char letter;
    unsigned flag;
} flag_letters[] = {
    {'D', TM_FLAG_DRAFT},    {'F', TM_FLAG_FLAGGED}, {'P', TM_FLAG_PASSED},
    {'R', TM_FLAG_ANSWERED}, {'S', TM_FLAG_SEEN},    {'T', TM_FLAG_DELETED},
};
#define N_FLAG_LETTERS (sizeof(flag_letters) / sizeof(flag_letters[0]))

size_t maildir_key_len(const char *name)
{
    return strcspn(name, ":");
}

/* The flag letters after ":2,", or NULL when name has no (version 2) info. */
static const char *info_letters(const char *name)
{
    const char *info = strchr(name, ':');
    return info && strncmp(info, ":2,", 3) == 0 ? info + 3 : NULL;
}

static unsigned flag_of_letter(char c)
{
    for (size_t i = 0; i < N_FLAG_LETTERS; i++) {
        if (flag_letters[i].letter == c)
            return flag_letters[i].flag;
    }
    return 0;
}

unsigned maildir_flags_from_name(const char *name)
{
    unsigned flags = 0;
    const char *p = info_letters(name);
    for (; p && *p; p++)
        flags |= flag_of_letter(*p); /* lowercase keywords and unknown letters give 0 */
    return flags;
}

enum tm_status maildir_name_with_flags(const char *name, unsigned flags, char *out, size_t size,
                                       struct tm_error *err)
{
    bool letter[128] = {false};
    for (const char *p = info_letters(name); p && *p; p++) {
        unsigned char c = (unsigned char)*p;
        /* keep keywords and letters we do not manage; ours come from flags below */
        if (c < 128 && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) && !flag_of_letter(*p))
            letter[c] = true;
    }
    for (size_t i = 0; i < N_FLAG_LETTERS; i++) {
        if (flags & flag_letters[i].flag)
            letter[(unsigned char)flag_letters[i].letter] = true;
    }
    size_t key_len = maildir_key_len(name), n = key_len + 3;
    if (n >= size)
        return tm_error_set(err, TM_ELIMIT, _("Maildir file name too long: %s"), name);
    memcpy(out, name, key_len);
    memcpy(out + key_len, ":2,", 3);
    for (int c = 'A'; c <= 'z'; c++) {
        if (!letter[c])
            continue;
        if (n + 1 >= size)
            return tm_error_set(err, TM_ELIMIT, _("Maildir file name too long: %s"), name);
        out[n++] = (char)c;
    }
    out[n] = 0;
    return TM_OK;
}

/* A Maildir++ folder directory name: ".Name" where Name is a mailbox maildir_mailbox_prefix
 * accepts; len excludes any trailing '/'. */
static bool folder_dir_ok(const char *dir, size_t len)
{
    if (len < 2 || dir[0] != '.' || dir[1] == '.' || dir[len - 1] == '.')
        return false;
    for (size_t i = 1; i < len; i++) {
        if (dir[i] == '/' || (dir[i] == '.' && dir[i + 1] == '.'))
            return false;
    }
    return true;
}

bool maildir_location_split(const char *location, size_t *prefix_len, bool *in_new,
                            const char **name)
{
    const char *slash = strrchr(location, '/');
    if (!slash || slash - location < 3 || slash[1] == 0 || slash[1] == '.')
        return false;
    size_t sub_at = (size_t)(slash - location) - 3; /* "cur" or "new" ends at slash */
    if (strncmp(location + sub_at, "cur", 3) != 0 && strncmp(location + sub_at, "new", 3) != 0)
        return false;
    if (sub_at > 0 && (location[sub_at - 1] != '/' || !folder_dir_ok(location, sub_at - 1)))
        return false;
    *prefix_len = sub_at;
    *in_new = location[sub_at] == 'n';
    *name = slash + 1;
    return true;
}

enum tm_status maildir_mailbox_prefix(const char *mailbox, char *out, size_t size,
                                      struct tm_error *err)
{
    if (strcmp(mailbox, "INBOX") == 0) {
        if (size > 0)
            out[0] = 0;
        return TM_OK;
    }
    size_t len = strlen(mailbox);
    if (len + 3 > size)
        return tm_error_set(err, TM_ELIMIT, _("mailbox name too long: %s"), mailbox);
    out[0] = '.';
    memcpy(out + 1, mailbox, len);
    out[len + 1] = 0;
    if (!folder_dir_ok(out, len + 1)) /* never let a name choose a path outside the Maildir */
        return tm_error_set(err, TM_ENOENT, _("invalid Maildir folder name: %s"), mailbox);
    out[len + 1] = '/';
    out[len + 2] = 0;
    return TM_OK;
}
