/* keys.c - key specs as mutt writes them (j, ^F, \Cf after the lexer, <F5>, <PageDown>,
 * <Esc>x, octal \177) into key codes, macro bodies into keys and <function> calls, and back to
 * names for the help screen. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

static const struct {
    const char *name;
    int32_t key;
} key_names[] = {
    {"Enter", '\n'},
    {"Return", '\r'},
    {"Esc", 27},
    {"Tab", '\t'},
    {"Space", ' '},
    {"Backspace", TM_KEY_BACKSPACE},
    {"Delete", TM_KEY_DELETE},
    {"Insert", TM_KEY_INSERT},
    {"Home", TM_KEY_HOME},
    {"End", TM_KEY_END},
    {"PageUp", TM_KEY_PAGEUP},
    {"PageDown", TM_KEY_PAGEDOWN},
    {"Up", TM_KEY_UP},
    {"Down", TM_KEY_DOWN},
    {"Left", TM_KEY_LEFT},
    {"Right", TM_KEY_RIGHT},
    {"BackTab", TM_KEY_BACKTAB},
    {"KeypadEnter", TM_KEY_KEYPAD_ENTER},
};
#define N_KEY_NAMES (sizeof(key_names) / sizeof(key_names[0]))

/* The key named name[0..len) (inside < >), or -1. */
static int32_t named_key(const char *name, size_t len)
{
    for (size_t i = 0; i < N_KEY_NAMES; i++) {
        if (strlen(key_names[i].name) == len && strncasecmp(name, key_names[i].name, len) == 0)
            return key_names[i].key;
    }
    if (len >= 2 && len <= 3 && (name[0] == 'F' || name[0] == 'f')) {
        int n = 0;
        for (size_t i = 1; i < len; i++) {
            if (!isdigit((unsigned char)name[i]))
                return -1;
            n = n * 10 + (name[i] - '0');
        }
        return n <= 63 ? TM_KEY_F(n) : -1;
    }
    return -1;
}

/* One element at s: returns its byte length and the key in *key, or 0 on an invalid byte.
 * A <...> that names no key is returned as length of the bracket text with *key = -1. */
static size_t next_key(const char *s, int32_t *key)
{
    if (s[0] == '<') {
        const char *gt = strchr(s + 1, '>');
        if (gt && gt > s + 1 && !memchr(s + 1, '<', (size_t)(gt - s - 1))) {
            *key = named_key(s + 1, (size_t)(gt - s - 1));
            return (size_t)(gt - s + 1);
        }
    }
    if (s[0] == '^' && s[1] && (unsigned char)s[1] < 0x80) {
        *key = s[1] == '?' ? 127 : (toupper((unsigned char)s[1]) & 0x1f);
        return 2;
    }
    unsigned cp;
    size_t n = tm_utf8_decode((const unsigned char *)s, strlen(s), &cp);
    *key = (int32_t)cp;
    return n;
}

bool cfg_key_parse(const char *spec, struct tm_keyseq *seq, char *msg, size_t size)
{
    seq->len = 0;
    if (!*spec) {
        snprintf(msg, size, _("empty key"));
        return false;
    }
    for (const char *p = spec; *p;) {
        int32_t key;
        size_t n = next_key(p, &key);
        if (n == 0) {
            snprintf(msg, size, _("bad key \"%s\": invalid UTF-8"), spec);
            return false;
        }
        if (key < 0) {
            snprintf(msg, size, _("bad key \"%s\": unknown key name %.*s"), spec, (int)n, p);
            return false;
        }
        if (seq->len >= TM_KEYSEQ_MAX) {
            snprintf(msg, size, _("bad key \"%s\": longer than %d keys"), spec, TM_KEYSEQ_MAX);
            return false;
        }
        seq->keys[seq->len++] = key;
        p += n;
    }
    return true;
}

/* A <name> in a macro that is not a key: a function of map, or an error. */
static bool macro_function(const char *p, size_t n, enum tm_keymap map, bool suggest, int32_t *key,
                           char *msg, size_t size)
{
    char name[64];
    if (n - 2 >= sizeof(name)) {
        snprintf(msg, size, _("unknown key or function %.*s in macro"), (int)n, p);
        return false;
    }
    memcpy(name, p + 1, n - 2);
    name[n - 2] = 0;
    enum tm_op op = cfg_op_find(name);
    if (op != TM_OP_NONE && cfg_op_valid_in(op, map)) {
        *key = TM_KEY_OP + op;
        return true;
    }
    const char *hint = suggest ? cfg_op_suggest(name) : NULL;
    if (hint)
        snprintf(msg, size, _("unknown function <%s> in macro (did you mean \"<%s>\"?)"), name,
                 hint);
    else
        snprintf(msg, size, _("unknown function <%s> in macro for the %s map"), name,
                 tm_config_map_name(map));
    return false;
}

bool cfg_macro_parse(const char *text, enum tm_keymap map, bool suggest, int32_t **keys, int *count,
                     char *msg, size_t size)
{
    int32_t *out = calloc(strlen(text) + 1, sizeof(int32_t));
    int n = 0;
    if (!out)
        return snprintf(msg, size, _("out of memory")), false;
    for (const char *p = text; *p;) {
        int32_t key;
        size_t len = next_key(p, &key);
        bool ok = len > 0 && n < TM_MACRO_MAX;
        if (ok && key < 0)
            ok = macro_function(p, len, map, suggest, &key, msg, size);
        else if (!ok)
            snprintf(msg, size, len ? _("macro longer than %d keys") : _("invalid UTF-8 in macro"),
                     TM_MACRO_MAX);
        if (!ok) {
            free(out);
            return false;
        }
        out[n++] = key;
        p += len;
    }
    *keys = out;
    *count = n;
    return true;
}

void tm_config_key_name(int32_t key, char *out, size_t size)
{
    for (size_t i = 0; i < N_KEY_NAMES; i++) {
        if (key_names[i].key == key) {
            snprintf(out, size, "<%s>", key_names[i].name);
            return;
        }
    }
    if (key <= 0)
        snprintf(out, size, "?");
    else if (key >= TM_KEY_F0 && key < TM_KEY_F(64))
        snprintf(out, size, "<F%d>", (int)(key - TM_KEY_F0));
    else if (key >= TM_KEY_OP && key < TM_KEY_OP + TM_OP_COUNT)
        snprintf(out, size, "<%s>", tm_config_op_name((enum tm_op)(key - TM_KEY_OP)));
    else if (key > 0 && key < 32)
        snprintf(out, size, "\\C%c", (char)(key + 'a' - 1));
    else if (key == 127)
        snprintf(out, size, "\\177");
    else if (key < 0x80 && key > 0)
        snprintf(out, size, "%c", (char)key);
    else if (key < 0x800)
        snprintf(out, size, "%c%c", 0xc0 | (key >> 6), 0x80 | (key & 0x3f));
    else if (key < 0x10000)
        snprintf(out, size, "%c%c%c", 0xe0 | (key >> 12), 0x80 | ((key >> 6) & 0x3f),
                 0x80 | (key & 0x3f));
    else if (key < 0x110000)
        snprintf(out, size, "%c%c%c%c", 0xf0 | (key >> 18), 0x80 | ((key >> 12) & 0x3f),
                 0x80 | ((key >> 6) & 0x3f), 0x80 | (key & 0x3f));
    else
        snprintf(out, size, "?");
}
