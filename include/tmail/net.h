/* net.h - byte streams to servers: TCP, TLS on top (implicit or STARTTLS), deflate compression on
 * top of either (IMAP COMPRESS, RFC 4978), and a scripted stream for transcript tests. Used from a
 * backend's worker thread; never prints, logs through tm_log. */
#ifndef TMAIL_NET_H
#define TMAIL_NET_H

#include <stdbool.h>
#include <stddef.h>

#include "tmail/buf.h"
#include "tmail/status.h"

/* One connection. Not thread-safe: one thread uses it at a time. */
struct tm_stream;

struct tm_tls_opts {
    const char *ca_file; /* PEM CA file to trust instead of the system store; NULL: system store */
    const char *fingerprint; /* "sha256:" + 64 hex digits (colons and case ignored) or NULL */
    const char *server_name; /* name to verify and send as SNI; NULL: the host */
};

/* All strings are copied by tm_stream_connect; cancel stays borrowed for the stream's life. */
struct tm_stream_opts {
    const char *host; /* name or IP literal (IPv6 without brackets) */
    int port;
    const char *bind_addr;  /* local source address or NULL (tests bind 127.0.0.2) */
    int connect_timeout_ms; /* per address, and for the TLS handshake; <= 0: 30000 */
    int io_timeout_ms; /* a read or write that makes no progress for this long fails with TM_ENET
                          "timed out"; <= 0: 60000 */
    const volatile int *cancel; /* nonzero: blocking calls return TM_ECANCELED within ~250 ms; may
                                   be NULL */
    bool implicit_tls;          /* handshake right after connect (imaps/pops/smtps) */
    struct tm_tls_opts tls;
    /* e.g. "imap": wire trace at TM_LOG_DEBUG as "imap< line" / "imap> line"; NULL: none */
    const char *trace_label;
};

/* Resolves host, connects to each address in turn (connect_timeout_ms each) and, with
 * implicit_tls, completes the TLS handshake. On success *out is a new stream (tm_stream_close it).
 * TM_ENET ("cannot connect to HOST:PORT: Connection refused", the last address's error), TM_ETLS
 * (handshake or verification), TM_ECONFIG (bad options such as a malformed fingerprint),
 * TM_ECANCELED. TLS: at least TLS 1.2; the chain is checked against ca_file or the system store
 * and the name against server_name (or host; IP literals as addresses); when a fingerprint is set
 * a matching leaf certificate is trusted without those checks and a different one always fails. */
enum tm_status tm_stream_connect(const struct tm_stream_opts *opts, struct tm_stream **out,
                                 struct tm_error *err);

/* Upgrades a plain stream to TLS (STARTTLS), with the checks of tm_stream_connect. Fails with
 * TM_ETLS, and leaves the stream unusable, when the peer already sent bytes that are buffered but
 * unread (response injection, CVE-2020-14954): those bytes are discarded, never parsed. A failed
 * handshake also leaves the stream unusable (every later call fails). */
enum tm_status tm_stream_starttls(struct tm_stream *s, struct tm_error *err);

/* Starts RFC 4978 COMPRESS=DEFLATE in both directions: call it right after reading the server's
 * OK to COMPRESS DEFLATE. From then on every write is raw deflate (RFC 1951, no zlib header)
 * ending in a sync flush, so the server never waits for the rest of a command, and every read is
 * inflated; bytes the server sent after its OK that are already buffered are compressed data and
 * go through the inflater too. Reads, timeouts, cancel, tm_stream_wait and the wire trace (plain
 * text) work as before. An inflated read never exceeds the caller's buffer (line cap, literal
 * size), so a decompression bomb cannot make the stream allocate. Corrupt compressed data is
 * TM_EPROTO naming the server, on that read and every later one. Fails with TM_ENOTSUP when the
 * stream is compressed already, TM_ENOMEM; a failure leaves the stream unusable. */
enum tm_status tm_stream_compress(struct tm_stream *s, struct tm_error *err);

bool tm_stream_is_compressed(const struct tm_stream *s);

/* Sends TLS close_notify best-effort (never blocks long), closes and frees *pp; sets *pp to NULL.
 * Accepts NULL and *pp == NULL. */
void tm_stream_close(struct tm_stream **pp);

bool tm_stream_is_tls(const struct tm_stream *s);

/* Bytes received but not yet read. */
size_t tm_stream_buffered(const struct tm_stream *s);

/* True when a read may return input without waiting for the socket: bytes are buffered here, or
 * a layer (TLS, compression) holds some. False means the next read may block. */
bool tm_stream_input_ready(const struct tm_stream *s);

/* Writes the numeric local address of the connection into out ("192.0.2.7", "2001:db8::7"; an
 * IPv4-mapped IPv6 address as IPv4), for an SMTP EHLO address literal. A stream without a
 * socket (the scripted stream) reports "127.0.0.1". TM_ENET when the socket cannot tell,
 * TM_ELIMIT when size is too small (INET6_ADDRSTRLEN is enough); out is "" on failure. */
enum tm_status tm_stream_local_address(const struct tm_stream *s, char *out, size_t size);

/* Appends one line WITHOUT its CRLF (a bare LF also ends a line) to line. TM_ELIMIT when the line
 * is longer than max bytes (the rest of that line is NOT consumed; the stream should be treated as
 * broken), TM_ENET on EOF/reset/timeout, TM_ECANCELED. NUL bytes inside a line are kept (callers
 * check). On failure line keeps its previous contents. */
enum tm_status tm_stream_read_line(struct tm_stream *s, struct tm_buf *line, size_t max,
                                   struct tm_error *err);

/* Reads exactly n bytes into buf (buffered bytes first). */
enum tm_status tm_stream_read_exact(struct tm_stream *s, void *buf, size_t n, struct tm_error *err);

/* Writes all of data[0..len). */
enum tm_status tm_stream_write(struct tm_stream *s, const void *data, size_t len,
                               struct tm_error *err);

/* Same, but the wire trace shows "<secret, N bytes>" instead of data (AUTHENTICATE / LOGIN
 * lines). */
enum tm_status tm_stream_write_secret(struct tm_stream *s, const void *data, size_t len,
                                      struct tm_error *err);

enum tm_wait { TM_WAIT_DATA, TM_WAIT_TIMEOUT, TM_WAIT_WOKEN };

/* Waits until input is readable (or already buffered), timeout_ms passes (< 0: no limit), or
 * wake_fd (>= 0) becomes readable (wake_fd is not read); input wins when both are ready. For IMAP
 * IDLE. Honours cancel (TM_ECANCELED); a connection closed while waiting is TM_ENET. */
enum tm_status tm_stream_wait(struct tm_stream *s, int timeout_ms, int wake_fd,
                              enum tm_wait *result, struct tm_error *err);

/* Changes the io timeout of later reads and writes; <= 0: 60000. */
void tm_stream_set_io_timeout(struct tm_stream *s, int io_timeout_ms);

/* Scripted stream for transcript tests (STYLE.md "Transcript tests"): script is a sequence of lines
 *   "S: text"  the server sends text + CRLF (consecutive S: lines are all readable at once, i.e.
 *              they are buffered together, so a test can put data after a STARTTLS OK that
 *              tm_stream_starttls must refuse)
 *   "C: text"  the client must send exactly text + CRLF next (writes may be split or merged)
 *   "T:"       the client must call tm_stream_starttls here (then the stream reports is_tls)
 *   "X:"       the server closes the connection: reads return TM_ENET
 *   "W:"       reading blocks until timeout: the read returns TM_ENET "timed out" at once
 *   "P: ms"    the server pauses: a read that reaches this line sleeps ms (at most 60000) first
 * Lines are separated by '\n'; empty lines are skipped; any other line is TM_EPARSE here. Any
 * mismatch (unexpected bytes written, a read while the script expects the client to write, the
 * script ended) makes the call fail with TM_EPROTO and an error naming the script line number,
 * what was expected and what came. tm_stream_wait on a scripted stream returns at once: DATA when
 * bytes are buffered or the next line is S: or X:, else WOKEN when wake_fd is readable, else
 * TIMEOUT (consuming a W: line). The script is copied. */
enum tm_status tm_stream_scripted_new(const char *script, struct tm_stream **out,
                                      struct tm_error *err);

/* TM_OK when the whole script was played; else TM_EPROTO with what is left. */
enum tm_status tm_stream_scripted_finish(struct tm_stream *s, struct tm_error *err);

#endif
