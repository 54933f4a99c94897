#!/usr/bin/env bash
# Load during rebuilds (issue 10): wrk drives `lexicon serve` with a mix of pages and searches
# (/api/search, /zoeken/, /api/suggest) while the site is rebuilt and swapped again and again,
# alternating between two versions of the lexicon: A (the real content) and B (five entries edited,
# three added, so pages and search results really differ). Every response body is checked against
# that URL's body in A and in B, fetched once beforehand (tests/bench/load.lua); a body equal to
# neither is a mismatch (torn or mixed). Prints requests/s, p50/p99, errors, non-200s, mismatches and
# the swaps performed. Exit 0 only with no errors, no non-200s, no mismatches and at least MIN_SWAPS
# swaps during the run; 77 when wrk or curl is missing.
#
#   bash tests/bench/load-bench.sh [lexicon=.build/generator/lexicon] [seconds=30] [connections=64] [min-swaps=3]
#
# The run lasts `seconds`, longer only if the swaps are not done by then (builds under full load on
# two cores take several times their idle time).
# CTest runs a short version (load_smoke: 6 s, 8 connections, 2 swaps). LOAD_SELFTEST=1 checks the
# checker: the expected bodies of / are altered, so it must report mismatches for / (and exit 0 if so).
# Figures: tests/bench/RESULTS.md.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LEXICON=$(realpath "${1:-$SRC/.build/generator/lexicon}")
DURATION=${2:-30}
CONNS=${3:-64}
MIN_SWAPS=${4:-3}
PAUSE=${LOAD_PAUSE:-0.5}  # seconds between the end of one build and the start of the next
command -v wrk >/dev/null || { echo "wrk not installed (apt-get install wrk): skipped"; exit 77; }
command -v curl >/dev/null || { echo "curl not installed: skipped"; exit 77; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/lexicon-load.XXXXXX")
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT

# Two versions of the content, and an own copy of the templates (others may edit templates/ meanwhile).
cp -r "$SRC/content" "$WORK/A"
cp -r "$SRC/content" "$WORK/B"
cp -r "$SRC/templates" "$WORK/templates"
EDITED=(presentie nabijheid zorgmijding bemoeizorg leefwereld)
for slug in "${EDITED[@]}"; do
  f="$WORK/B/begrippen/$slug.md"
  [ -f "$f" ] || { echo "content/begrippen/$slug.md missing; update EDITED in $0" >&2; exit 2; }
  printf '\n## Herziening\n\nIn de herziene versie van het lexicon staat hier een extra alinea over de %s-wolkenkrabber, zodat deze pagina en de zoekresultaten verschillen van de vorige versie. Zie ook [[presentie]].\n' "$slug" >>"$f"
done
for n in een twee drie; do
  cat >"$WORK/B/begrippen/herbouw-$n.md" <<EOF
---
title: Herbouw $n
themes: [presentie]
summary: Een begrip dat alleen in versie B van het lexicon bestaat ($n), met de wolkenkrabber als beeld.
related: [presentie, nabijheid]
---
Herbouw $n hoort bij de herziene versie. Het verwijst naar [[presentie]] en [[nabijheid]] en noemt
de wolkenkrabber, zodat zoeken op dat woord in versie A niets en in versie B drie begrippen vindt.
EOF
done

now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.2f\", $1 }"; }  # no bc on a bare Debian

BUILD_SECONDS=0
build() {  # build A|B into $WORK/site (a new generation, swapped in atomically)
  local start end
  start=$(now)
  "$LEXICON" --content "$WORK/$1" --templates "$WORK/templates" --site "$WORK/site" build >"$WORK/build-$1.log" 2>&1 ||
    { echo "build of version $1 failed:" >&2; cat "$WORK/build-$1.log" >&2; return 1; }
  BUILD_SECONDS=$(calc "$(now) - $start")
}

build A
"$LEXICON" --site "$WORK/site" serve --port 0 2>"$WORK/serve.log" &
PIDS+=($!)
SERVER=$!
for _ in $(seq 1 100); do grep -q "http://" "$WORK/serve.log" && break; sleep 0.1; done
BASE=$(grep -o 'http://[^ ]*' "$WORK/serve.log" | head -1)
BASE=${BASE%/}
[ -n "$BASE" ] || { echo "lexicon serve did not start:" >&2; cat "$WORK/serve.log" >&2; exit 2; }

# The mix: pages that change between A and B (edited entries, home, A-Z, theme pages with the new
# entries), pages that do not, and searches of both kinds.
{
  for p in / /a-z/ /themas/ /bronnen/ /zoeken/ /static/style.css; do echo "$p"; done
  for t in "$WORK"/site/themas/*/; do echo "/themas/$(basename "$t")/"; done
  for slug in "${EDITED[@]}"; do echo "/begrippen/$slug/"; done
  find "$WORK/A/begrippen" -name '*.md' -printf '%f\n' | sort | head -12 | sed 's|\.md$||; s|.*|/begrippen/&/|'
  for q in presentie nabijheid wolkenkrabber herbouw zorgmijding "bemoei%20zorg" presnetie leefwereld%20nabijheid; do
    echo "/api/search?q=$q"
    echo "/zoeken/?q=$q"
  done
  echo "/zoeken/?q=presentie&thema=presentie"
  echo "/api/search?q=zorg&pagina=2"
  echo "/api/suggest?q=her"
  echo "/api/suggest?q=pre"
} | awk '!seen[$0]++' >"$WORK/urls.txt"
URLS=$(wc -l <"$WORK/urls.txt")

fetch_all() {  # fetch_all DIR: every URL of the mix into DIR/<n>; each must answer 200
  mkdir -p "$1"
  local n=0 url status
  while read -r url; do
    n=$((n + 1))
    status=$(curl -s -o "$1/$n" -w '%{http_code}' "$BASE$url")
    [ "$status" = 200 ] || { echo "$url answered $status" >&2; return 1; }
  done <"$WORK/urls.txt"
}
compare_all() {  # compare_all DIR EXPECTED_DIR: prints URLs that differ, returns 1 if any
  local n=0 url bad=0
  while read -r url; do
    n=$((n + 1))
    cmp -s "$1/$n" "$2/$n" || { echo "  differs: $url" >&2; bad=1; }
  done <"$WORK/urls.txt"
  return $bad
}

# Expected bodies: A as built, then B; then A again must give exactly the A bodies (deterministic
# builds, and the server follows the swap), which also measures a build.
fetch_all "$WORK/expect/A"
build B
fetch_all "$WORK/expect/B"
build A
fetch_all "$WORK/check"
compare_all "$WORK/check" "$WORK/expect/A" || { echo "rebuilding A did not give the A bodies" >&2; exit 1; }
DIFFERENT=0
n=0
while read -r url; do
  n=$((n + 1))
  cmp -s "$WORK/expect/A/$n" "$WORK/expect/B/$n" || DIFFERENT=$((DIFFERENT + 1))
done <"$WORK/urls.txt"
echo "mix: $URLS URLs, $DIFFERENT of them differ between version A and B; one build takes ${BUILD_SECONDS} s when idle"

EXPECT="$WORK/expect"
if [ -n "${LOAD_SELFTEST:-}" ]; then
  # Negative control for the checker: one byte of the home page's expected bodies changed (same
  # length), so every response for / must count as a mismatch.
  cp -r "$WORK/expect" "$WORK/expect-selftest"
  for v in A B; do printf 'X' | dd of="$WORK/expect-selftest/$v/1" bs=1 seek=200 conv=notrunc 2>/dev/null; done
  EXPECT="$WORK/expect-selftest"
fi

# wrk shares the machine with the server and the builds; it runs at nice 10 so that they, not the
# load generator, get the cores first (as if the readers were elsewhere). Its own limit is generous;
# the rebuilder below stops it (SIGINT: wrk then reports as usual) once the run has lasted DURATION
# seconds and MIN_SWAPS swaps are done. Builds under full load take several times longer than idle.
MAX_DURATION=$((DURATION * 4 + 60))
echo "run: $CONNS connections, $DURATION s (longer only until $MIN_SWAPS swaps are done; wrk's own limit of" \
  "${MAX_DURATION} s below is a backstop)"
nice -n 10 wrk -t"$CONNS" -c"$CONNS" -d"${MAX_DURATION}s" --timeout 2s --latency -s "$SRC/tests/bench/load.lua" \
  "$BASE" -- "$WORK" "$EXPECT" >"$WORK/wrk.txt" &
WRK=$!
PIDS+=($WRK)

# The rebuilder: alternates B, A, B, ... from the start of the run, logs each swap, starts no build
# that would end after DURATION once MIN_SWAPS are done, and then ends the run.
(
  version=B
  swaps=0
  for _ in $(seq 1 600); do  # until every wrk thread has loaded the expected bodies
    [ "$(find "$WORK" -maxdepth 1 -name 'ready-*' | wc -l)" -ge "$CONNS" ] && break
    sleep 0.1
  done
  start=$(now)
  sleep 0.5
  while [ "$swaps" -lt "$MIN_SWAPS" ] || awk "BEGIN { exit !($(now) - $start + $BUILD_SECONDS < $DURATION - 1) }"; do
    kill -0 "$WRK" 2>/dev/null || break
    build "$version" || exit 1
    swaps=$((swaps + 1))
    echo "$swaps $version $(calc "$(now) - $start") $BUILD_SECONDS" >>"$WORK/swaps.log"
    [ "$version" = A ] && version=B || version=A
    sleep "$PAUSE"
  done
  while awk "BEGIN { exit !($(now) - $start < $DURATION) }"; do sleep 0.1; done
  kill -INT "$WRK" 2>/dev/null || true
) &
REBUILDER=$!
PIDS+=($REBUILDER)
wait "$WRK" || true
cat "$WORK/wrk.txt"
REBUILD_STATUS=0
wait "$REBUILDER" || REBUILD_STATUS=$?

SWAPS=0
[ -f "$WORK/swaps.log" ] && SWAPS=$(wc -l <"$WORK/swaps.log")
if [ "$SWAPS" -gt 0 ]; then
  echo "swaps (n, version, seconds into the run, build seconds):"
  sed 's/^/  /' "$WORK/swaps.log"
fi
LAST=A
[ "$SWAPS" -gt 0 ] && LAST=$(tail -1 "$WORK/swaps.log" | cut -d' ' -f2)

# After the run the server must serve exactly the last generation.
fetch_all "$WORK/after"
FINAL_OK=1
compare_all "$WORK/after" "$WORK/expect/$LAST" || FINAL_OK=0
kill -0 "$SERVER" 2>/dev/null || { echo "lexicon serve died" >&2; FINAL_OK=0; }

RESULT=$(grep '^RESULT' "$WORK/wrk.txt" || true)
field() { echo "$RESULT" | grep -o "$1=[0-9.]*" | head -1 | cut -d= -f2; }
ERRORS=$(field errors)
NON200=$(field non200)
MISMATCHES=$(field mismatches)
echo "SUMMARY connections=$CONNS seconds=$(field duration_s) rps=$(field rps) p50_ms=$(field p50_ms) p99_ms=$(field p99_ms)" \
  "errors=${ERRORS:-?} non200=${NON200:-?} mismatches=${MISMATCHES:-?} swaps=$SWAPS urls=$URLS differing=$DIFFERENT" \
  "final_generation_served=$([ $FINAL_OK = 1 ] && echo yes || echo no)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${LOAD_SELFTEST:-}" ]; then
  [ "${MISMATCHES:-0}" -gt 0 ] && [ "$(head -qn1 "$WORK"/mismatch-*-1.txt | sort -u)" = / ] ||
    { echo "FAIL: the checker did not catch the altered bodies of /" >&2; exit 1; }
  echo "checker self-test passed: $MISMATCHES responses for / were caught as mismatches"
  exit 0
fi
for f in "$WORK"/mismatch-*.txt; do
  [ -f "$f" ] && { echo "mismatch kept: $(head -1 "$f")"; KEEP=1; }
done

STATUS=0
[ -n "$RESULT" ] || { echo "FAIL: wrk gave no result" >&2; STATUS=1; }
[ "${ERRORS:-1}" = 0 ] || { echo "FAIL: $ERRORS wrk errors" >&2; STATUS=1; }
[ "${NON200:-1}" = 0 ] || { echo "FAIL: $NON200 responses other than 200" >&2; STATUS=1; }
[ "${MISMATCHES:-1}" = 0 ] || { echo "FAIL: $MISMATCHES responses matched neither version" >&2; STATUS=1; }
[ "$REBUILD_STATUS" = 0 ] || { echo "FAIL: a rebuild failed" >&2; STATUS=1; }
[ "$SWAPS" -ge "$MIN_SWAPS" ] || { echo "FAIL: only $SWAPS swaps, wanted $MIN_SWAPS" >&2; STATUS=1; }
[ "$FINAL_OK" = 1 ] || { echo "FAIL: after the run the server did not serve version $LAST" >&2; STATUS=1; }
exit $STATUS
