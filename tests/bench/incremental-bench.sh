#!/usr/bin/env bash
# Incremental builds against full builds and Hugo, on one synthetic corpus, all in the same run:
#   bash tests/bench/incremental-bench.sh [BUILD_DIR] [ENTRIES]     (default: .build 10000; RUNS=3)
# Per run: a full (clean) lexicon build, a no-op rebuild, a one-entry body edit, a one-entry title
# edit, each timed with /usr/bin/time; then Hugo's full build of the same corpus (as build-bench.sh
# sets it up). After the runs, an editor's series: RUNS body edits of that entry one after another,
# no clean build between them; then RUNS more, each after the machine sat idle for PAUSE seconds
# (default 6): a virtual machine that hands idle memory back to its host (free page reporting) makes
# the first touches of a build's fresh memory cost more after a pause, as between an editor's saves);
# then RUNS body edits and RUNS title edits under `serve --watch`, each after such a pause (the
# editor's own loop, whose process keeps its heap between rebuilds). The corpus is committed in a git
# repository, so history is part of every build.
# Prints a Markdown table of medians for tests/bench/RESULTS.md. Not part of CTest.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-.build}
n=${2:-10000}
runs=${RUNS:-3}
work=${BENCH_DIR:-/tmp/lexicon-incr-bench}
lexicon=$build/generator/lexicon
command -v hugo >/dev/null || { echo "hugo ontbreekt: apt-get install hugo" >&2; exit 2; }
cmake --build "$build" --target lexicon make_corpus >/dev/null
mkdir -p "$work"
corpus="$work/corpus-$n"
# Made again when make_corpus is newer than it (a changed generator makes a different corpus).
if [ ! -d "$corpus/lexicon/.git" ] || [ "$build/tests/bench/make_corpus" -nt "$corpus/lexicon/.git" ]; then
  rm -rf "$corpus"
  "$build/tests/bench/make_corpus" "$n" "$corpus" >/dev/null
  git -C "$corpus/lexicon" init -q
  git -C "$corpus/lexicon" -c user.name=bench -c user.email=bench@example.org add -A
  git -C "$corpus/lexicon" -c user.name=bench -c user.email=bench@example.org commit -q -m corpus
fi
hugo_dir="$work/hugo-$n"
rm -rf "$hugo_dir"; cp -r "$corpus/hugo" "$hugo_dir"
cp -r tests/bench/hugo-layout/layouts "$hugo_dir/"; cp -r tests/bench/hugo-layout/content-extra/. "$hugo_dir/content/"
site="$work/site-$n"
entry=$(ls "$corpus/lexicon/begrippen" | sed -n "$((n / 2))p")
file="$corpus/lexicon/begrippen/$entry"
cp "$file" "$work/entry.orig"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# Waits until the previous generation, deleted in the background after a swap, is gone, so one
# measurement does not pay for another's clean-up.
settle() { while ls -d "$work"/.site-"$n".old-* >/dev/null 2>&1; do sleep 0.2; done; sync; }
timed() {  # label, then the lexicon arguments
  local label=$1; shift
  settle
  [ "$label" = paused ] && sleep "${PAUSE:-6}"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$lexicon" --timings --content "$corpus/lexicon" --site "$site" "$@" 2> "$work/err-$label.txt" >/dev/null
  read -r secs rss < "$work/time.txt"
  echo "$secs" >> "$work/$label.txt"
  grep -q "^lexicon: " "$work/err-$label.txt" && grep "^lexicon: [0-9n]" "$work/err-$label.txt" | tail -1 > "$work/msg-$label.txt" || true
}

rm -f "$work"/{full,noop,edit,title,hugo,series,paused,restored,watch,watchsave,watchtitle}.txt
for r in $(seq "$runs"); do
  cp "$work/entry.orig" "$file"
  timed full build --clean
  timed noop build
  printf '\nEen extra zin voor de benchmark, ronde %s.\n' "$r" >> "$file"
  timed edit build
  sed -i "0,/^title: /s//title: Bench $r /" "$file"
  timed title build
  cp "$work/entry.orig" "$file"
  rm -rf "$hugo_dir/public" "$hugo_dir/resources"
  (cd "$hugo_dir" && /usr/bin/time -f "%e %M" -o "$work/htime.txt" hugo --quiet >/dev/null 2>&1)
  cut -d' ' -f1 "$work/htime.txt" >> "$work/hugo.txt"
done
cp "$work/entry.orig" "$file"
timed restored build
for r in $(seq "$runs"); do
  printf '\nNog een zin voor de benchmark, bewerking %s.\n' "$r" >> "$file"
  timed series build
done
for r in $(seq "$runs"); do
  printf '\nNog een zin na een pauze, bewerking %s.\n' "$r" >> "$file"
  timed paused build
done
cp "$work/entry.orig" "$file"
timed restored build
settle

# The editor's own loop: `serve --watch` rebuilding in its process, RUNS edits each after PAUSE idle
# seconds. Recorded: the rebuild's own seconds (from its log line) and the time from the save to that
# line (which adds the watcher's 50 ms debounce).
port=${WATCH_PORT:-18931}
"$lexicon" --content "$corpus/lexicon" --site "$site" serve --watch --port "$port" > "$work/watch.log" 2>&1 &
watcher=$!
for _ in $(seq 600); do grep -q "bewaakt" "$work/watch.log" && break; sleep 0.1; done
grep -q "bewaakt" "$work/watch.log" || { echo "serve --watch kwam niet op:" >&2; cat "$work/watch.log" >&2; kill "$watcher"; exit 1; }
for r in $(seq "$runs"); do
  settle
  sleep "${PAUSE:-6}"
  before=$(grep -c "bijgewerkt" "$work/watch.log" || true)
  t0=$(date +%s.%N)
  printf '\nNog een zin onder serve --watch, bewerking %s.\n' "$r" >> "$file"
  for _ in $(seq 3000); do [ "$(grep -c "bijgewerkt" "$work/watch.log" || true)" -gt "$before" ] && break; sleep 0.01; done
  [ "$(grep -c "bijgewerkt" "$work/watch.log" || true)" -gt "$before" ] ||
    { echo "serve --watch bouwde niet opnieuw binnen 30 s:" >&2; tail -5 "$work/watch.log" >&2; kill "$watcher"; exit 1; }
  t1=$(date +%s.%N)
  grep "bijgewerkt" "$work/watch.log" | tail -1 | sed 's/.*(\([0-9.]*\) s).*/\1/' >> "$work/watch.txt"
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }' >> "$work/watchsave.txt"
done
# Then RUNS title edits the same way (each undone afterwards, that rebuild not recorded).
wait_for_rebuild() {  # the count of rebuilds before the change
  for _ in $(seq 3000); do [ "$(grep -c "bijgewerkt" "$work/watch.log" || true)" -gt "$1" ] && return 0; sleep 0.01; done
  echo "serve --watch bouwde niet opnieuw binnen 30 s:" >&2; tail -5 "$work/watch.log" >&2; kill "$watcher"; exit 1
}
for r in $(seq "$runs"); do
  settle
  sleep "${PAUSE:-6}"
  before=$(grep -c "bijgewerkt" "$work/watch.log" || true)
  sed -i "0,/^title: /s//title: Watch $r /" "$file"
  wait_for_rebuild "$before"
  grep "bijgewerkt" "$work/watch.log" | tail -1 | sed 's/.*(\([0-9.]*\) s).*/\1/' >> "$work/watchtitle.txt"
  settle
  before=$(grep -c "bijgewerkt" "$work/watch.log" || true)
  cp "$work/entry.orig" "$file"
  wait_for_rebuild "$before"
done
kill "$watcher"; wait "$watcher" 2>/dev/null || true
cp "$work/entry.orig" "$file"
timed restored build
settle

f=$(median < "$work/full.txt"); z=$(median < "$work/noop.txt"); e=$(median < "$work/edit.txt")
t=$(median < "$work/title.txt"); h=$(median < "$work/hugo.txt"); s=$(median < "$work/series.txt")
p=$(median < "$work/paused.txt"); w=$(median < "$work/watch.txt"); ws=$(median < "$work/watchsave.txt")
wt=$(median < "$work/watchtitle.txt")
echo "| entries | lexicon full (s) | no-op (s) | one-entry body edit (s) | body edits in a row (s) | body edit after a pause (s) | edit under serve --watch, after a pause (s) | save to swap under serve --watch (s) | one-entry title edit (s) | title edit under serve --watch (s) | Hugo full (s) | no-op / full | edit / full | edit / Hugo |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
awk -v n="$n" -v f="$f" -v z="$z" -v e="$e" -v s="$s" -v p="$p" -v w="$w" -v ws="$ws" -v t="$t" -v wt="$wt" -v h="$h" \
  'BEGIN { printf "| %d | %.2f | %.3f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.3f | %.3f | %.3f |\n", n, f, z, e, s, p, w, ws, t, wt, h, z/f, e/f, e/h }'
echo
for f in full noop edit series paused watch watchsave title watchtitle hugo; do echo "$f: $(tr '\n' ' ' < "$work/$f.txt")"; done
echo
echo "Stages of the last body edit (--timings):"
grep "^timing:" "$work/err-edit.txt" | tr '\n' ' '; echo
cat "$work/msg-edit.txt" 2>/dev/null || true
echo "Stages of the last title edit:"
grep "^timing:" "$work/err-title.txt" | tr '\n' ' '; echo
cat "$work/msg-title.txt" 2>/dev/null || true
