/* sasl.h - client messages of SASL mechanisms (RFC 4422): PLAIN (RFC 4616), LOGIN, XOAUTH2,
 * OAUTHBEARER (RFC 7628) and SCRAM-SHA-256 (RFC 5802, RFC 7677). Pure: no I/O. The outputs carry
 * credentials: send them with tm_stream_write_secret and wipe the buffers after. */
#ifndef TMAIL_SASL_H
#define TMAIL_SASL_H

#include "tmail/buf.h"
#include "tmail/status.h"

/* Appends base64(authzid NUL user NUL pass) to out; authzid may be NULL (empty). */
enum tm_status tm_sasl_plain(const char *authzid, const char *user, const char *pass,
                             struct tm_buf *out, struct tm_error *err);

/* Appends base64(value) to out: the answer to one LOGIN prompt (user name, then password). */
enum tm_status tm_sasl_login_step(const char *value, struct tm_buf *out, struct tm_error *err);

/* Appends base64("user=" user ^A "auth=Bearer " token ^A ^A) to out. TM_ECONFIG when a field
 * contains ^A. */
enum tm_status tm_sasl_xoauth2(const char *user, const char *token, struct tm_buf *out,
                               struct tm_error *err);

/* Appends the base64 OAUTHBEARER initial response: "n,a=" user (',' and '=' escaped) "," ^A
 * "host=" host ^A "port=" port ^A "auth=Bearer " token ^A ^A. host NULL or port <= 0 leave that
 * key out. TM_ECONFIG when a field contains ^A. */
enum tm_status tm_sasl_oauthbearer(const char *user, const char *host, int port, const char *token,
                                   struct tm_buf *out, struct tm_error *err);

/* SCRAM-SHA-256 client side, without channel binding (gs2 header "n,,"). Steps in order:
 * client_first, client_final (with the server's first message), verify_server (with its final
 * message); a step out of order is TM_EPROTO. Inputs and outputs are base64 as they travel in
 * IMAP AUTHENTICATE, POP3 AUTH and SMTP AUTH. */
struct tm_scram;

/* Copies user and pass. SASLprep (RFC 4013) is not applied: ASCII passes unchanged, as SASLprep
 * would leave printable ASCII, and non-ASCII UTF-8 passes through byte for byte (servers that
 * normalise differently will refuse such passwords). ',' and '=' in user are escaped. */
enum tm_status tm_scram_new(const char *user, const char *pass, struct tm_scram **out,
                            struct tm_error *err);

/* Appends base64("n,,n=" user ",r=" nonce) to out_b64; the nonce is 24 random bytes in base64. */
enum tm_status tm_scram_client_first(struct tm_scram *s, struct tm_buf *out_b64,
                                     struct tm_error *err);

/* Checks the server-first-message and appends base64 of the client-final-message (with the
 * proof) to out_b64. The server nonce must extend ours, the salt must be valid non-empty
 * base64, and the iteration count must be within 4096..1000000: fewer than RFC 7677's minimum
 * would weaken the proof, more would let a server stall the client. Mandatory extensions (m=)
 * are refused. TM_EPROTO on any violation; the password copy is wiped once the keys exist. */
enum tm_status tm_scram_client_final(struct tm_scram *s, const char *server_first_b64,
                                     struct tm_buf *out_b64, struct tm_error *err);

/* Checks the server-final-message: TM_OK when its signature proves the server knows the salted
 * password; TM_EAUTH on a wrong signature or an "e=" error; TM_EPROTO when malformed. */
enum tm_status tm_scram_verify_server(struct tm_scram *s, const char *server_final_b64,
                                      struct tm_error *err);

/* Wipes all key material and frees *pp; sets *pp to NULL. Accepts NULL. */
void tm_scram_free(struct tm_scram **pp);

#endif
