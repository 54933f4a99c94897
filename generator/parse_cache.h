#pragma once
// The parse cache. Reading, YAML and cmark-gfm were most of an incremental build's work at 10,000
// entries, for files that had not changed. Each generation keeps what parsing each document file gave
// (its fields, links, headings, plain text and its own diagnostics), keyed by the file's git blob id;
// the next build takes every file whose scanned id matches from there and reads nothing of it.
// Never served (under .lexicon/); an unreadable or damaged cache is simply not used.
//
// The cache is a directory of shards (a document's shard follows from its path), each a complete cache
// file of its own. A shard whose documents all came unchanged from the current generation's cache is
// the same bytes, so it is hard-linked from there: an edit writes one shard of 64, not 33 MB at 10,000
// entries. A damaged shard costs only its own documents' parsing.
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "binary_io.h"
#include "build_state.h"
#include "content.h"
#include "diagnostics.h"
#include "markdown.h"
#include "resolve.h"
#include "text.h"

namespace lexicon {

inline constexpr const char* parse_cache_path = ".lexicon/parse-cache";  // a directory of shards
inline constexpr std::size_t parse_cache_shards = 64;
std::size_t parse_cache_shard(std::string_view display_path);
std::string parse_cache_shard_name(std::size_t shard);  // its file name in the directory

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
// resolving: later stages' diagnostics depend on other files), as one cache file (a shard holds the
// same for its documents). Deterministic: a clean and an incremental build of the same content write
// the same bytes.
std::string serialise_parse_cache(const ParsedCorpus& parsed, const Diagnostics& diagnostics,
                                  const std::string& binary, const std::string& display_root);
std::optional<ParseCache> decode_parse_cache(std::string_view bytes);

// A cache file checked whole (checksum) but decoded one file at a time, when the loader asks for it:
// its worker threads share the decoding.
struct CachedRecord {
  std::size_t shard = 0;             // which of ParseCacheFile::shards holds it
  std::size_t offset = 0, size = 0;  // of the file's record in that shard's bytes
  std::string hash;                  // git blob id of the file it was parsed from
  std::optional<MarkdownDoc> markdown;  // set when the loader has decoded the record, for parse_corpus
};
struct ParseCacheFile {
  std::vector<FileBytes> shards;  // by shard number (one for a cache opened from one file)
  // Per shard: how many records its file holds, and how many of them are still valid (in `records`).
  std::vector<std::size_t> held, valid;
  std::filesystem::path dir;  // the shards' directory, when read from one
  std::string binary, display_root;
  // By display path (looked up by string_view). Hashed: 10,000 paths with a long common prefix in an
  // ordered map cost a cache miss per comparison, and an edit looks each up three times.
  std::unordered_map<std::string, CachedRecord, TransparentHash, std::equal_to<>> records;
};
// One cache file (a shard, or what serialise_parse_cache gives), as shard 0.
std::optional<ParseCacheFile> open_parse_cache(FileBytes bytes);
// Null when the record turns out to be damaged. With `defer` the markdown comes without its plain text
// and the document without its front matter positions (MarkdownDoc::plain_text_deferred,
// Document::positions_deferred); decoding the record again gives them.
std::optional<CachedFile> decode_record(const ParseCacheFile& cache, const CachedRecord& record, bool defer = false);

// The cache as a new directory `dir` of shards, each written as it is made (through a temporary file,
// renamed when complete). `known` (optional) is the cache this build reused (reusable_parse_cache, same
// binary and display root): a document whose record is still there was parsed from the same bytes by
// the same binary, so that record is copied as it is instead of being encoded again (serialisation is
// deterministic), and a shard made of exactly the records of a known shard is hard-linked from it.
void write_parse_cache_dir(const std::filesystem::path& dir, const ParsedCorpus& parsed,
                           const Diagnostics& diagnostics, const std::string& binary, const std::string& display_root,
                           const ParseCacheFile* known = nullptr);

// The cache of the current generation: the shards written by the same binary for the same display root,
// every record checked. Null when there is none. Needs no input scan, so a build opens it beside the scan.
std::optional<ParseCacheFile> open_parse_cache_dir(const std::filesystem::path& cache_dir, const std::string& binary,
                                                   const std::string& display_root);
// Only the records still valid for this build: a blob id the input scan found for that file now. Null
// when none is left.
std::optional<ParseCacheFile> reusable_parse_cache(ParseCacheFile cache, const std::map<std::string, InputFile>& inputs);
// Both in one.
std::optional<ParseCacheFile> reusable_parse_cache(const std::filesystem::path& cache_dir, const std::string& binary,
                                                   const std::string& display_root,
                                                   const std::map<std::string, InputFile>& inputs);

}  // namespace lexicon
