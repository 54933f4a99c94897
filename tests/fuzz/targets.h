#pragma once
// Fuzz bodies, shared by the libFuzzer executables (CMake option LEXICON_FUZZ, clang) and by the
// plain replay driver `fuzz_replay` that CTest runs over tests/fuzz/regressions/<target>/ in every
// build. A body returns 0; a broken invariant prints what broke and aborts, so libFuzzer records
// the input as a crash and the replay test fails.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lexicon::fuzz {

struct Target {
  const char* name;
  const char* what;
  void (*init)();  // once per process, before the first input; may be null
  int (*run)(const std::uint8_t* data, std::size_t size);
};

// Null when no target has that name.
const Target* find_target(std::string_view name);
// "frontmatter, wikilinks, ..." for usage messages.
std::string target_names();

int frontmatter(const std::uint8_t* data, std::size_t size);
int wikilinks(const std::uint8_t* data, std::size_t size);
void entry_init();
int entry(const std::uint8_t* data, std::size_t size);
int collation(const std::uint8_t* data, std::size_t size);
void query_init();
int query(const std::uint8_t* data, std::size_t size);

// Aborts with a message naming the broken invariant (always on, also in release builds).
[[noreturn]] void invariant_failed(const char* target, const char* condition, const char* file, int line,
                                   const std::string& detail);

// Shared checks on what the parsers hand to the rest of the generator.
bool valid_utf8(std::string_view text);
// The loader's preconditions for a Markdown file (content.cpp read_file): no NUL, valid UTF-8,
// LF line ends. Returns false when `raw` would be refused before parsing.
bool loadable(const std::string& raw);
// `raw` made loadable the way an editor's file would be after fixing it: LF line ends, NUL and
// invalid UTF-8 replaced by U+FFFD. Lets every input reach the Markdown parser.
std::string as_loaded_text(const std::string& raw);

}  // namespace lexicon::fuzz

#define FUZZ_CHECK(target, cond, detail)                                                         \
  do {                                                                                          \
    if (!(cond)) ::lexicon::fuzz::invariant_failed(target, #cond, __FILE__, __LINE__, (detail)); \
  } while (0)
