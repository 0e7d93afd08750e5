#!/bin/sh
# run.sh - bench/mime: tmail's MIME parsing and decoding next to GMime's, in the same run.
#
#     bench/mime/run.sh [--regen] [--runs N] [--mb MB] [--pager] [BUILDDIR]
#
# BUILDDIR is a meson build of tmail (default: build); only its src/mime/libtm_mime.a and
# src/util/libtm_util.a are used. Needs cc, python3, pkg-config and GMime 3
# (apt-get install libgmime-3.0-dev). The corpus is generated once under /tmp/tmail-bench-mime
# (again with --regen or another --mb), read once to warm the page cache, then the two programs
# run N times each (default 3), alternating. Prints best and median MB/s (wall and CPU time),
# peak RSS, the largest message, and the ratio tmail/gmime. --pager adds a third row, tmail with
# text/html turned into plain text as the pager does (more work than GMime's side).
# See bench/mime/README.md.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
corpus=/tmp/tmail-bench-mime
regen=0
runs=3
mb=64
builddir=build
pager=0
while [ $# -gt 0 ]; do
    case $1 in
    --regen) regen=1 ;;
    --runs) runs=$2; shift ;;
    --mb) mb=$2; shift ;;
    --pager) pager=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "unknown option $1" >&2; exit 2 ;;
    *) builddir=$1 ;;
    esac
    shift
done
case $builddir in /*) ;; *) builddir=$root/$builddir ;; esac

libmime=$builddir/src/mime/libtm_mime.a
libutil=$builddir/src/util/libtm_util.a
for l in "$libmime" "$libutil"; do
    [ -f "$l" ] || { echo "missing $l: build tmail first (meson setup $builddir && ninja -C $builddir)" >&2; exit 2; }
done
pkg-config --exists gmime-3.0 || { echo "GMime 3 not found: apt-get install libgmime-3.0-dev" >&2; exit 2; }

bin=$(mktemp -d /tmp/tmail-bench-mime-bin.XXXXXX)
trap 'rm -rf "$bin"' EXIT
cc -O2 -Wall -I "$root/include" "$here/bench_tmail.c" "$libmime" "$libutil" -lmagic -o "$bin/bench_tmail"
# shellcheck disable=SC2046
cc -O2 -Wall "$here/bench_gmime.c" $(pkg-config --cflags --libs gmime-3.0) -o "$bin/bench_gmime"

stamp="$corpus/.generated-$mb"
if [ "$regen" = 1 ] || [ ! -f "$stamp" ]; then
    rm -rf "$corpus"
    python3 "$here/gen_corpus.py" "$corpus" --mb "$mb"
    touch "$stamp"
fi
cat "$corpus"/cur/* > /dev/null # warm the page cache

: > "$bin/results"
i=0
while [ $i -lt "$runs" ]; do
    "$bin/bench_tmail" "$corpus" >> "$bin/results"
    "$bin/bench_gmime" "$corpus" >> "$bin/results"
    [ "$pager" = 1 ] && "$bin/bench_tmail" -H "$corpus" >> "$bin/results"
    i=$((i + 1))
done
[ -n "${BENCH_MIME_KEEP:-}" ] && cp "$bin/results" "$BENCH_MIME_KEEP"

python3 - "$bin/results" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, *kv = line.split()
    rows.setdefault(name, []).append(dict(x.split("=", 1) for x in kv))
t, g = rows["tmail"][0], rows["gmime"][0]
print("corpus: %s messages, %.1f MB, largest message %.2f MB, %s leaves (%s text)"
      % (t["messages"], int(t["input_bytes"]) / 1e6, int(t["largest"]) / 1e6, t["leaves"],
         t["text_leaves"]))
same = t["binary_bytes"] == g["binary_bytes"]
print("decoded: binary %s bytes (%s on both sides), text %s / %s UTF-8 bytes (tmail / gmime)"
      % (t["binary_bytes"], "same" if same else "DIFFERENT: gmime %s" % g["binary_bytes"],
         t["text_bytes"], g["text_bytes"]))
print()
print("%-8s %4s %10s %10s %10s %10s %9s %9s" % ("", "runs", "best MB/s", "median", "best CPU",
                                             "median", "peak RSS", "largest"))
print("%-8s %4s %10s %10s %10s %10s %9s %9s" % ("", "", "(wall)", "(wall)", "MB/s", "(CPU)",
                                             "MiB", "msg MiB"))
stats = {}
for name in ("tmail", "gmime", "tmail-H"):
    if name not in rows:
        continue
    r = rows[name]
    wall = [float(x["mb_per_s"]) for x in r]
    cpu = [float(x["cpu_mb_per_s"]) for x in r]
    rss = max(int(x["maxrss_kib"]) for x in r) / 1024
    stats[name] = (max(wall), statistics.median(wall), max(cpu), statistics.median(cpu))
    print("%-8s %4d %10.1f %10.1f %10.1f %10.1f %9.1f %9.2f" % (
        name, len(r), *stats[name], rss, int(r[0]["largest"]) / 1048576))
print()
q = [a / b for a, b in zip(stats["tmail"], stats["gmime"])]
print("ratio tmail/gmime: wall best %.2fx, median %.2fx; CPU best %.2fx, median %.2fx "
      "(target >= 1.5x)" % tuple(q))
EOF
