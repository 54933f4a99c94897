#!/usr/bin/env bash
# Builds the fuzz targets against cmark-gfm and yaml-cpp compiled from Debian 12's own source
# packages with clang, ASan, UBSan and libFuzzer's coverage instrumentation (the installed
# libraries are not instrumented, so fuzzing against them would be blind inside the parsers).
#
#   bash tests/fuzz/build-instrumented.sh            # work dir /tmp/lexicon-fuzz (or $LEXICON_FUZZ_WORK)
#
# Everything goes into the work dir: a private apt configuration (own sources list with the
# bookworm deb-src entry, own lists and cache, the system's apt setup is left alone), the
# unpacked sources (with Debian's patches applied by dpkg-source), the library builds, the
# install prefix, and the lexicon build with -DLEXICON_FUZZ=ON. Needs: clang, dpkg-dev, cmake,
# ninja, network access to deb.debian.org. Takes a few minutes; re-running skips finished steps.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=${LEXICON_FUZZ_WORK:-/tmp/lexicon-fuzz}
jobs=${JOBS:-1}
prefix=$work/prefix
mkdir -p "$work"

for tool in clang clang++ dpkg-source cmake ninja; do
  command -v "$tool" >/dev/null || { echo "build-instrumented: $tool ontbreekt (apt-get install clang dpkg-dev cmake ninja-build)" >&2; exit 2; }
done

# --- Private apt configuration: only deb-src for bookworm main, state and cache under $work/apt.
apt_dir=$work/apt
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/sources.list.d"
echo "deb-src http://deb.debian.org/debian bookworm main" >"$apt_dir/sources.list"
apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
          -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o "APT::Sandbox::User=root"
          -o "Acquire::Languages=none")
[ "$(id -u)" -eq 0 ] || apt_opts+=(-o "Debug::NoLocking=1")

# The source version of the binary packages installed here, so we fuzz exactly what ships.
source_version() {
  dpkg-query -W -f='${source:Version}' "$1"
}
cmark_version=$(source_version libcmark-gfm-dev)
yaml_version=$(source_version libyaml-cpp-dev)
echo "== Debian sources: cmark-gfm $cmark_version, yaml-cpp $yaml_version"

src=$work/src
mkdir -p "$src"
fetch() {  # package version -> unpacked directory name on stdout
  local pkg=$1 version=$2 upstream=${2%-*}
  upstream=${upstream#*:}
  local dir=$src/$pkg-$upstream
  if [ ! -d "$dir" ]; then
    if [ ! -s "$apt_dir/lists/deb.debian.org_debian_dists_bookworm_InRelease" ]; then
      apt-get "${apt_opts[@]}" -qq update >&2
    fi
    (cd "$src" && apt-get "${apt_opts[@]}" -qq source "$pkg=$version" >&2)
  fi
  echo "$dir"
}
cmark_src=$(fetch cmark-gfm "$cmark_version")
yaml_src=$(fetch yaml-cpp "$yaml_version")

# --- Instrumented libraries, static, so nothing can silently load the system's .so at run time.
flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
if [ ! -f "$prefix/lib/libcmark-gfm.a" ]; then
  echo "== cmark-gfm (instrumented) -> $prefix"
  cmake -S "$cmark_src" -B "$work/build-cmark" -G Ninja -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib -DCMARK_SHARED=OFF -DCMARK_STATIC=ON \
    -DCMARK_TESTS=OFF >/dev/null
  cmake --build "$work/build-cmark" -j "$jobs" >/dev/null
  cmake --install "$work/build-cmark" >/dev/null
  # Static linking needs the extensions before the core library they call into.
  sed -i 's/-lcmark-gfm -lcmark-gfm-extensions/-lcmark-gfm-extensions -lcmark-gfm/' "$prefix/lib/pkgconfig/libcmark-gfm.pc"
fi
if [ ! -f "$prefix/lib/libyaml-cpp.a" ]; then
  echo "== yaml-cpp (instrumented) -> $prefix"
  cmake -S "$yaml_src" -B "$work/build-yaml" -G Ninja -DCMAKE_BUILD_TYPE=None \
    -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib -DYAML_BUILD_SHARED_LIBS=OFF \
    -DYAML_CPP_BUILD_TESTS=OFF -DYAML_CPP_BUILD_TOOLS=OFF -DYAML_CPP_BUILD_CONTRIB=ON >/dev/null
  cmake --build "$work/build-yaml" -j "$jobs" >/dev/null
  cmake --install "$work/build-yaml" >/dev/null
fi
printf 'cmark-gfm %s\nyaml-cpp %s\nflags %s\n' "$cmark_version" "$yaml_version" "$flags" >"$prefix/VERSIONS"

# Self-check: the instrumented cmark-gfm must catch the known autolink over-read (":@"), which the
# system's uninstrumented copy silently survives. Proves ASan really is inside the library.
clang -g -fsanitize=address,undefined -I"$prefix/include" "$repo/tests/fuzz/autolink_check.c" \
  -L"$prefix/lib" -lcmark-gfm-extensions -lcmark-gfm -o "$work/autolink_check"
if ASAN_OPTIONS=detect_leaks=0 "$work/autolink_check" ":@" >"$work/autolink_check.log" 2>&1 ||
   ! grep -q "heap-buffer-overflow.*" "$work/autolink_check.log" || ! grep -q validate_protocol "$work/autolink_check.log"; then
  echo "build-instrumented: the instrumented cmark-gfm did not report the known autolink over-read; see $work/autolink_check.log" >&2
  exit 1
fi
echo "== self-check: instrumented cmark-gfm reports the known validate_protocol over-read on ':@' (autolink; lexicon does not attach it)"

# --- lexicon with LEXICON_FUZZ=ON against the instrumented prefix.
build=$work/lexicon
echo "== lexicon fuzz targets -> $build"
PKG_CONFIG_PATH=$prefix/lib/pkgconfig cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DLEXICON_FUZZ=ON \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_PACKAGE_PREFER_CONFIG=ON >/dev/null
cmake --build "$build" -j "$jobs" --target fuzz

# Prove the instrumented copies are the ones linked (not /usr/lib's): their coverage counters and
# ASan checks are inside the executables.
for t in frontmatter wikilinks entry collation query; do
  exe=$build/tests/fuzz/fuzz_$t
  if ldd "$exe" | grep -E 'libcmark-gfm|libyaml-cpp' >/dev/null; then
    echo "build-instrumented: $exe is linked against a shared (uninstrumented) cmark-gfm or yaml-cpp" >&2
    exit 1
  fi
done
nm "$build/tests/fuzz/fuzz_entry" | grep -E ' [Tt] cmark_parser_new$' >/dev/null ||
  { echo "build-instrumented: cmark-gfm is not linked statically into the fuzz targets" >&2; exit 1; }
echo "== klaar: $build/tests/fuzz/fuzz_{frontmatter,wikilinks,entry,collation,query}"
echo "   run:  bash tests/fuzz/run.sh TARGET RUNS"
