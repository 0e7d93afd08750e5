/* tcp.c - tm_stream_connect: name resolution, non-blocking connect with a timeout per address,
 * and the TCP layer (send with MSG_NOSIGNAL, so a closed peer never raises SIGPIPE). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/net/private.h"
#include "tmail/i18n.h"
#include "tmail/log.h"
#include "tmail/str.h"

static enum tm_status tcp_read(struct net_layer *l, void *buf, size_t cap, size_t *got, short *want,
                               struct tm_error *err)
{
    for (;;) {
        ssize_t n = recv(l->fd, buf, cap, 0);
        if (n >= 0) {
            *got = (size_t)n; /* 0: orderly end of input */
            return TM_OK;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            *want = POLLIN;
            return TM_OK;
        }
        if (errno != EINTR)
            return tm_error_errno(err, TM_ENET, errno, _("cannot read from %s"), l->stream->peer);
    }
}

static enum tm_status tcp_write(struct net_layer *l, const void *data, size_t len, size_t *put,
                                short *want, struct tm_error *err)
{
    for (;;) {
        ssize_t n = send(l->fd, data, len, MSG_NOSIGNAL);
        if (n >= 0) {
            *put = (size_t)n;
            return TM_OK;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            *want = POLLOUT;
            return TM_OK;
        }
        if (errno != EINTR)
            return tm_error_errno(err, TM_ENET, errno, _("cannot send to %s"), l->stream->peer);
    }
}

static void tcp_free(struct net_layer *l)
{
    if (!l)
        return;
    if (l->fd >= 0)
        close(l->fd);
    free(l);
}

static const struct net_layer_ops tcp_ops = {
    .read = tcp_read,
    .write = tcp_write,
    .starttls = net_tls_start,
    .free = tcp_free,
};

void net_stream_free_opts(struct tm_stream *s)
{
    free(s->ca_file);
    free(s->server_name);
    s->ca_file = s->server_name = NULL;
    explicit_bzero(s->pin, sizeof(s->pin));
}

/* Binds fd to the numeric local address bind_addr of the given family. */
static enum tm_status bind_local(struct tm_stream *s, int fd, int family, const char *bind_addr,
                                 struct tm_error *err)
{
    struct addrinfo hints = {
        .ai_family = family, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST | AI_PASSIVE};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(bind_addr, NULL, &hints, &res);
    if (rc != 0)
        return tm_error_set(err, TM_ENET, _("cannot connect to %s from %s: %s"), s->peer, bind_addr,
                            gai_strerror(rc));
    enum tm_status st = TM_OK;
    if (bind(fd, res->ai_addr, res->ai_addrlen) != 0)
        st = tm_error_errno(err, TM_ENET, errno, _("cannot connect to %s from %s"), s->peer,
                            bind_addr);
    freeaddrinfo(res);
    return st;
}

/* Connects a new non-blocking socket to ai within timeout_ms; *fd_out on success. */
static enum tm_status connect_one(struct tm_stream *s, const struct addrinfo *ai,
                                  const char *bind_addr, int *fd_out, struct tm_error *err)
{
    enum tm_status st = TM_OK;
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0)
        return tm_error_errno(err, TM_ENET, errno, _("cannot connect to %s"), s->peer);
#ifdef SO_NOSIGPIPE
    int one_nsp = 1;
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one_nsp, sizeof(one_nsp));
#endif
    if (bind_addr && (st = bind_local(s, fd, ai->ai_family, bind_addr, err)) != TM_OK)
        goto out;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            st = tm_error_errno(err, TM_ENET, errno, _("cannot connect to %s"), s->peer);
            goto out;
        }
        int64_t deadline = net_now_ms() + s->connect_timeout_ms;
        st = net_poll(s, fd, POLLOUT, deadline, s->connect_timeout_ms, err);
        if (st == TM_ENET)
            tm_error_set(err, st, _("cannot connect to %s: timed out after %d ms"), s->peer,
                         s->connect_timeout_ms);
        if (st)
            goto out;
        int soerr = 0;
        socklen_t len = sizeof(soerr);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
            soerr = errno;
        if (soerr) {
            st = tm_error_errno(err, TM_ENET, soerr, _("cannot connect to %s"), s->peer);
            goto out;
        }
    }
    int one = 1; /* commands are small and answered one by one: no Nagle delay */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
out:
    if (st)
        close(fd);
    else
        *fd_out = fd;
    return st;
}

static void log_attempt(const struct tm_stream *s, const struct addrinfo *ai)
{
    char addr[NI_MAXHOST];
    if (getnameinfo(ai->ai_addr, ai->ai_addrlen, addr, sizeof(addr), NULL, 0, NI_NUMERICHOST))
        snprintf(addr, sizeof(addr), "?");
    tm_log(TM_LOG_DEBUG, "net: connecting to %s (%s)", s->peer, addr);
}

/* Tries each address of the host in turn; the error is the last address's. */
static enum tm_status tcp_connect(struct tm_stream *s, const char *bind_addr, int *fd_out,
                                  struct tm_error *err)
{
    char port[16];
    snprintf(port, sizeof(port), "%d", s->port);
    /* No AI_ADDRCONFIG: it hides ::1 and 127.0.0.1 on hosts without other addresses. */
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int rc = getaddrinfo(s->host, port, &hints, &res);
    if (rc != 0)
        return tm_error_set(err, TM_ENET, _("cannot resolve %s: %s"), s->host, gai_strerror(rc));
    enum tm_status st = tm_error_set(err, TM_ENET, _("cannot connect to %s: no address"), s->peer);
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        log_attempt(s, ai);
        st = connect_one(s, ai, bind_addr, fd_out, err);
        if (st == TM_OK || st == TM_ECANCELED)
            break;
    }
    freeaddrinfo(res);
    return st;
}

/* Copies what the stream keeps of opts and checks it. */
static enum tm_status take_opts(struct tm_stream *s, const struct tm_stream_opts *o,
                                struct tm_error *err)
{
    const struct tm_tls_opts *t = &o->tls;
    if (t->ca_file && !(s->ca_file = tm_strndup(t->ca_file, strlen(t->ca_file))))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (t->server_name && !(s->server_name = tm_strndup(t->server_name, strlen(t->server_name))))
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    if (t->fingerprint) {
        enum tm_status st = net_tls_parse_pin(t->fingerprint, s->pin, err);
        if (st)
            return st;
        s->has_pin = true;
    }
    if (o->bind_addr) {
        struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST};
        struct addrinfo *res = NULL;
        if (getaddrinfo(o->bind_addr, NULL, &hints, &res) != 0)
            return tm_error_set(err, TM_ECONFIG, _("bind address \"%s\" is not an IP address"),
                                o->bind_addr);
        freeaddrinfo(res);
    }
    s->cancel = o->cancel;
    s->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 30000;
    tm_stream_set_io_timeout(s, o->io_timeout_ms);
    if (o->trace_label && tm_log_enabled(TM_LOG_DEBUG)) /* else every line would be made
                                                            printable for nothing */
        snprintf(s->trace, sizeof(s->trace), "%s", o->trace_label);
    return TM_OK;
}

enum tm_status tm_stream_connect(const struct tm_stream_opts *opts, struct tm_stream **out,
                                 struct tm_error *err)
{
    enum tm_status st;
    struct tm_stream *s = NULL;
    int fd = -1;
    *out = NULL;
    if (!opts->host || !opts->host[0] || opts->port <= 0 || opts->port > 65535)
        return tm_error_set(err, TM_ECONFIG, _("cannot connect: no host or a bad port (%d)"),
                            opts->port);
    s = net_stream_new(opts->host, opts->port);
    if (!s)
        return tm_error_set(err, TM_ENOMEM, _("out of memory"));
    st = take_opts(s, opts, err);
    if (st)
        goto out;
    st = tcp_connect(s, opts->bind_addr, &fd, err);
    if (st)
        goto out;
    s->top = calloc(1, sizeof(*s->top));
    if (!s->top) {
        close(fd);
        st = tm_error_set(err, TM_ENOMEM, _("out of memory"));
        goto out;
    }
    *s->top = (struct net_layer){.ops = &tcp_ops, .stream = s, .fd = fd};
    tm_log(TM_LOG_INFO, "net: connected to %s", s->peer);
    if (opts->implicit_tls)
        st = net_tls_start(s, err);
out:
    if (st)
        tm_stream_close(&s);
    *out = s;
    return st;
}

enum tm_status tm_stream_local_address(const struct tm_stream *s, char *out, size_t size)
{
    char text[INET6_ADDRSTRLEN] = "127.0.0.1";
    if (size)
        out[0] = 0;
    if (s->top && s->top->fd >= 0) { /* TLS shares the TCP layer's socket */
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        struct in_addr v4;
        const void *addr = NULL;
        int family = AF_UNSPEC;
        if (getsockname(s->top->fd, (struct sockaddr *)&ss, &len) != 0)
            return TM_ENET;
        if (ss.ss_family == AF_INET) {
            family = AF_INET;
            addr = &((const struct sockaddr_in *)&ss)->sin_addr;
        } else if (ss.ss_family == AF_INET6) {
            const struct in6_addr *a6 = &((const struct sockaddr_in6 *)&ss)->sin6_addr;
            family = AF_INET6;
            addr = a6;
            if (IN6_IS_ADDR_V4MAPPED(a6)) {
                memcpy(&v4, a6->s6_addr + 12, sizeof(v4));
                family = AF_INET;
                addr = &v4;
            }
        }
        if (!addr || !inet_ntop(family, addr, text, sizeof(text)))
            return TM_ENET;
    }
    size_t n = strlen(text);
    if (n >= size)
        return TM_ELIMIT;
    memcpy(out, text, n + 1);
    return TM_OK;
}
