// In-process search latency: search() + to_json() for every query of a file, one thread, no HTTP.
// Separates the cost of searching from the server's; used by tests/bench/search-bench.sh.
//   search_latency INDEX QUERIES
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <malloc.h>
#include <sys/resource.h>

#include <fmt/format.h>

#include "search.h"
#include "server.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: search_latency INDEX QUERIES\n";
    return 2;
  }
  mallopt(M_TRIM_THRESHOLD, 64 << 20);  // as lexicon's main() does
  mallopt(M_TOP_PAD, 16 << 20);
  Xapian::Database db(argv[1]);
  // As `lexicon serve` does: index metadata and stored fields read once, not per query
  // (NO_PRELOAD=1: stored fields and term bitmaps are not held, as for an index too large to hold).
  lexicon::SearchIndexData prepared = lexicon::read_search_index_data(db);
  if (!std::getenv("NO_PRELOAD")) {
    const std::size_t budget = lexicon::ServeOptions{}.preload_bytes;
    if (auto stored = lexicon::read_stored_documents(db, budget)) {
      prepared.documents = std::make_shared<const lexicon::StoredDocuments>(std::move(*stored));
      prepared.bitmaps = std::make_shared<const lexicon::MatchBitmaps>(
          lexicon::read_match_bitmaps(db, lexicon::ThemeTable(db), budget / 2));
    }
  }
  std::ifstream in(argv[2]);
  std::vector<std::string> queries;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) queries.push_back(line);
  }
  if (queries.empty()) return 2;
  std::vector<double> ms;
  std::size_t corrected = 0;
  // CPU time per query as well: on a shared machine the wall times stretch, the CPU time hardly does.
  auto cpu_seconds = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  double cpu_start = 0;
  for (int round = 0; round < 2; ++round) {  // the first round warms the page cache
    ms.clear();
    cpu_start = cpu_seconds();
    for (const auto& q : queries) {
      lexicon::SearchOptions o;
      o.query = q;
      auto start = std::chrono::steady_clock::now();
      auto result = lexicon::search(db, o, &prepared);
      std::string json = lexicon::to_json(result).dump();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      if (round == 1 && !result.corrected.empty()) ++corrected;
    }
  }
  if (std::getenv("SLOWEST")) {  // which queries make the tail
    std::vector<std::size_t> order(ms.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ms[a] > ms[b]; });
    for (std::size_t k = 0; k < std::min<std::size_t>(order.size(), std::stoul(std::getenv("SLOWEST"))); ++k) {
      std::cout << fmt::format("{:8.2f} ms  {}\n", ms[order[k]], queries[order[k]]);
    }
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))]; };
  double cpu_ms = (cpu_seconds() - cpu_start) * 1000 / static_cast<double>(ms.size());
  std::cout << fmt::format("in-process: {} queries ({} with a spelling correction), p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms, "
                           "CPU {:.2f} ms per query\n",
                           ms.size(), corrected, pct(0.50), pct(0.99), ms.back(), cpu_ms);
}
