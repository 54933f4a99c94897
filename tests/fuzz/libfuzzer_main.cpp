// libFuzzer entry points for one target, chosen at compile time (LEXICON_FUZZ_TARGET).
#include <cstdio>
#include <cstdlib>

#include "targets.h"

namespace {
const lexicon::fuzz::Target& target() {
  static const lexicon::fuzz::Target* t = lexicon::fuzz::find_target(LEXICON_FUZZ_TARGET);
  if (!t) {
    std::fprintf(stderr, "unknown fuzz target %s\n", LEXICON_FUZZ_TARGET);
    std::abort();
  }
  return *t;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (target().init) target().init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return target().run(data, size);
}
