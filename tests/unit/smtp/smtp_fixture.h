/* smtp_fixture.h - what the SMTP transcript tests share: a session for alice at
 * smtp.example:587 (STARTTLS required, EHLO name client.example) over a scripted server, a
 * secret provider that counts its calls, and the server lines of a usual opening. */
#ifndef TM_SMTP_FIXTURE_H
#define TM_SMTP_FIXTURE_H

#include "src/backend/smtp/private.h"

struct sfx {
    struct tm_smtp_opts o;
    struct tm_smtp *s;
    struct tm_error err;
    const char *secret; /* what the provider gives: "secret" unless a test changes it */
    int secret_calls, forget_calls;
    enum tm_secret asked, forgotten;
    volatile int cancel;
};

/* Options for smtp.example:587 with the scripted server playing script; no user (no AUTH). */
void sfx_init(struct sfx *f, const char *script);
/* The first step of tm_smtp_open with a fixed SCRAM nonce ("rOprNGfwEbeRWgbNEkqO", RFC 7677),
 * then the handshake; the session stays (dead on failure) so that the script can be checked. */
enum tm_status sfx_open(struct sfx *f);
/* Fails the running test unless the script was played to its end. */
void sfx_finish_at(struct sfx *f, const char *file, int line);
#define sfx_finish(f) sfx_finish_at((f), __FILE__, __LINE__)
void sfx_close(struct sfx *f);

/* base64 of text (static storage, valid until the next call). */
const char *sfx_b64(const char *text);

#define GREETING "S: 220 smtp.example ESMTP ready\n"
/* Greeting, EHLO offering STARTTLS, STARTTLS, and the second EHLO up to its first line: the
 * test adds the extension lines (the last one "S: 250 ..."). */
#define OPENING                                                                                    \
    GREETING "C: EHLO client.example\n"                                                            \
             "S: 250-smtp.example\n"                                                               \
             "S: 250-SIZE 1000\n"                                                                  \
             "S: 250 STARTTLS\n"                                                                   \
             "C: STARTTLS\n"                                                                       \
             "S: 220 2.0.0 Ready to start TLS\n"                                                   \
             "T:\n"                                                                                \
             "C: EHLO client.example\n"                                                            \
             "S: 250-smtp.example hello\n"

#endif
