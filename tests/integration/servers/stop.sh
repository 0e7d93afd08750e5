#!/bin/bash
# stop.sh [--keep-dir] DIR - stop the mail servers that start.sh started in DIR and remove DIR.
# Only the pids recorded under DIR (and processes descended from them) are signalled; nothing is
# killed by name. A recorded pid is only trusted if that process still refers to DIR (its command
# line or its MAIL_CONFIG). Safe to run twice and on a half-started DIR.
# --keep-dir stops the servers but leaves DIR (and its logs) in place.
set -u

keep=0
if [ "${1:-}" = --keep-dir ]; then
    keep=1
    shift
fi
[ $# -eq 1 ] || { echo "usage: $0 [--keep-dir] DIR" >&2; exit 2; }
[ -d "$1" ] || exit 0 # already stopped and removed
DIR=$(cd -- "$1" && pwd -P)
[ "$DIR" != / ] || { echo "stop.sh: refusing to work on /" >&2; exit 2; }

# pid_ours PID: the process exists and belongs to this DIR's servers.
pid_ours() {
    local pid=$1
    [ -r "/proc/$pid/cmdline" ] || return 1
    { tr '\0' '\n' < "/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$DIR/" && return 0
    { tr '\0' '\n' < "/proc/$pid/environ"; } 2>/dev/null | grep -qxF -- "MAIL_CONFIG=$DIR/postfix" &&
        return 0
    return 1
}

# proc_stat PID: sets st_state and st_start (process state, start time = field 22 of
# /proc/PID/stat; the start time tells a reused pid apart). Fails if there is no such process.
proc_stat() {
    local stat
    { read -r stat < "/proc/$1/stat"; } 2>/dev/null || return 1
    stat=${stat##*) }
    # shellcheck disable=SC2086
    set -- $stat
    st_state=$1 st_start=${20}
}

# The masters: the pids start.sh recorded, plus the servers' own pid files (half-started DIR).
masters=()
for f in "$DIR/dovecot.pid" "$DIR/dovecot/run/master.pid" \
    "$DIR/postfix.pid" "$DIR/postfix-queue/pid/master.pid"; do
    [ -s "$f" ] || continue
    read -r pid < "$f" || true
    pid=${pid//[!0-9]/}
    [ -n "$pid" ] || continue
    case " ${masters[*]-} " in *" $pid "*) continue ;; esac
    if pid_ours "$pid"; then
        masters+=("$pid")
    fi
done

st_state='' st_start=''

# Every process descended from the masters: tracked[pid]=start time.
declare -A tracked=()
collect() {
    local -A children=()
    local p stat ppid
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        { read -r stat < "/proc/$p/stat"; } 2>/dev/null || continue
        stat=${stat##*) }
        ppid=${stat#* }
        ppid=${ppid%% *}
        children[$ppid]+=" $p"
    done
    local queue=("${masters[@]}") cur
    while [ ${#queue[@]} -gt 0 ]; do
        cur=${queue[0]}
        queue=("${queue[@]:1}")
        [ -n "${tracked[$cur]+x}" ] && continue
        proc_stat "$cur" || continue
        tracked[$cur]=$st_start
        for p in ${children[$cur]-}; do queue+=("$p"); done
    done
}

# alive: print the tracked pids that still exist as the same process (not zombies).
alive() {
    local p
    for p in "${!tracked[@]}"; do
        proc_stat "$p" || continue
        [ "$st_start" = "${tracked[$p]}" ] || continue
        [ "$st_state" = Z ] && continue
        echo "$p"
    done
}

if [ ${#masters[@]} -gt 0 ]; then
    collect
    kill -TERM "${masters[@]}" 2>/dev/null
    # Wait up to 10 s for the masters and their children to go.
    for ((i = 0; i < 100; i++)); do
        [ -z "$(alive)" ] && break
        sleep 0.1
    done
    left=$(alive)
    if [ -n "$left" ]; then
        echo "stop.sh: killing leftover processes:" "${left//$'\n'/ }" >&2
        # shellcheck disable=SC2086
        kill -KILL $left 2>/dev/null
        for ((i = 0; i < 50; i++)); do
            [ -z "$(alive)" ] && break
            sleep 0.1
        done
    fi
    left=$(alive)
    if [ -n "$left" ]; then
        echo "stop.sh: processes did not exit:" "${left//$'\n'/ }" >&2
        exit 1
    fi
fi

[ "$keep" = 1 ] && exit 0
if [ -e "$DIR/.tmail-test-servers" ]; then
    rm -rf -- "$DIR"
else
    # Not a directory start.sh populated: remove it only if it is empty.
    rmdir -- "$DIR" 2>/dev/null ||
        echo "stop.sh: $DIR was not set up by start.sh; not removing it" >&2
fi
exit 0
