/* setup.c - the first-run setup (S, setup-account): asks for one IMAP or POP3 account with
 * server names guessed from the address's domain, and writes a starter ~/.tmailrc (0600, never
 * over an existing file). */
#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "private.h"
#include "tmail/i18n.h"
#include "tmail/str.h"

/* Asks with a suggested answer in out; false when cancelled. */
static bool ask(struct app *app, const char *question, const char *suggestion, char *out,
                size_t size)
{
    size_t n = suggestion ? strlen(suggestion) : 0;
    if (n >= size)
        n = size - 1;
    memmove(out, suggestion ? suggestion : "", n);
    out[n] = 0;
    return prompt_line(app, question, out, size);
}

static bool ask_port(struct app *app, const char *question, int def, int *port)
{
    char text[16];
    int64_t v;
    snprintf(text, sizeof(text), "%d", def);
    if (!prompt_line(app, question, text, sizeof(text)))
        return false;
    *port = tm_str_to_i64(text, &v) && v > 0 && v < 65536 ? (int)v : def;
    return true;
}

static bool write_rc(struct app *app, const char *path, const struct tm_buf *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        app_set_message(app, _("Cannot write %s: %s"), path, strerror(errno));
        return false;
    }
    bool ok = write(fd, text->data, text->len) == (ssize_t)text->len && fsync(fd) == 0;
    if (close(fd) != 0 || !ok) {
        app_set_message(app, _("Cannot write %s: %s"), path, strerror(errno));
        unlink(path);
        return false;
    }
    return true;
}

void setup_run(struct app *app)
{
    const char *home = getenv("HOME");
    char path[1024], addr[256], name[256], rhost[256], shost[256], cmd[512], guess[300];
    if (!home || snprintf(path, sizeof(path), "%s/.tmailrc", home) >= (int)sizeof(path))
        return;
    if (access(path, F_OK) == 0) {
        app_set_message(app, _("%s exists: edit it, then type :source %s"), path, path);
        return;
    }
    bool pop3 = !prompt_yes_no(app, _("Read mail over IMAP (no: POP3)?"));
    struct tm_config_starter in = {.pop3 = pop3};
    if (!ask(app, _("Email address: "), "", addr, sizeof(addr)) || !addr[0] ||
        !ask(app, _("Your name: "), "", name, sizeof(name)) ||
        !ask(app, pop3 ? _("POP3 server: ") : _("IMAP server: "),
             tm_config_guess_host(addr, pop3 ? "pop" : "imap", guess, sizeof(guess)) ? guess : "",
             rhost, sizeof(rhost)) ||
        !ask_port(app, _("Port (implicit TLS): "), pop3 ? 995 : 993, &in.read_port) ||
        !ask(app, _("SMTP server: "),
             tm_config_guess_host(addr, "smtp", guess, sizeof(guess)) ? guess : "", shost,
             sizeof(shost)) ||
        !ask_port(app, _("SMTP port (587 STARTTLS, 465 TLS): "), 587, &in.smtp_port) ||
        !ask(app, _("Password command (empty: ask when connecting): "), "", cmd, sizeof(cmd))) {
        app_set_message(app, "%s", _("Setup cancelled."));
        return;
    }
    in.address = addr;
    in.name = name;
    in.read_host = rhost;
    in.smtp_host = shost;
    in.password_cmd = cmd;
    struct tm_buf text;
    struct tm_error err;
    tm_buf_init(&text, 0);
    tm_error_clear(&err);
    if (tm_config_starter_text(&in, &text, &err) != TM_OK)
        app_set_message(app, "%s", err.message);
    else if (write_rc(app, path, &text))
        app_set_message(app,
                        _("Wrote %s. Reading IMAP and POP3 accounts comes in a later "
                          "version; the demo stays open."),
                        path);
    tm_buf_cleanup(&text);
}
