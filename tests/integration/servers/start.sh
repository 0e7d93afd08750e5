#!/bin/bash
# start.sh DIR - start a private, throw-away mail system on 127.0.0.1 for tmail's integration tests:
# a test CA + "localhost" server certificate, Dovecot (IMAP, IMAPS, POP3, POP3S, LMTP, SASL auth) and
# Postfix (submission with STARTTLS required, submissions with implicit TLS, delivery to Dovecot over
# LMTP). Ports are picked free at start time. Writes DIR/env (KEY=VALUE lines, shell-sourceable) and
# records the server pids under DIR. Stop everything with stop.sh DIR. Must run as root.
# DIR should be short and under /tmp, e.g. d=$(mktemp -d /tmp/tmt.XXXX).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

DOMAIN=example.test
USER1=alice PASS1=Alice-Secret-1
USER2=bob PASS2=Bob-Secret-2
WAIT_SECS=20

die() {
    echo "start.sh: error: $*" >&2
    exit 1
}

[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "must run as root (it creates the vmail user and starts Dovecot and Postfix)"
for cmd in dovecot doveconf postfix postconf openssl python3 useradd setpriv; do
    command -v "$cmd" >/dev/null || die "'$cmd' not found (need packages dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix openssl python3)"
done

mkdir -p -- "$1"
DIR=$(cd -- "$1" && pwd -P)
case $DIR in
    *[!A-Za-z0-9._/-]*) die "DIR '$DIR' must contain only letters, digits, '.', '_', '-' and '/'" ;;
    /) die "DIR must not be /" ;;
esac
# Unix socket paths (e.g. DIR/dovecot/run/login/imap-urlauth...) must fit in 107 bytes.
[ ${#DIR} -le 48 ] || die "DIR '$DIR' is too long for unix socket paths; use a short path like /tmp/tmt.XXXX"
[ -z "$(ls -A "$DIR")" ] || die "DIR '$DIR' is not empty (already started? run stop.sh first)"

# Marker that lets stop.sh know this directory is ours to delete.
echo "tmail integration test servers" > "$DIR/.tmail-test-servers"

started=0
on_exit() {
    local rc=$?
    [ "$started" = 1 ] && return 0
    [ "$rc" = 0 ] && rc=1
    echo "start.sh: failed; stopping what was started (logs kept in $DIR)" >&2
    local log
    for log in "$DIR/dovecot.log" "$DIR/postfix.log"; do
        if [ -s "$log" ]; then
            echo "---- last lines of $log ----" >&2
            tail -n 25 "$log" >&2
        fi
    done
    bash "$here/stop.sh" --keep-dir "$DIR" >&2 || true
    exit "$rc"
}
trap on_exit EXIT

# ---- vmail: the system user that owns the mail -------------------------------------------------
if ! getent passwd vmail >/dev/null; then
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin vmail 2>/dev/null ||
        getent passwd vmail >/dev/null || die "could not create system user vmail"
fi
VMAIL_UID=$(id -u vmail)
VMAIL_GID=$(id -g vmail)

chmod 0755 "$DIR"
setpriv --reuid="$VMAIL_UID" --regid="$VMAIL_GID" --clear-groups test -x "$DIR" ||
    die "user vmail cannot reach '$DIR' (a parent directory is not searchable); put DIR under /tmp"

# ---- free ports, chosen by the kernel ----------------------------------------------------------
read -r IMAP_PORT IMAPS_PORT POP3_PORT POP3S_PORT LMTP_PORT SUBMISSION_PORT SUBMISSIONS_PORT < <(
    python3 - <<'EOF'
import socket
socks = []
for _ in range(7):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
)
[ -n "$SUBMISSIONS_PORT" ] || die "could not pick free ports"

# ---- TLS: a throw-away CA and a "localhost" certificate signed by it ----------------------------
tls=$DIR/tls
mkdir -m 0755 "$tls"
cat > "$tls/openssl.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = tmail test
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
EOF
(
    cd "$tls"
    umask 077
    openssl req -x509 -new -nodes -config openssl.cnf -extensions v3_ca \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -keyout ca.key -out ca.crt \
        -days 30 -subj "/O=tmail tests/CN=tmail test CA ${DIR##*/}"
    openssl req -new -nodes -config openssl.cnf \
        -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -keyout server.key -out server.csr \
        -subj "/O=tmail tests/CN=localhost"
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" \
        -days 30 -extfile openssl.cnf -extensions v3_server -out server.crt
    chmod 0644 ca.crt server.crt
) >"$tls/openssl.log" 2>&1 || { cat "$tls/openssl.log" >&2; die "openssl failed to make the test certificates"; }

# ---- config files from the templates -----------------------------------------------------------
render() { # render TEMPLATE OUTPUT
    sed -e "s|@DIR@|$DIR|g" -e "s|@DOMAIN@|$DOMAIN|g" \
        -e "s|@VMAIL_UID@|$VMAIL_UID|g" -e "s|@VMAIL_GID@|$VMAIL_GID|g" \
        -e "s|@IMAP_PORT@|$IMAP_PORT|g" -e "s|@IMAPS_PORT@|$IMAPS_PORT|g" \
        -e "s|@POP3_PORT@|$POP3_PORT|g" -e "s|@POP3S_PORT@|$POP3S_PORT|g" \
        -e "s|@LMTP_PORT@|$LMTP_PORT|g" \
        -e "s|@SUBMISSION_PORT@|$SUBMISSION_PORT|g" -e "s|@SUBMISSIONS_PORT@|$SUBMISSIONS_PORT|g" \
        "$1" > "$2"
    ! grep -n '@[A-Z0-9_]*@' "$2" >&2 || die "unreplaced placeholder in $2"
}

# ---- Dovecot -----------------------------------------------------------------------------------
mkdir -m 0755 "$DIR/dovecot"
render "$here/dovecot.conf.in" "$DIR/dovecot.conf"
printf '%s:{PLAIN}%s::::::\n' "$USER1" "$PASS1" "$USER2" "$PASS2" > "$DIR/dovecot/users"
chown root:dovecot "$DIR/dovecot/users"
chmod 0640 "$DIR/dovecot/users"
install -d -m 0700 -o vmail -g vmail "$DIR/mail"
for u in "$USER1" "$USER2"; do
    for sub in "" /Maildir /Maildir/cur /Maildir/new /Maildir/tmp; do
        install -d -m 0700 -o vmail -g vmail "$DIR/mail/$u$sub"
    done
done
: > "$DIR/dovecot.log"

doveconf -c "$DIR/dovecot.conf" -n > "$DIR/dovecot/doveconf.out" 2>&1 ||
    { cat "$DIR/dovecot/doveconf.out" >&2; die "Dovecot rejected its configuration"; }
# Daemons must not inherit our stdout/stderr: a caller reading them through a pipe would hang.
dovecot -c "$DIR/dovecot.conf" < /dev/null > "$DIR/dovecot/start.out" 2>&1 ||
    { cat "$DIR/dovecot/start.out" >&2; die "dovecot failed to start"; }

wait_pidfile() { # wait_pidfile FILE NAME -> prints the pid
    local i
    for ((i = 0; i < WAIT_SECS * 10; i++)); do
        if [ -s "$1" ]; then
            local pid
            read -r pid < "$1" || true
            pid=${pid//[!0-9]/}
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                echo "$pid"
                return 0
            fi
        fi
        sleep 0.1
    done
    die "$2 did not write a live pid to $1 within ${WAIT_SECS}s"
}
DOVECOT_PID=$(wait_pidfile "$DIR/dovecot/run/master.pid" Dovecot)
echo "$DOVECOT_PID" > "$DIR/dovecot.pid"

# ---- Postfix -----------------------------------------------------------------------------------
# The queue and data directories must not be inside the config directory: "postfix check" expects
# everything under the config directory to be owned by root.
pf=$DIR/postfix
mkdir -m 0755 "$pf" "$DIR/postfix-queue"
install -d -m 0700 -o postfix -g postfix "$DIR/postfix-data"
render "$here/main.cf.in" "$pf/main.cf"
render "$here/master.cf.in" "$pf/master.cf"
printf '%s@%s OK\n' "$USER1" "$DOMAIN" "$USER2" "$DOMAIN" > "$pf/vmailbox"
# Postfix re-reads a config/table file (300 ms sleeps) until its mtime is a little in the past;
# backdate them so that "postfix start" does not spend ~2 s waiting.
touch -d '-1 minute' "$pf/main.cf" "$pf/master.cf" "$pf/vmailbox"
: > "$DIR/postfix.log"

# Root may use "postfix -c" with any directory; no change to /etc/postfix is needed.
postfix -c "$pf" start < /dev/null > "$pf/start.out" 2>&1 ||
    { cat "$pf/start.out" >&2; die "postfix failed to start"; }
POSTFIX_PID=$(wait_pidfile "$DIR/postfix-queue/pid/master.pid" "Postfix master")
echo "$POSTFIX_PID" > "$DIR/postfix.pid"

# ---- wait until everything answers -------------------------------------------------------------
python3 - "$WAIT_SECS" "$DIR/dovecot/lmtp" "$DIR/dovecot/auth-postfix" \
    "$IMAP_PORT" "$IMAPS_PORT" "$POP3_PORT" "$POP3S_PORT" "$LMTP_PORT" \
    "$SUBMISSION_PORT" "$SUBMISSIONS_PORT" <<'EOF' || die "a server did not come up in time"
import socket, sys, time
deadline = time.monotonic() + float(sys.argv[1])
targets = sys.argv[2:]
for t in targets:
    while True:
        try:
            if t.startswith("/"):
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(t)
            else:
                s = socket.create_connection(("127.0.0.1", int(t)), timeout=1)
            s.close()
            break
        except OSError as e:
            if time.monotonic() > deadline:
                sys.exit("start.sh: %s not accepting connections: %s" % (t, e))
            time.sleep(0.05)
EOF

# ---- describe the running system ---------------------------------------------------------------
cat > "$DIR/env.tmp" <<EOF
TM_TEST_DIR=$DIR
TM_TEST_HOST=127.0.0.1
TM_TEST_TLS_NAME=localhost
TM_TEST_CA=$tls/ca.crt
TM_TEST_IMAP_PORT=$IMAP_PORT
TM_TEST_IMAPS_PORT=$IMAPS_PORT
TM_TEST_POP3_PORT=$POP3_PORT
TM_TEST_POP3S_PORT=$POP3S_PORT
TM_TEST_LMTP_PORT=$LMTP_PORT
TM_TEST_LMTP_SOCKET=$DIR/dovecot/lmtp
TM_TEST_SUBMISSION_PORT=$SUBMISSION_PORT
TM_TEST_SUBMISSIONS_PORT=$SUBMISSIONS_PORT
TM_TEST_DOMAIN=$DOMAIN
TM_TEST_USER=$USER1
TM_TEST_PASS=$PASS1
TM_TEST_ADDR=$USER1@$DOMAIN
TM_TEST_MAILDIR=$DIR/mail/$USER1/Maildir
TM_TEST_USER2=$USER2
TM_TEST_PASS2=$PASS2
TM_TEST_ADDR2=$USER2@$DOMAIN
TM_TEST_MAILDIR2=$DIR/mail/$USER2/Maildir
TM_TEST_VMAIL_UID=$VMAIL_UID
TM_TEST_VMAIL_GID=$VMAIL_GID
TM_TEST_DOVECOT_CONF=$DIR/dovecot.conf
TM_TEST_DOVECOT_LOG=$DIR/dovecot.log
TM_TEST_DOVECOT_PID=$DOVECOT_PID
TM_TEST_POSTFIX_CONF=$pf
TM_TEST_POSTFIX_LOG=$DIR/postfix.log
TM_TEST_POSTFIX_PID=$POSTFIX_PID
EOF
chmod 0644 "$DIR/env.tmp"
mv "$DIR/env.tmp" "$DIR/env"
started=1
echo "start.sh: mail servers running; environment in $DIR/env"
