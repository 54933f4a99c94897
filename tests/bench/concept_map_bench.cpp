// Concept-map cost at scale: 10,000 synthetic neighbourhoods (3-10 links each, random targets)
// laid out and written as SVG through one ConceptMapper, as a build does. Not part of CTest.
// cmake --build .build --target concept_map_bench && ./.build/tests/bench/concept_map_bench
#include <chrono>
#include <cstdio>
#include <random>
#include "conceptmap.h"
using namespace lexicon;
int main() {
  std::mt19937 rng(1);
  const int n = 10000;
  std::vector<std::string> titles, urls;
  for (int i = 0; i < n; ++i) { titles.push_back("begrip " + std::to_string(rng() % 100000)); urls.push_back("/b/" + std::to_string(i) + "/"); }
  std::vector<std::vector<int>> out(n), in(n);
  for (int i = 0; i < n; ++i) for (int k = 0, m = 3 + rng() % 8; k < m; ++k) { int j = rng() % n; out[i].push_back(j); in[j].push_back(i); }
  ConceptMapper mapper;
  auto t0 = std::chrono::steady_clock::now();
  std::size_t bytes = 0;
  for (int i = 0; i < n; ++i) bytes += concept_map_svg(entry_concept_graph(i, out[i], in[i], out, titles, urls), mapper).size();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%d entry maps: %.2f s, %zu layouts computed, %zu cache hits, %.1f kB average\n", n, s, mapper.layouts_computed(), mapper.cache_hits(), bytes / 1024.0 / n);
}
