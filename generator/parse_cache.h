#pragma once
// The parse cache. Reading, YAML and cmark-gfm were most of an incremental build's work at 10,000
// entries, for files that had not changed. Each generation keeps what parsing each document file gave
// (its fields, links, headings, plain text and its own diagnostics), keyed by the file's git blob id;
// the next build takes every file whose scanned id matches from there and reads nothing of it.
// Never served (under .lexicon/); an unreadable or damaged cache is simply not used.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "build_state.h"
#include "content.h"
#include "diagnostics.h"
#include "markdown.h"
#include "resolve.h"

namespace lexicon {

inline constexpr const char* parse_cache_path = ".lexicon/parse-cache";

struct CachedFile {
  Document document;  // without text and body
  MarkdownDoc markdown;  // without tree
  std::vector<Diagnostic> diagnostics;  // what loading and parsing this file reported
};

struct ParseCache {
  std::string binary;        // the lexicon binary that parsed (another may parse differently)
  std::string display_root;  // what documents' and diagnostics' paths start with
  std::map<std::string, CachedFile> files;  // by display path
};

// Every document of `parsed` with its own diagnostics from `diagnostics` (taken after parsing, before
// resolving: later stages' diagnostics depend on other files). Deterministic: a clean and an
// incremental build of the same content write the same bytes.
std::string serialise_parse_cache(const ParsedCorpus& parsed, const Diagnostics& diagnostics,
                                  const std::string& binary, const std::string& display_root);
std::optional<ParseCache> decode_parse_cache(std::string_view bytes);

// The cached files still valid for this build: same binary and display root, and content whose blob
// id is the one the input scan found for the file now. Empty when there is no usable cache.
std::map<std::string, CachedFile> reusable_files(const std::filesystem::path& cache_file, const std::string& binary,
                                                 const std::string& display_root,
                                                 const std::map<std::string, InputFile>& inputs);

}  // namespace lexicon
