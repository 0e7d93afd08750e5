/* test_alias.c - mutt aliases: reading alias lines byte by byte (quoting, escapes, comments,
 * -group, bad lines), alias files (continuation, other commands, the first bad line), unalias,
 * look-up, completion by key, address or name, expansion of recipient lists, and alias lines
 * in a tmailrc and the alias_file setting. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "helpers.h"
#include "tm_test.h"
#include "tmail/alias.h"

/* Parses one line (strlen) into set; the status. */
static enum tm_status line(struct tm_alias_set *set, const char *text, bool skip_other,
                           struct tm_error *err)
{
    return tm_alias_parse_line(set, text, strlen(text), skip_other, err);
}

/* The value of the only alias text defines; NULL when it does not define exactly one. */
static char *value_of(const char *text)
{
    static char out[512];
    struct tm_alias_set set = {0};
    char *v = NULL;
    if (line(&set, text, false, NULL) == TM_OK && set.count == 1) {
        snprintf(out, sizeof(out), "%s", set.items[0].value);
        v = out;
    }
    tm_alias_set_cleanup(&set);
    return v;
}

/* The error message parsing text gives, or "" when it parses. */
static const char *error_of(const char *text)
{
    static struct tm_error err;
    struct tm_alias_set set = {0};
    enum tm_status st = line(&set, text, false, &err);
    tm_alias_set_cleanup(&set);
    if (st == TM_OK)
        return "";
    return st == TM_EPARSE ? err.message : "(not TM_EPARSE)";
}

TM_TEST(alias_line_key_value_and_comment)
{
    struct tm_alias_set set = {0};
    TM_CHECK_INT(line(&set, "alias bob Bob Smith <bob@example.org>", false, NULL), TM_OK);
    TM_CHECK_INT(line(&set, "  alias\tteam  bob@x ,  carol@y  \t", false, NULL), TM_OK);
    TM_CHECK_INT(line(&set, "alias ann ann@x # from the conference  ", false, NULL), TM_OK);
    TM_CHECK_INT(line(&set, "alias dan dan@x #", false, NULL), TM_OK);
    TM_CHECK_INT(set.count, 4);
    TM_CHECK_STR(set.items[0].key, "bob");
    TM_CHECK_STR(set.items[0].value, "Bob Smith <bob@example.org>");
    TM_CHECK(set.items[0].comment == NULL);
    TM_CHECK_STR(set.items[1].key, "team");
    TM_CHECK_STR(set.items[1].value, "bob@x ,  carol@y"); /* inner spacing as written */
    TM_CHECK_STR(set.items[2].value, "ann@x");
    TM_CHECK_STR(set.items[2].comment, "from the conference");
    TM_CHECK_STR(set.items[3].value, "dan@x");
    TM_CHECK(set.items[3].comment == NULL); /* an empty note is none */
    tm_alias_set_cleanup(&set);
    TM_CHECK(set.items == NULL && set.count == 0);
    tm_alias_set_cleanup(NULL);
}

TM_TEST(alias_line_is_read_only_up_to_len)
{
    struct tm_alias_set set = {0};
    const char text[] = "alias bob bob@x.org, carol@y";
    TM_CHECK_INT(tm_alias_parse_line(&set, text, 19, false, NULL), TM_OK);
    TM_CHECK_INT(set.count, 1);
    TM_CHECK_STR(set.items[0].value, "bob@x.org");
    tm_alias_set_cleanup(&set);
}

TM_TEST(alias_value_keeps_quotes_of_display_names)
{
    TM_CHECK_STR(value_of("alias sb \"Smith, Bob\" <bob@x>"), "\"Smith, Bob\" <bob@x>");
    /* what mutt writes into its alias file: every quote escaped */
    TM_CHECK_STR(value_of("alias sb \\\"Smith, Bob\\\" <bob@x>"), "\"Smith, Bob\" <bob@x>");
    /* a single quote is a letter of the address list */
    TM_CHECK_STR(value_of("alias ob Pat O'Brien <pat@x>"), "Pat O'Brien <pat@x>");
    /* '#' inside a quoted name is text; the note starts at the next one */
    struct tm_alias_set set = {0};
    TM_CHECK_INT(line(&set, "alias t \"Team #2\" <t@x> # the # note", false, NULL), TM_OK);
    TM_CHECK_INT(line(&set, "alias u \\\"Team #3\\\" <u@x>", false, NULL), TM_OK);
    TM_CHECK_INT(line(&set, "alias v \"A \\\\\"#\\\\\" B\" <v@x>", false, NULL), TM_OK);
    TM_CHECK_STR(set.items[0].value, "\"Team #2\" <t@x>");
    TM_CHECK_STR(set.items[0].comment, "the # note");
    TM_CHECK_STR(set.items[1].value, "\"Team #3\" <u@x>");
    TM_CHECK_STR(set.items[2].value, "\"A \\\"#\\\" B\" <v@x>"); /* quoted-pairs inside */
    tm_alias_set_cleanup(&set);
}

TM_TEST(alias_escapes_as_in_muttrc)
{
    TM_CHECK_STR(value_of("alias e x\\@y"), "x@y");
    TM_CHECK_STR(value_of("alias e \\101b@y"), "Ab@y"); /* octal, three digits */
    TM_CHECK_STR(value_of("alias e \\18b@y"), "18b@y"); /* not octal: the digit itself */
    TM_CHECK_STR(value_of("alias e a\\tb <b@y>"), "a\tb <b@y>");
    TM_CHECK_STR(value_of("alias e a\\#b@y # n"), "a#b@y"); /* an escaped # is text */
    TM_CHECK_STR(value_of("alias e a@y\\"), "a@y\\");       /* a backslash ending the line */
    TM_CHECK_STR(value_of("alias e \\$HOME@y"), "$HOME@y"); /* nothing is expanded */
    TM_CHECK_STR(value_of("alias e $HOME@y"), "$HOME@y");
    TM_CHECK_STR(value_of("alias e `id`@y"), "`id`@y");
    struct tm_alias_set set = {0};
    TM_CHECK_INT(line(&set, "alias \"bob\" b@x", false, NULL), TM_OK);
    TM_CHECK_INT(line(&set, "alias 'c\\d' c@x", false, NULL), TM_OK); /* '' keeps \ */
    TM_CHECK_INT(line(&set, "alias g\"h\"i g@x", false, NULL), TM_OK);
    TM_CHECK_INT(line(&set, "alias j\\x j@x", false, NULL), TM_OK);
    TM_CHECK_STR(set.items[0].key, "bob");
    TM_CHECK_STR(set.items[1].key, "c\\d");
    TM_CHECK_STR(set.items[2].key, "ghi");
    TM_CHECK_STR(set.items[3].key, "jx");
    TM_CHECK_INT(set.count, 4);
    tm_alias_set_cleanup(&set);
}

TM_TEST(alias_group_options_are_skipped)
{
    struct tm_alias_set set = {0};
    TM_CHECK_INT(line(&set, "alias -group friends -GROUP work bob bob@x", false, NULL), TM_OK);
    TM_CHECK_INT(set.count, 1);
    TM_CHECK_STR(set.items[0].key, "bob");
    TM_CHECK_STR(set.items[0].value, "bob@x");
    tm_alias_set_cleanup(&set);
    TM_CHECK(strstr(error_of("alias -group"), "-group needs a group name"));
    TM_CHECK(strstr(error_of("alias -group \"\" bob bob@x"), "-group needs a group name"));
    TM_CHECK(strstr(error_of("alias -group friends"), "alias needs a key and an address"));
}

TM_TEST(alias_bad_lines_say_what_is_wrong)
{
    TM_CHECK(strstr(error_of("alias"), "alias needs a key and an address"));
    TM_CHECK(strstr(error_of("alias bob"), "alias needs a key and an address"));
    TM_CHECK(strstr(error_of("alias bob   # just a note"), "alias needs a key and an address"));
    TM_CHECK(strstr(error_of("alias \"bob x@y"), "unclosed \" quote"));
    TM_CHECK(strstr(error_of("alias 'bob x@y"), "unclosed ' quote"));
    TM_CHECK(strstr(error_of("alias bob \"Bob <bob@x>"), "unclosed \" quote"));
    TM_CHECK(strstr(error_of("alias \"b b\" x@y"), "has spaces, control characters"));
    TM_CHECK(strstr(error_of("alias b\\tb x@y"), "has spaces, control characters"));
    TM_CHECK(strstr(error_of("alias b\\fb x@y"), "has spaces, control characters"));
    TM_CHECK(strstr(error_of("alias b\xc3\xa9 x@y"), "non-ASCII"));
    TM_CHECK(strstr(error_of("alias \"\" x@y"), "has spaces, control characters"));
    TM_CHECK(strstr(error_of("alias bob bob@x\\nBcc: eve@y"), "control character"));
    TM_CHECK(strstr(error_of("alias bob bob@x\\r"), "control character"));
    TM_CHECK(strstr(error_of("alias bob bob\\000@x"), "NUL"));
    TM_CHECK(strstr(error_of("alias bob bob\\c@@x"), "NUL"));
    struct tm_alias_set set = {0};
    struct tm_error err;
    const char nul[] = "alias bob bo\0b@x";
    TM_CHECK_INT(tm_alias_parse_line(&set, nul, sizeof(nul) - 1, false, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "NUL"));
    TM_CHECK_INT(set.count, 0);
}

TM_TEST(alias_other_lines_skipped_or_refused)
{
    struct tm_alias_set set = {0};
    struct tm_error err;
    TM_CHECK_INT(line(&set, "set realname = \"Alice\"", true, &err), TM_OK);
    TM_CHECK_INT(line(&set, "aliases x y", true, &err), TM_OK);
    TM_CHECK_INT(line(&set, "\"unterminated", true, &err), TM_OK);
    TM_CHECK_INT(line(&set, "", false, &err), TM_OK);
    TM_CHECK_INT(line(&set, "   \t ", false, &err), TM_OK);
    TM_CHECK_INT(line(&set, "# alias commented out", false, &err), TM_OK);
    TM_CHECK_INT(line(&set, "set realname = \"Alice\"", false, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "not an alias command"));
    TM_CHECK_INT(set.count, 0);
}

TM_TEST(alias_same_key_replaces_in_place_and_unalias_removes)
{
    struct tm_alias_set set = {0};
    TM_CHECK_INT(line(&set, "alias a a@x # old", false, NULL), TM_OK);
    TM_CHECK_INT(line(&set, "alias b b@x", false, NULL), TM_OK);
    TM_CHECK_INT(line(&set, "alias c c@x", false, NULL), TM_OK);
    TM_CHECK_INT(line(&set, "alias A new@x", false, NULL), TM_OK);
    TM_CHECK_INT(set.count, 3);
    TM_CHECK_STR(set.items[0].key, "A");
    TM_CHECK_STR(set.items[0].value, "new@x");
    TM_CHECK(set.items[0].comment == NULL);
    TM_CHECK_INT(line(&set, "unalias B nobody", false, NULL), TM_OK);
    TM_CHECK_INT(set.count, 2);
    TM_CHECK_STR(set.items[1].key, "c");
    TM_CHECK_INT(line(&set, "unalias -group g a", false, NULL), TM_OK);
    TM_CHECK_INT(set.count, 1);
    struct tm_error err;
    TM_CHECK_INT(line(&set, "unalias", false, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "unalias needs a key or *"));
    TM_CHECK_INT(line(&set, "alias d d@x", false, NULL), TM_OK);
    TM_CHECK_INT(line(&set, "unalias *", false, NULL), TM_OK);
    TM_CHECK_INT(set.count, 0);
    TM_CHECK_INT(line(&set, "alias e e@x", false, NULL), TM_OK); /* usable after * */
    TM_CHECK_INT(set.count, 1);
    tm_alias_set_cleanup(&set);
}

TM_TEST(alias_buffer_continuation_crlf_and_other_commands)
{
    struct tm_alias_set set = {0};
    struct tm_error err;
    const char data[] = "# mutt aliases\r\n"
                        "set sort = threads\r\n"
                        "alias team bob@x, \\\r\n"
                        "   carol@y\r\n"
                        "alias lit x@y\\\\\n"
                        "alias two a@x,\\\n"
                        "b@y,\\\n"
                        "c@z\n"
                        "alias last last@x"; /* no final line break */
    TM_CHECK_INT(tm_alias_parse_buffer(&set, "aliases", data, sizeof(data) - 1, &err), TM_OK);
    TM_CHECK_INT(set.count, 4);
    TM_CHECK_STR(set.items[0].value, "bob@x,    carol@y");
    TM_CHECK_STR(set.items[1].value, "x@y\\"); /* an even run of backslashes: no continuation */
    TM_CHECK_STR(set.items[2].value, "a@x,b@y,c@z");
    TM_CHECK_STR(set.items[3].value, "last@x");
    tm_alias_set_cleanup(&set);
    TM_CHECK_INT(tm_alias_parse_buffer(&set, "empty", "", 0, &err), TM_OK);
    TM_CHECK_INT(set.count, 0);
}

TM_TEST(alias_buffer_reports_first_bad_line_and_keeps_good_ones)
{
    struct tm_alias_set set = {0};
    struct tm_error err;
    const char data[] = "alias a a@x\n"
                        "alias two \\\n"
                        "  lines@x\n"
                        "alias\n"             /* line 4 */
                        "alias b \"b <b@x>\n" /* line 5 */
                        "alias c c@x\n";
    TM_CHECK_INT(tm_alias_parse_buffer(&set, "my.aliases", data, sizeof(data) - 1, &err),
                 TM_EPARSE);
    TM_CHECK_INT(err.status, TM_EPARSE);
    TM_CHECK(strncmp(err.message, "my.aliases:4: alias needs a key and an address", 46) == 0);
    TM_CHECK_INT(set.count, 3);
    TM_CHECK_STR(tm_alias_lookup(&set, "c"), "c@x");
    tm_alias_set_cleanup(&set);
}

TM_TEST(alias_load_file_missing_and_present)
{
    struct tm_alias_set set = {0};
    struct tm_error err;
    const char *dir = tm_test_tmpdir();
    char path[600];
    snprintf(path, sizeof(path), "%s/none", dir);
    TM_CHECK_INT(tm_alias_load_file(&set, path, &err), TM_ENOENT);
    const char *file = write_rc(dir, "aliases", "alias bob Bob <bob@x>\nalias\n", 0600);
    snprintf(path, sizeof(path), "%s", file);
    TM_CHECK_INT(tm_alias_load_file(&set, path, &err), TM_EPARSE);
    TM_CHECK(strstr(err.message, "/aliases:2: alias needs"));
    TM_CHECK_STR(tm_alias_lookup(&set, "BOB"), "Bob <bob@x>");
    tm_alias_set_cleanup(&set);
}

TM_TEST(alias_lookup_is_exact_without_case)
{
    struct tm_alias_set set = {0};
    TM_CHECK(tm_alias_lookup(&set, "bob") == NULL);
    TM_CHECK_INT(line(&set, "alias Bob bob@x", false, NULL), TM_OK);
    TM_CHECK_STR(tm_alias_lookup(&set, "bob"), "bob@x");
    TM_CHECK_STR(tm_alias_lookup(&set, "BOB"), "bob@x");
    TM_CHECK(tm_alias_lookup(&set, "bo") == NULL);
    TM_CHECK(tm_alias_lookup(&set, "bobb") == NULL);
    TM_CHECK(tm_alias_lookup(&set, NULL) == NULL);
    tm_alias_set_cleanup(&set);
}

/* What completion called back with: the keys, space-separated. */
struct seen {
    char keys[256];
    int n, stop_after;
};

static int take_alias(void *ctx, const struct tm_alias *a)
{
    struct seen *s = ctx;
    size_t len = strlen(s->keys);
    snprintf(s->keys + len, sizeof(s->keys) - len, "%s%s", len ? " " : "", a->key);
    s->n++;
    return s->stop_after && s->n >= s->stop_after;
}

static const char *complete(const struct tm_alias_set *set, const char *prefix)
{
    static struct seen s;
    memset(&s, 0, sizeof(s));
    tm_alias_complete(set, prefix, take_alias, &s);
    return s.keys;
}

TM_TEST(alias_complete_by_key_address_or_name)
{
    struct tm_alias_set set = {0};
    const char data[] = "alias bob Bob Smith <bsmith@example.org>\n"
                        "alias team \"Jones, Ann\" <ann@x>, carol@example.org (Carol King)\n"
                        "alias friends Friends: dave@x, eve@y;\n"
                        "alias pat Pat O'Brien <pat@x>\n"
                        "alias odd \"Ann <not an address>\" <real@x>\n";
    TM_CHECK_INT(tm_alias_parse_buffer(&set, "a", data, sizeof(data) - 1, NULL), TM_OK);
    TM_CHECK_STR(complete(&set, ""), "bob team friends pat odd");
    TM_CHECK_STR(complete(&set, NULL), "bob team friends pat odd");
    TM_CHECK_STR(complete(&set, "B"), "bob");         /* key and address */
    TM_CHECK_STR(complete(&set, "bob sm"), "bob");    /* the display name */
    TM_CHECK_STR(complete(&set, "smith"), "");        /* a prefix, not a word */
    TM_CHECK_STR(complete(&set, "jones, a"), "team"); /* a quoted name, unquoted */
    TM_CHECK_STR(complete(&set, "CAROL"), "team");    /* the second address */
    TM_CHECK_STR(complete(&set, "carol k"), "team");  /* a name in a comment */
    TM_CHECK_STR(complete(&set, "ann"), "team odd");  /* an address, a name */
    TM_CHECK_STR(complete(&set, "fr"), "friends");    /* a key and a group name */
    TM_CHECK_STR(complete(&set, "eve"), "friends");   /* the end of a group */
    TM_CHECK_STR(complete(&set, "dave@"), "friends"); /* its first member */
    TM_CHECK_STR(complete(&set, "pat o'"), "pat");
    TM_CHECK_STR(complete(&set, "real"), "odd");
    TM_CHECK_STR(complete(&set, "not"), ""); /* inside quotes: text, not an address */
    TM_CHECK_STR(complete(&set, "zz"), "");
    struct seen s = {.stop_after = 2};
    tm_alias_complete(&set, "", take_alias, &s);
    TM_CHECK_INT(s.n, 2);
    tm_alias_set_cleanup(&set);
}

/* tm_alias_expand_list of list, or "(error)". */
static const char *expand(const struct tm_alias_set *set, const char *list)
{
    static char out[512];
    char *got = NULL;
    if (tm_alias_expand_list(set, list, &got, NULL) != TM_OK || !got)
        return "(error)";
    snprintf(out, sizeof(out), "%s", got);
    free(got);
    return out;
}

TM_TEST(alias_expand_list_replaces_only_keys)
{
    struct tm_alias_set set = {0};
    const char data[] = "alias bob Bob <bob@x>\n"
                        "alias team bob, carol@y\n"
                        "alias x@y at-sign@z\n";
    TM_CHECK_INT(tm_alias_parse_buffer(&set, "a", data, sizeof(data) - 1, NULL), TM_OK);
    TM_CHECK_STR(expand(&set, "bob"), "Bob <bob@x>");
    TM_CHECK_STR(expand(&set, "BOB, carol@y"), "Bob <bob@x>, carol@y");
    TM_CHECK_STR(expand(&set, " bob ,carol"), " Bob <bob@x> ,carol"); /* spacing kept */
    TM_CHECK_STR(expand(&set, "team"), "bob, carol@y");               /* one level only */
    TM_CHECK_STR(expand(&set, "x@y, <bob>"), "x@y, <bob>");           /* not keys */
    TM_CHECK_STR(expand(&set, "\"Smith, bob\" <s@x>, bob"), "\"Smith, bob\" <s@x>, Bob <bob@x>");
    TM_CHECK_STR(expand(&set, "bob (bob), bob"), "bob (bob), Bob <bob@x>");
    TM_CHECK_STR(expand(&set, "bob,,bob,"), "Bob <bob@x>,,Bob <bob@x>,");
    TM_CHECK_STR(expand(&set, "bobby"), "bobby");
    TM_CHECK_STR(expand(&set, ""), "");
    TM_CHECK_STR(expand(&set, NULL), "");
    tm_alias_set_cleanup(&set);
    TM_CHECK_STR(expand(&set, "bob"), "bob"); /* an empty set */
}

/* ---- in the configuration ---- */

TM_TEST(config_alias_lines_land_in_cfg_and_bad_ones_are_diagnosed)
{
    struct tm_config *cfg = parse_text("set beep = no\n"
                                       "alias bob \"Smith, Bob\" <bob@x> # from work\n"
                                       "alias ob Pat O'Brien <pat@x>\n"
                                       "alias\n"
                                       "alias b\\tb x@y\n"
                                       "alais x y@z\n"
                                       "account work\n"
                                       "  set from = w@x imap = imaps://w@x\n"
                                       "  alias inner inner@x\n"
                                       "end\n"
                                       "alias gone g@x\n"
                                       "unalias gone\n"
                                       "'alias' quoted q@x\n");
    TM_CHECK_INT(cfg->aliases.count, 4);
    TM_CHECK_STR(tm_alias_lookup(&cfg->aliases, "bob"), "\"Smith, Bob\" <bob@x>");
    TM_CHECK_STR(cfg->aliases.items[0].comment, "from work");
    TM_CHECK_STR(tm_alias_lookup(&cfg->aliases, "ob"), "Pat O'Brien <pat@x>");
    TM_CHECK_STR(tm_alias_lookup(&cfg->aliases, "inner"), "inner@x");
    TM_CHECK_STR(tm_alias_lookup(&cfg->aliases, "quoted"), "q@x");
    TM_CHECK(tm_alias_lookup(&cfg->aliases, "gone") == NULL);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 4, "alias needs a key and an address"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 5, "has spaces, control characters"));
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 6, "did you mean \"alias\"?"));
    TM_CHECK_INT(cfg->n_errors, 3);
    TM_CHECK(cfg->settings.beep == false);
    struct tm_buf out;
    tm_buf_init(&out, 0);
    TM_CHECK_INT(tm_config_format_diag(&cfg->diags[0], &out), TM_OK);
    TM_CHECK_STR(out.data, "test.rc:4: alias needs a key and an address\n");
    tm_buf_cleanup(&out);
    tm_config_free(&cfg);
}

static const char *home_dir;

static const char *home_env(void *ctx, const char *name)
{
    (void)ctx;
    return strcmp(name, "HOME") == 0 ? home_dir : NULL;
}

TM_TEST(config_alias_file_is_read_after_the_rc_with_its_problems)
{
    const char *dir = tm_test_tmpdir();
    char rc[700];
    home_dir = dir;
    write_rc(dir, "aliases",
             "# written by mutt\n"
             "set sort = date\n"
             "alias bob \\\"Bob B.\\\" <bob@new>\n"
             "alias\n"
             "alias carol carol@y\n"
             "alias dave \"dave\n",
             0600);
    snprintf(rc, sizeof(rc), "%s",
             write_rc(dir, "tmailrc",
                      "set alias_file=~/aliases\n" /* ~ inside a word: the loader expands it */
                      "alias bob bob@old\n"
                      "alias ann ann@x\n",
                      0600));
    struct tm_config *cfg = NULL;
    struct tm_error err;
    const struct tm_config_env env = {home_env, NULL, NULL};
    TM_CHECK_INT(tm_config_load_file(rc, &env, &cfg, &err), TM_OK);
    TM_CHECK_INT(cfg->aliases.count, 3);
    TM_CHECK_STR(cfg->aliases.items[0].key, "bob"); /* replaced in place by the file's */
    TM_CHECK_STR(cfg->aliases.items[0].value, "\"Bob B.\" <bob@new>");
    TM_CHECK_STR(cfg->aliases.items[1].key, "ann");
    TM_CHECK_STR(cfg->aliases.items[2].key, "carol");
    struct tm_buf report;
    tm_buf_init(&report, 0);
    for (size_t i = 0; i < cfg->n_diags; i++)
        tm_config_format_diag(&cfg->diags[i], &report);
    char want[800];
    snprintf(want, sizeof(want),
             "%s/aliases:4: alias needs a key and an address\n"
             "%s/aliases:6: unclosed \" quote in an alias line\n",
             dir, dir);
    TM_CHECK_STR(report.data, want);
    TM_CHECK_INT(cfg->n_errors, 2);
    tm_buf_cleanup(&report);
    tm_config_free(&cfg);
}

TM_TEST(config_alias_file_missing_is_fine_unreadable_is_not)
{
    const char *dir = tm_test_tmpdir();
    char rc[700], set[700];
    struct tm_config *cfg = NULL;
    struct tm_error err;
    snprintf(set, sizeof(set), "set alias_file = %s/not-yet\nalias a a@x\n", dir);
    snprintf(rc, sizeof(rc), "%s", write_rc(dir, "tmailrc", set, 0600));
    TM_CHECK_INT(tm_config_load_file(rc, &test_env, &cfg, &err), TM_OK);
    TM_CHECK_INT(cfg->n_diags, 0);
    TM_CHECK_INT(cfg->aliases.count, 1);
    tm_config_free(&cfg);
    snprintf(set, sizeof(set), "set alias_file = %s\n", dir); /* a directory */
    snprintf(rc, sizeof(rc), "%s", write_rc(dir, "tmailrc", set, 0600));
    TM_CHECK_INT(tm_config_load_file(rc, &test_env, &cfg, &err), TM_OK);
    TM_CHECK(has_diag(cfg, TM_CONFIG_ERROR, 0, "not a regular file"));
    tm_config_free(&cfg);
    /* the pure parser never touches the file */
    cfg = parse_text("set alias_file = /nonexistent/dir/aliases\n");
    TM_CHECK_STR(cfg->settings.alias_file, "/nonexistent/dir/aliases");
    TM_CHECK_INT(cfg->n_diags, 0);
    tm_config_free(&cfg);
}
