#!/usr/bin/env bash
# Relevance comparison (not part of CTest): lexicon's search vs Omega (Debian xapian-omega: omindex +
# quest) vs Pagefind (npm, queried in Debian's headless chromium), on the real site, in one run, with
# the queries of tests/test_relevance.cpp. Prints top-1 / top-3 per category; the figures go into
# tests/bench/RELEVANCE.md by hand.
#
#   apt-get install -y xapian-omega chromium nodejs npm     # once
#   bash tests/bench/relevance-compare.sh [build-dir=build]
#
# Everything is built from scratch in $RELEVANCE_DIR (default /tmp/lexicon-relevance-compare):
#   site/            `lexicon build` of content/ (with its .xapian index)
#   html-page/       copy of site/ without .xapian: the HTML as published
#   html-main/       the same, marked so that only <main> is indexed (each engine's own mechanism:
#                    <!--htdig_noindex--> around header/footer for Omega, data-pagefind-body on
#                    <main> for Pagefind); templates/ is never touched
#   omega-{main,page}.db     omindex --stemmer=$OMEGA_STEMMER (default kraaij_pohlmann) --spelling
#   pagefind-{main,page}/    copies with pagefind's index in pagefind/
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
BUILD=${1:-build}
WORK=${RELEVANCE_DIR:-/tmp/lexicon-relevance-compare}
export OMEGA_STEMMER=${OMEGA_STEMMER:-kraaij_pohlmann}

for tool in omindex quest node npm; do
  command -v "$tool" >/dev/null || { echo "$tool is needed: apt-get install -y xapian-omega nodejs npm" >&2; exit 2; }
done
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "chromium is needed: apt-get install -y chromium" >&2; exit 2; }

cmake --build "$BUILD" -j "${BENCH_JOBS:-1}" --target lexicon >/dev/null
LEXICON=$REPO/$BUILD/generator/lexicon
# `npm install`, not `npm ci`: the registry reachable here serves only pagefind's Linux binaries, so the
# lock file (which it leaves unchanged) lists no darwin/windows packages and `npm ci` would refuse it.
(cd tests/bench/relevance && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error >/dev/null)
PAGEFIND=$REPO/tests/bench/relevance/node_modules/.bin/pagefind

rm -rf "$WORK"
mkdir -p "$WORK"
"$LEXICON" --content content --templates templates --site "$WORK/site" build

cp -a "$WORK/site/." "$WORK/html-page/"
rm -rf "$WORK/html-page/.xapian"
cp -a "$WORK/html-page/." "$WORK/html-main/"
# Only where the layout has a <main>: alias redirect pages have none (and say robots noindex).
find "$WORK/html-main" -name '*.html' -print0 | xargs -0 grep -l '<main id="inhoud"' | while read -r f; do
  sed -i 's|<body>|<body><!--htdig_noindex-->|; s|<main id="inhoud"|<!--/htdig_noindex--><main data-pagefind-body id="inhoud"|; s|</main>|</main><!--htdig_noindex-->|; s|</body>|<!--/htdig_noindex--></body>|' "$f"
done

for v in main page; do
  omindex --db "$WORK/omega-$v.db" --url / --stemmer="$OMEGA_STEMMER" --spelling "$WORK/html-$v" >"$WORK/omindex-$v.log" 2>&1
  cp -a "$WORK/html-$v/." "$WORK/pagefind-$v/"
  "$PAGEFIND" --site "$WORK/pagefind-$v" >"$WORK/pagefind-$v.log" 2>&1
done

echo "lexicon $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?') (+ working tree); $(omindex --version | head -1); $(quest --version | head -1); pagefind $("$PAGEFIND" --version | awk '{print $2}'); $(/usr/bin/chromium --version 2>/dev/null | head -1); Omega stemmer: $OMEGA_STEMMER"
node tests/bench/relevance/compare.mjs "$WORK" "$LEXICON" "$REPO"
