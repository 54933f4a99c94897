#!/usr/bin/env bash
# Runs one fuzz target built by build-instrumented.sh for a given number of executions.
#
#   bash tests/fuzz/run.sh TARGET RUNS [libFuzzer options...]
#   bash tests/fuzz/run.sh entry 10000000
#
# TARGET: frontmatter, wikilinks, entry, collation or query. RUNS counts executions (-runs), so a
# busy machine only makes it slower, never shorter. The seed corpus is rebuilt from content/, the
# fixtures, tests/fuzz/regressions/TARGET and (for query) the relevance test's queries; what the
# fuzzer finds accumulates in $work/corpus/TARGET, crashes go to $work/artifacts/TARGET/.
# The run takes only idle CPU (a minimal-weight CPU cgroup when root); the fuzzer's final statistics end the output.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${LEXICON_FUZZ_WORK:-/tmp/lexicon-fuzz}
target=${1:?usage: run.sh TARGET RUNS [libFuzzer options]}
runs=${2:?usage: run.sh TARGET RUNS [libFuzzer options]}
shift 2
exe=$work/lexicon/tests/fuzz/fuzz_$target
[ -x "$exe" ] || { echo "run.sh: $exe ontbreekt; draai eerst bash tests/fuzz/build-instrumented.sh" >&2; exit 2; }

seeds=$work/seeds/$target
corpus=$work/corpus/$target
artifacts=$work/artifacts/$target
rm -rf "$seeds"
mkdir -p "$seeds" "$corpus" "$artifacts"

md_files() { find "$repo/content" "$repo/tests/fixtures" -name '*.md' -type f | sort; }
# Copies each file to the seed dir under a unique name.
seed_files() { local n=0 f; while read -r f; do n=$((n + 1)); cp "$f" "$seeds/$n-$(basename "$f")"; done; }
# The body of an entry file: everything after the closing front matter fence.
body_of() { awk 'NR == 1 && /^---/ { fm = 1; next } fm && /^(---|\.\.\.)[ \t]*$/ { fm = 0; next } !fm' "$1"; }

case $target in
  frontmatter)
    max_len=4096; dict=yaml.dict
    { md_files; find "$repo/content" "$repo/tests/fixtures" -name '*.yaml' -type f | sort; } | seed_files ;;
  entry)
    max_len=4096; dict=markdown.dict
    md_files | seed_files ;;
  wikilinks)
    max_len=4096; dict=markdown.dict
    n=0
    while read -r f; do n=$((n + 1)); body_of "$f" >"$seeds/$n-$(basename "$f")"; done < <(md_files) ;;
  collation)
    max_len=1024; dict=
    # One seed per document: its title and aliases, one per line.
    n=0
    while read -r f; do
      n=$((n + 1))
      sed -n 's/^title: *//p; s/^  - *{term: *\([^,}]*\).*/\1/p; s/^  - *//p' "$f" >"$seeds/$n-$(basename "$f" .md).txt"
    done < <(md_files) ;;
  query)
    max_len=600; dict=query.dict
    # The target builds its index in a temporary folder per process and removes it at exit; libFuzzer
    # stopped by a signal exits without that, so remove those of fuzzers no longer running.
    for d in "${TMPDIR:-/tmp}"/lexicon-fuzz-query-*; do
      [ -d "$d" ] && ! kill -0 "${d##*-}" 2>/dev/null && rm -rf "$d"
    done
    # Byte 0 chooses the options (type, theme, page, limit); the rest is the query.
    n=0
    while read -r q; do
      n=$((n + 1))
      printf '\000%s' "$q" >"$seeds/q$n-0"
      printf '\045%s' "$q" >"$seeds/q$n-1"  # type=begrip, first theme, limit 50
    done < <(sed -n 's/^ *{Category::[a-z]*, "\([^"]*\)".*/\1/p' "$repo/tests/test_relevance.cpp"
             sed -n 's/^title: *//p' "$repo"/content/begrippen/*.md) ;;
  *)
    echo "run.sh: onbekend doel '$target' (frontmatter, wikilinks, entry, collation, query)" >&2; exit 2 ;;
esac
if [ -d "$repo/tests/fuzz/regressions/$target" ]; then
  cp "$repo/tests/fuzz/regressions/$target"/* "$seeds/" 2>/dev/null || true
fi

# -entropic=0: the entropic schedule's bookkeeping per execution made every target here 2-3x slower
# (tests/fuzz/README.md); later options, such as -entropic=1, override it.
opts=(-runs="$runs" -max_len="$max_len" -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 -entropic=0
      -artifact_prefix="$artifacts/")
[ -n "$dict" ] && opts+=(-dict="$repo/tests/fuzz/dicts/$dict")
echo "== $(date -Is) fuzz_$target: $(ls "$seeds" | wc -l) seeds, $(ls "$corpus" | wc -l) corpus inputs"
echo "== versions: $(tr '\n' ' ' <"$work/prefix/VERSIONS" 2>/dev/null)"
echo "== $exe ${opts[*]} $* $corpus $seeds"
# No malloc fill and a smaller quarantine: most of ASan's cost per run here was filling and
# faulting in fresh pages; use-after-free within the last 64 MB of frees is still caught.
# No allocation stacks (malloc_context_size=0): recording them (ASan's stack depot) cost entry 29 %
# and query 18 % of their executions (tests/fuzz/README.md). Every error is still caught and reported
# where it happens; replay an artifact with the fuzz_TARGET binary alone (ASan's defaults) for the
# stacks that allocated and freed the memory.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:max_malloc_fill_size=0:quarantine_size_mb=64:malloc_context_size=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
start=$(date +%s)
status=0
# The fuzzer should take only idle CPU. With the kernel's autogroup scheduling (Debian's default) nice
# only ranks processes within one session, and a fuzzer in a niced session of its own still took a
# full share from other sessions. A CPU cgroup with the smallest weight does work: as root, the
# fuzzer runs in one (cgroup v1 cpu.shares=2 or v2 cpu.weight=1); otherwise nice is the best we can do.
idle_cgroup() {
  local dir
  for dir in /sys/fs/cgroup/cpu/lexicon-fuzz /sys/fs/cgroup/lexicon-fuzz; do
    mkdir -p "$dir" 2>/dev/null || continue
    if [ -w "$dir/cpu.shares" ]; then echo 2 >"$dir/cpu.shares" && echo "$dir" && return; fi
    if [ -w "$dir/cpu.weight" ]; then echo 1 >"$dir/cpu.weight" && echo "$dir" && return; fi
    rmdir "$dir" 2>/dev/null || true
  done
  return 0
}
cgroup=$(idle_cgroup)
echo "== scheduling: ${cgroup:+cgroup $cgroup, }nice 19"
if [ -n "$cgroup" ]; then
  # The subshell moves itself into the cgroup, then becomes the fuzzer.
  (echo "$BASHPID" >"$cgroup/cgroup.procs"; exec nice -n 19 "$exe" "${opts[@]}" "$@" "$corpus" "$seeds") &
else
  setsid nice -n 19 "$exe" "${opts[@]}" "$@" "$corpus" "$seeds" &
fi
fuzzer=$!
trap 'kill "$fuzzer" 2>/dev/null || true' INT TERM
wait "$fuzzer" || status=$?
echo "== $(date -Is) fuzz_$target exit $status after $(( $(date +%s) - start )) s wall; corpus now $(ls "$corpus" | wc -l) inputs"
exit $status
