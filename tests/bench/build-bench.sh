#!/usr/bin/env bash
# Full clean builds of lexicon and Hugo on the same synthetic corpora, median of RUNS.
#   bash tests/bench/build-bench.sh [SIZES...]      (default: 1000 10000 50000; RUNS=5)
# Prints a Markdown table; lexicon runs with the README build's binary and configuration.
set -euo pipefail
cd "$(dirname "$0")/../.."
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(1000 10000 50000)
runs=${RUNS:-5}
work=${BENCH_DIR:-/tmp/lexicon-bench}
build=${BUILD:-.build}  # the README build; BUILD=<dir> for another build of the same configuration
lexicon=./$build/generator/lexicon
command -v hugo >/dev/null || { echo "hugo ontbreekt: apt-get install hugo" >&2; exit 2; }
cmake --build "$build" --target lexicon make_corpus >/dev/null
mkdir -p "$work"
# Outputs of earlier runs are moved aside and deleted once the timed runs are over (deleting tens of
# thousands of files can take minutes on a slow disk, and must not overlap a timed build).
trash="$work/trash.$$"; mkdir -p "$trash"
discard() { [ -e "$1" ] && mv "$1" "$trash/$(basename "$1").$RANDOM$RANDOM" || true; }
trap 'rm -rf "$trash"' EXIT

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

echo "| entries | lexicon full (s) | lexicon site only (s) | lexicon index (s) | Hugo full (s) | full / Hugo | site / Hugo | lexicon peak RSS (MB) | Hugo peak RSS (MB) | site size (MB) | index size (MB) | Hugo output (MB) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  corpus="$work/corpus-$n"
  [ -d "$corpus/lexicon" ] || ./$build/tests/bench/make_corpus "$n" "$corpus" >/dev/null
  # Git history is one of the features measured (as in incremental-bench.sh): one commit of the corpus.
  if [ ! -d "$corpus/lexicon/.git" ]; then
    git -C "$corpus/lexicon" init -q
    git -C "$corpus/lexicon" -c user.name=bench -c user.email=bench@example.org add -A
    git -C "$corpus/lexicon" -c user.name=bench -c user.email=bench@example.org commit -q -m corpus
  fi
  hugo_dir="$work/hugo-$n"
  discard "$hugo_dir"; cp -r "$corpus/hugo" "$hugo_dir"
  cp -r tests/bench/hugo-layout/layouts "$hugo_dir/"; cp -r tests/bench/hugo-layout/content-extra/. "$hugo_dir/content/"
  : > "$work/l-$n.txt"; : > "$work/h-$n.txt"
  for r in $(seq "$runs"); do
    discard "$work/site-$n"
    /usr/bin/time -f "%e %M" -o "$work/time.txt" "$lexicon" --timings --content "$corpus/lexicon" --site "$work/site-$n" build 2> "$work/err.txt" >/dev/null
    read -r total rss < "$work/time.txt"
    site=$(awk '/^timing: site /{print $3}' "$work/err.txt"); index=$(awk '/^timing: index /{print $3}' "$work/err.txt")
    echo "$total $rss ${site:-0} ${index:-0}" >> "$work/l-$n.txt"
    discard "$hugo_dir/public"; discard "$hugo_dir/resources"
    (cd "$hugo_dir" && /usr/bin/time -f "%e %M" -o "$work/htime.txt" hugo --quiet >/dev/null 2>&1)
    cat "$work/htime.txt" >> "$work/h-$n.txt"
  done
  lt=$(cut -d' ' -f1 "$work/l-$n.txt" | median); lr=$(cut -d' ' -f2 "$work/l-$n.txt" | median)
  ls_=$(cut -d' ' -f3 "$work/l-$n.txt" | median); li=$(cut -d' ' -f4 "$work/l-$n.txt" | median)
  ht=$(cut -d' ' -f1 "$work/h-$n.txt" | median); hr=$(cut -d' ' -f2 "$work/h-$n.txt" | median)
  site_mb=$(du -sm --exclude=.xapian "$work/site-$n" | cut -f1); index_mb=$(du -sm "$work/site-$n/.xapian" | cut -f1)
  hugo_mb=$(du -sm "$hugo_dir/public" | cut -f1)
  awk -v n="$n" -v lt="$lt" -v ls="$ls_" -v li="$li" -v ht="$ht" -v lr="$lr" -v hr="$hr" -v sm="$site_mb" -v im="$index_mb" -v hm="$hugo_mb" \
    'BEGIN { printf "| %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.0f | %d | %d | %d |\n", n, lt, ls, li, ht, lt/ht, ls/ht, lr/1024, hr/1024, sm, im, hm }'
done
