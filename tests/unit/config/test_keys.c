/* test_keys.c - key specs, bind, macro, defaults and binding look-up. */
#include <string.h>

#include "helpers.h"
#include "src/config/private.h"
#include "tm_test.h"

static int key_of(const char *spec, int i)
{
    struct tm_keyseq s;
    char msg[256];
    if (!cfg_key_parse(spec, &s, msg, sizeof(msg)) || i >= s.len)
        return -99;
    return s.keys[i];
}

TM_TEST(keys_spec_forms)
{
    TM_CHECK_INT(key_of("j", 0), 'j');
    TM_CHECK_INT(key_of("^F", 0), 6);
    TM_CHECK_INT(key_of("^f", 0), 6);
    TM_CHECK_INT(key_of("\x06", 0), 6);
    TM_CHECK_INT(key_of("<F5>", 0), TM_KEY_F(5));
    TM_CHECK_INT(key_of("<f12>", 0), TM_KEY_F(12));
    TM_CHECK_INT(key_of("<PageDown>", 0), TM_KEY_PAGEDOWN);
    TM_CHECK_INT(key_of("<pagedown>", 0), TM_KEY_PAGEDOWN);
    TM_CHECK_INT(key_of("<Esc>x", 0), 27);
    TM_CHECK_INT(key_of("<Esc>x", 1), 'x');
    TM_CHECK_INT(key_of("<Enter>", 0), '\n');
    TM_CHECK_INT(key_of("<Return>", 0), '\r');
    TM_CHECK_INT(key_of("<Tab>", 0), '\t');
    TM_CHECK_INT(key_of("<Space>", 0), ' ');
    TM_CHECK_INT(key_of("\x7f", 0), 127);
    TM_CHECK_INT(key_of("<", 0), '<');
    TM_CHECK_INT(key_of("^", 0), '^');
    TM_CHECK_INT(key_of("\xc3\xa9", 0), 0xe9);
}

TM_TEST(keys_bad_specs)
{
    struct tm_keyseq s;
    char msg[256];
    TM_CHECK(!cfg_key_parse("<Pgdn>", &s, msg, sizeof(msg)));
    TM_CHECK(strstr(msg, "unknown key name <Pgdn>") != NULL);
    TM_CHECK(!cfg_key_parse("<F99>", &s, msg, sizeof(msg)));
    TM_CHECK(!cfg_key_parse("", &s, msg, sizeof(msg)));
    TM_CHECK(!cfg_key_parse("abcdefghij", &s, msg, sizeof(msg)));
    TM_CHECK(!cfg_key_parse("\xff", &s, msg, sizeof(msg)));
}

TM_TEST(keys_names_round_trip)
{
    static const char *const specs[] = {"j",       "\\Cf",  "<PageDown>", "<F5>",    "<Esc>",
                                        "<Enter>", "\\177", "<Space>",    "\xc3\xa9"};
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
        struct tm_keyseq s;
        char msg[256], name[32];
        const char *spec = specs[i];
        if (strcmp(spec, "\\Cf") == 0)
            spec = "\x06";
        if (strcmp(spec, "\\177") == 0)
            spec = "\x7f";
        TM_CHECK(cfg_key_parse(spec, &s, msg, sizeof(msg)));
        tm_config_key_name(s.keys[0], name, sizeof(name));
        TM_CHECK_STR(name, specs[i]);
    }
}

TM_TEST(keys_every_default_binding_parses)
{
    struct tm_config *cfg = tm_config_new();
    TM_CHECK(cfg != NULL);
    /* functions.c skips a default that does not parse: count them against the table. */
    size_t expected = 0;
    for (size_t i = 0; i < cfg->n_bindings; i++) {
        TM_CHECK(cfg->bindings[i].op != TM_OP_NONE);
        TM_CHECK(cfg_op_valid_in(cfg->bindings[i].op, cfg->bindings[i].map));
        expected++;
    }
    TM_CHECK_INT(expected, cfg_default_binding_count());
    int32_t q = 'q', j = 'j';
    const struct tm_binding *b = tm_config_binding_find(cfg, TM_MAP_INDEX, &q, 1, NULL);
    TM_CHECK(b && b->op == TM_OP_QUIT);
    b = tm_config_binding_find(cfg, TM_MAP_BROWSER, &j, 1, NULL); /* from generic */
    TM_CHECK(b && b->op == TM_OP_NEXT_ENTRY);
    int32_t esc = 27;
    bool prefix = false;
    b = tm_config_binding_find(cfg, TM_MAP_INDEX, &esc, 1, &prefix);
    TM_CHECK(b == NULL && prefix);
    tm_config_free(&cfg);
}

TM_TEST(keys_bind_overrides_and_unbinds)
{
    struct tm_config *cfg = parse_text("bind index q exit\n"
                                       "bind index,pager \\Cf next-page\n"
                                       "bind pager <F5> top\n"
                                       "bind index <Esc>x quit\n"
                                       "bind index d noop\n"
                                       "bind editor \\177 backspace\n");
    TM_CHECK_INT(cfg->n_errors, 0);
    int32_t q = 'q', cf = 6, f5 = TM_KEY_F(5), escx[2] = {27, 'x'}, d = 'd';
    TM_CHECK(tm_config_binding_find(cfg, TM_MAP_INDEX, &q, 1, NULL)->op == TM_OP_EXIT);
    TM_CHECK(tm_config_binding_find(cfg, TM_MAP_INDEX, &cf, 1, NULL)->op == TM_OP_NEXT_PAGE);
    TM_CHECK(tm_config_binding_find(cfg, TM_MAP_PAGER, &cf, 1, NULL)->op == TM_OP_NEXT_PAGE);
    TM_CHECK(tm_config_binding_find(cfg, TM_MAP_PAGER, &f5, 1, NULL)->op == TM_OP_TOP);
    TM_CHECK(tm_config_binding_find(cfg, TM_MAP_INDEX, escx, 2, NULL)->op == TM_OP_QUIT);
    TM_CHECK(tm_config_binding_find(cfg, TM_MAP_INDEX, &d, 1, NULL) == NULL);
    size_t active = 0, last = cfg->n_bindings - 1;
    for (size_t i = 0; i < cfg->n_bindings; i++)
        active += tm_config_binding_active(cfg, i);
    TM_CHECK(tm_config_binding_active(cfg, last));
    TM_CHECK(!tm_config_binding_active(cfg, last - 1)); /* d noop */
    TM_CHECK(active < cfg->n_bindings - 2);
    int32_t del = 127;
    TM_CHECK(tm_config_binding_find(cfg, TM_MAP_EDITOR, &del, 1, NULL)->op == TM_OP_BACKSPACE);
    tm_config_free(&cfg);
}

TM_TEST(keys_bind_errors)
{
    struct tm_config *cfg = parse_text("bind idx q exit\n"
                                       "bind index <Pgdn> next-page\n"
                                       "bind index q next-entyr\n"
                                       "bind index q frobnicate-everything\n"
                                       "bind pager q edit-subject\n"
                                       "bind index q\n"
                                       "bind nonsense q exit\n");
    TM_CHECK(
        has_diag(cfg, TM_CONFIG_ERROR, 1, "unknown key map \"idx\" (did you mean \"index\"?)"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 2, "unknown key name <Pgdn>"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 3, "did you mean \"next-entry\"?"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 4, "unknown function \"frobnicate-everything\""));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 5, "not available in the pager map"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 6, "usage: bind"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 7, "unknown key map \"nonsense\""));
    TM_CHECK_INT(cfg->n_errors, 7);
    tm_config_free(&cfg);
}

TM_TEST(keys_macros)
{
    struct tm_config *cfg =
        parse_text("macro index \\Cb \"<pipe-message>urlview<Enter>\" \"open URLs\"\n"
                   "macro pager,index ,a \"<exit><change-folder>=INBOX<Return>\"\n"
                   "macro index x \"<pipe-mesage>\"\n"
                   "macro index y \"\"\n");
    TM_CHECK_INT(cfg->n_errors, 2);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 3, "did you mean \"<pipe-message>\"?"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 4, "empty macro"));
    int32_t cb = 2;
    const struct tm_binding *b = tm_config_binding_find(cfg, TM_MAP_INDEX, &cb, 1, NULL);
    TM_CHECK(b && b->op == TM_OP_NONE && b->macro_keys);
    TM_CHECK_INT(b->macro_len, 9);
    TM_CHECK_INT(b->macro_keys[0], TM_KEY_OP + TM_OP_PIPE_MESSAGE);
    TM_CHECK_INT(b->macro_keys[1], 'u');
    TM_CHECK_INT(b->macro_keys[8], '\n');
    TM_CHECK_STR(b->description, "open URLs");
    TM_CHECK_STR(b->macro_text, "<pipe-message>urlview<Enter>");
    int32_t ca[2] = {',', 'a'};
    b = tm_config_binding_find(cfg, TM_MAP_PAGER, ca, 2, NULL);
    TM_CHECK(b && b->macro_keys[0] == TM_KEY_OP + TM_OP_EXIT);
    tm_config_free(&cfg);
}
