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

#include "binary_io.h"
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

// A cache file checked whole (checksum) but decoded one file at a time, when the loader asks for it:
// its worker threads share the decoding.
struct CachedRecord {
  std::size_t offset = 0, size = 0;  // of the file's record in `bytes`
  std::string hash;                  // git blob id of the file it was parsed from
  std::optional<MarkdownDoc> markdown;  // set when the loader has decoded the record, for parse_corpus
};
struct ParseCacheFile {
  FileBytes bytes;
  std::string binary, display_root;
  std::map<std::string, CachedRecord> records;  // by display path
};
std::optional<ParseCacheFile> open_parse_cache(FileBytes bytes);
// Null when the record turns out to be damaged.
std::optional<CachedFile> decode_record(const ParseCacheFile& cache, const CachedRecord& record);

// The same bytes written to `file` as they are made (through a temporary file, renamed when complete).
// `known` (optional) is the cache this build reused (reusable_parse_cache, same binary and display root):
// a document whose record is still there was parsed from the same bytes by the same binary, so that
// record is copied as it is instead of being encoded again (serialisation is deterministic).
void write_parse_cache_file(const std::filesystem::path& file, const ParsedCorpus& parsed,
                            const Diagnostics& diagnostics, const std::string& binary, const std::string& display_root,
                            const ParseCacheFile* known = nullptr);

// The cache of the current generation with only the records still valid for this build: same binary
// and display root, and a blob id the input scan found for that file now. Null when none is usable.
std::optional<ParseCacheFile> reusable_parse_cache(const std::filesystem::path& cache_file, const std::string& binary,
                                                   const std::string& display_root,
                                                   const std::map<std::string, InputFile>& inputs);

}  // namespace lexicon
