#!/usr/bin/env bash
# Search benchmark (not part of CTest): a synthetic lexicon of N entries (default 10,000), served by
# `lexicon serve`; wrk sends /api/search requests (snippets, facets and spelling always on) over
# at least 1,000 distinct queries of which 20 % are misspelled, on 4 concurrent connections.
# Prints p50/p99 and requests/s; the figures go into tests/bench/RESULTS.md by hand.
#
#   bash tests/bench/search-bench.sh [build-dir=.build] [entries=10000] [seconds=30]
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-.build}
N=${2:-10000}
SECONDS_RUN=${3:-30}
WORK=${BENCH_DIR:-/tmp/lexicon-bench-$N}
command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 2; }

cmake --build "$BUILD" -j "${BENCH_JOBS:-$(nproc)}" --target lexicon make_corpus search_latency >/dev/null
LEXICON="$BUILD/generator/lexicon"
if [ ! -d "$WORK/site/.xapian" ]; then
  "$BUILD/tests/bench/make_corpus" "$N" "$WORK/corpus" >/dev/null
  "$LEXICON" --content "$WORK/corpus/lexicon" --templates templates --site "$WORK/site" build 2>/dev/null
fi

# Queries: every vocabulary word, pairs of words, and "word word number" title-like queries; then 20 %
# of the set misspelled (two letters swapped or one dropped). Deterministic (fixed seed).
awk '/^summary:/ { for (i = 2; i <= NF; i++) { w = tolower($i); gsub(/[^a-zëïéèöü]/, "", w); if (length(w) > 2) print w } }' \
  "$WORK"/corpus/lexicon/begrippen/*.md | sort -u >"$WORK/vocabulary.txt"
awk -v seed=7 '
  BEGIN { srand(seed) }
  { v[n++] = $0 }
  END {
    for (i = 0; i < n; i++) q[m++] = v[i]
    while (m < 1200) {
      a = v[int(rand() * n)]; b = v[int(rand() * n)]
      s = (rand() < 0.5) ? a " " b : a " " b " " int(rand() * 10000)
      if (!(s in seen)) { seen[s] = 1; q[m++] = s }
    }
    for (i = 0; i < m; i++) {
      s = q[i]
      if (i % 5 == 4) {  # misspell the longest word
        split(s, w, " "); best = 1
        for (k in w) if (length(w[k]) > length(w[best])) best = k
        t = w[best]; L = length(t)
        if (L >= 5) {
          p = 2 + int(rand() * (L - 3))
          if (rand() < 0.5) t = substr(t, 1, p - 1) substr(t, p + 1, 1) substr(t, p, 1) substr(t, p + 2)
          else t = substr(t, 1, p - 1) substr(t, p + 1)
          sub(w[best], t, s)
        }
      }
      print s
    }
  }' "$WORK/vocabulary.txt" | awk '!seen[$0]++' >"$WORK/queries.txt"
echo "queries: $(wc -l <"$WORK/queries.txt") distinct"

"$BUILD/tests/bench/search_latency" "$WORK/site/.xapian" "$WORK/queries.txt"

PORT=$((20000 + RANDOM % 40000))
"$LEXICON" --site "$WORK/site" serve --port "$PORT" 2>/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

curl -s "http://127.0.0.1:$PORT/api/search?q=$(head -1 "$WORK/queries.txt")" | head -c 300; echo
wrk -t2 -c4 -d5s -s tests/bench/search.lua "http://127.0.0.1:$PORT" -- "$WORK/queries.txt" >/dev/null  # warm-up
wrk -t4 -c4 -d"${SECONDS_RUN}s" --latency -s tests/bench/search.lua "http://127.0.0.1:$PORT" -- "$WORK/queries.txt"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
