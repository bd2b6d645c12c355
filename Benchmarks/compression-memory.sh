#!/usr/bin/env bash
# Constant-memory check for dctc's streaming codecs, with throughput against gzip/bzip2.
#
# Compresses a 256 MiB file of log lines with `dctc cp --compress gz|bz2` and reads it back
# with `dctc cat`, each under /usr/bin/time -v, and fails when any run's maximum resident set
# size exceeds the limit (64 MiB), or when our output does not decode to the input with the
# system tools (and ours). Prints the time of each run next to the gzip/bzip2 tools.
#
# Usage: Benchmarks/compression-memory.sh            (from the package root)
# Environment:
#   DCTC       the binary to test (default .build/release/dctc; build it with
#              `swift build -c release`)
#   LIMIT_MIB  the RSS limit in MiB (default 64)
#   WORK       a folder for the data (default: a fresh temporary folder, removed at the end;
#              a given folder is kept, and its 256 MiB input is reused between runs)
#   CODECS     which codecs to run (default "gz bz2")
set -euo pipefail

DCTC=${DCTC:-.build/release/dctc}
LIMIT_MIB=${LIMIT_MIB:-64}
CODECS=${CODECS:-gz bz2}
SIZE=268435456  # 256 MiB

die() { echo "compression-memory: $*" >&2; exit 2; }

[ -x "$DCTC" ] || die "no dctc binary at $DCTC (build with \`swift build -c release\` or set DCTC)"
if [ ! -x /usr/bin/time ]; then
    echo "installing GNU time (/usr/bin/time is missing)"
    if [ "$(id -u)" = 0 ]; then
        apt-get install -y time >/dev/null || die "apt-get install -y time failed"
    else
        die "/usr/bin/time is missing; install it with \`apt-get install -y time\`"
    fi
fi
for tool in gzip bzip2 cmp awk; do command -v "$tool" >/dev/null || die "$tool is required"; done

if [ -n "${WORK:-}" ]; then
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/dctc-compression-memory.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
fi
SRC="$WORK/log256m.txt"

# Semi-compressible input (about 4:1 with gzip -6): the log-line generator of
# test-servers.md §8d, fixed seed, so runs are comparable.
if [ ! -f "$SRC" ] || [ "$(stat -c %s "$SRC")" != "$SIZE" ]; then
    echo "generating $SRC (256 MiB of log lines)"
    awk 'BEGIN{srand(42); for(i=0;;i++) printf "2024-05-%02d %02d:%02d:%02d.%03d %s [worker-%d] req=%08x path=/api/v1/items/%d status=%d bytes=%d dur_ms=%.3f\n", 1+i%28, int(rand()*24), int(rand()*60), int(rand()*60), int(rand()*1000), (rand()<0.9?"INFO":"WARN"), int(rand()*16), int(rand()*4294967295), int(rand()*100000), (rand()<0.95?200:404), int(rand()*65536), rand()*250}' \
        | head -c "$SIZE" > "$SRC" || true
    [ "$(stat -c %s "$SRC")" = "$SIZE" ] || die "could not generate the input"
fi

limit_kib=$((LIMIT_MIB * 1024))
failures=0
report=()

# seconds_of "h:mm:ss.ss" | "m:ss.ss" -> seconds
seconds_of() { echo "$1" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }'; }

# measure LABEL CMD... : runs CMD under /usr/bin/time -v (stdout goes where the caller sends
# it), records RSS and time, and counts a failure when the command fails or RSS is too high.
measure() {
    local label=$1; shift
    local log="$WORK/time-$$.log"
    local status=0
    /usr/bin/time -v -o "$log" "$@" || status=$?
    local rss elapsed
    rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$log")
    elapsed=$(seconds_of "$(awk -F'): ' '/Elapsed \(wall clock\)/ { print $2 }' "$log")")
    rm -f "$log"
    local verdict=ok
    if [ "$status" != 0 ]; then verdict="FAILED (exit $status)"; failures=$((failures + 1))
    elif [ -z "$rss" ] || [ "$rss" -gt "$limit_kib" ]; then verdict="FAILED (RSS over ${LIMIT_MIB} MiB)"; failures=$((failures + 1))
    fi
    local mibs
    mibs=$(awk -v t="$elapsed" -v n="$SIZE" 'BEGIN { if (t > 0) printf "%.1f", n / 1048576 / t; else print "-" }')
    report+=("$(printf '%-34s %8s s %8s MiB/s  max RSS %6s MiB  %s' "$label" "$elapsed" "$mibs" "$(( ${rss:-0} / 1024 ))" "$verdict")")
    LAST_SECONDS=$elapsed
}

# tool_time LABEL CMD : wall-clock seconds of a shell command
tool_time() {
    local start end
    start=$(date +%s.%N)
    sh -c "$2"
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

check() {  # check LABEL CMD : counts a failure when the shell command fails
    if sh -c "$2"; then
        report+=("$(printf '%-34s ok' "$1")")
    else
        report+=("$(printf '%-34s FAILED' "$1")")
        failures=$((failures + 1))
    fi
}

for codec in $CODECS; do
    case $codec in
        gz) tool=gzip; tool_args="-6" ;;
        bz2) tool=bzip2; tool_args="-9" ;;
        *) die "unknown codec $codec (use gz or bz2)" ;;
    esac
    DST="$WORK/out.$codec"
    rm -f "$DST"
    echo "== $codec: dctc cp --compress $codec"
    measure "dctc cp --compress $codec" "$DCTC" cp --compress "$codec" "$SRC" "$DST"
    ours_compress=$LAST_SECONDS
    [ -f "$DST" ] || die "dctc cp did not create $DST"
    check "$tool -dc of our output == input" "$tool -dc '$DST' | cmp -s - '$SRC'"

    echo "== $codec: dctc cat"
    measure "dctc cat file.$codec > /dev/null" "$DCTC" cat "$DST" > /dev/null
    ours_decompress=$LAST_SECONDS
    check "dctc cat of $tool output == input" \
        "$tool $tool_args -c '$SRC' > '$WORK/tool.$codec' && '$DCTC' cat '$WORK/tool.$codec' | cmp -s - '$SRC'"

    echo "== $codec: $tool for reference"
    tool_compress=$(tool_time "$tool" "$tool $tool_args -c '$SRC' > '$WORK/tool.$codec'")
    tool_decompress=$(tool_time "$tool" "$tool -dc '$WORK/tool.$codec' > /dev/null")
    ratio_c=$(awk -v a="$ours_compress" -v b="$tool_compress" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    ratio_d=$(awk -v a="$ours_decompress" -v b="$tool_decompress" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
    size_ours=$(stat -c %s "$DST")
    size_tool=$(stat -c %s "$WORK/tool.$codec")
    report+=("$(printf '%-34s compress %s s (dctc/%s %s), decompress %s s (dctc/%s %s)' \
        "$tool $tool_args" "$tool_compress" "$tool" "$ratio_c" "$tool_decompress" "$tool" "$ratio_d")")
    report+=("$(printf '%-34s dctc %s bytes, %s %s bytes' "compressed size" "$size_ours" "$tool" "$size_tool")")
    rm -f "$DST" "$WORK/tool.$codec"
done

echo
echo "dctc: $DCTC   input: 256 MiB of log lines   RSS limit: $LIMIT_MIB MiB"
printf '%s\n' "${report[@]}"
if [ "$failures" -gt 0 ]; then
    echo "FAILED: $failures check(s)"
    exit 1
fi
echo "all checks passed"
