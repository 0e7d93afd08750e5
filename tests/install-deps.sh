#!/usr/bin/env bash
# install-deps.sh - installs what building and testing tmail needs on Debian 12, as root.
# Idempotent: when every package is already installed it only says so and exits.
set -euo pipefail

packages=(
    # build (libc6-dev is only a Recommends of gcc)
    meson ninja-build gcc libc6-dev pkg-config gettext
    libncurses-dev libssl-dev libsqlite3-dev libmagic-dev zlib1g-dev
    # tests: UI driver, runner; clang and its sanitizer/libFuzzer runtime for tests/fuzz
    tmux python3 procps clang libclang-rt-14-dev
    # test servers
    dovecot-core dovecot-imapd dovecot-pop3d dovecot-lmtpd postfix openssl ca-certificates
)

die() {
    echo "install-deps: $*" >&2
    exit 1
}

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [ "$status" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages already installed"
    exit 0
fi

[ "$(id -u)" -eq 0 ] || die "missing packages (${missing[*]}); run this script as root"
command -v apt-get >/dev/null || die "apt-get not found; this script is for Debian 12"

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Without this, installing postfix asks which mail setup to configure.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections ||
    die "debconf-set-selections failed"
apt-get update -q >/tmp/install-deps-apt.log 2>&1 || {
    tail -n 20 /tmp/install-deps-apt.log >&2
    die "apt-get update failed (log: /tmp/install-deps-apt.log)"
}
apt-get install -y -q --no-install-recommends "${missing[@]}" >>/tmp/install-deps-apt.log 2>&1 || {
    tail -n 20 /tmp/install-deps-apt.log >&2
    die "apt-get install failed (log: /tmp/install-deps-apt.log)"
}

echo "install-deps: done"
