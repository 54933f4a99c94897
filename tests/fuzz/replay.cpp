// Plain driver for the fuzz bodies, without libFuzzer: runs one target over files and directories
// (recursively, in sorted order) and fails if any input breaks an invariant or crashes. CTest runs
// it over tests/fuzz/regressions/<target>/ (inputs that once failed) and the real content.
//   fuzz_replay TARGET PATH...
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "targets.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: fuzz_replay TARGET PATH...\ntargets: %s\n", lexicon::fuzz::target_names().c_str());
    return 2;
  }
  const auto* target = lexicon::fuzz::find_target(argv[1]);
  if (!target) {
    std::fprintf(stderr, "fuzz_replay: unknown target '%s' (targets: %s)\n", argv[1],
                 lexicon::fuzz::target_names().c_str());
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    fs::path p = argv[i];
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        if (e.is_regular_file()) files.push_back(e.path());
      }
    } else if (fs::is_regular_file(p)) {
      files.push_back(p);
    } else {
      std::fprintf(stderr, "fuzz_replay: %s does not exist\n", p.c_str());
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "fuzz_replay: no inputs\n");
    return 2;
  }
  if (target->init) target->init();
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    std::string data = buffer.str();
    std::fprintf(stderr, "%s: %s (%zu bytes)\n", target->name, f.c_str(), data.size());
    target->run(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  }
  std::printf("fuzz_replay %s: %zu inputs, no failures\n", target->name, files.size());
  return 0;
}
