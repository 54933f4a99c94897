// In-process search latency: search() + to_json() for every query of a file, one thread, no HTTP.
// Separates the cost of searching from the server's; used by tests/bench/search-bench.sh.
//   search_latency INDEX QUERIES
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "search.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: search_latency INDEX QUERIES\n";
    return 2;
  }
  Xapian::Database db(argv[1]);
  std::ifstream in(argv[2]);
  std::vector<std::string> queries;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) queries.push_back(line);
  }
  if (queries.empty()) return 2;
  std::vector<double> ms;
  std::size_t corrected = 0;
  for (int round = 0; round < 2; ++round) {  // the first round warms the page cache
    ms.clear();
    for (const auto& q : queries) {
      lexicon::SearchOptions o;
      o.query = q;
      auto start = std::chrono::steady_clock::now();
      auto result = lexicon::search(db, o);
      std::string json = lexicon::to_json(result).dump();
      ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      if (round == 1 && !result.corrected.empty()) ++corrected;
    }
  }
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * ms.size()))]; };
  std::cout << fmt::format("in-process: {} queries ({} with a spelling correction), p50 {:.2f} ms, p99 {:.2f} ms, max {:.2f} ms\n",
                           ms.size(), corrected, pct(0.50), pct(0.99), ms.back());
}
