#pragma once
// The term cache. Analysing every entry's words for "Verwant" (related_terms.h) was the longest job of
// a one-entry rebuild at 10,000 entries. Each generation keeps what that analysis gave per entry, keyed
// by the entry file's git blob id (indexer.h, TermAnalysis); the next build analyses only the entries
// whose file changed. Never served (under .lexicon/); an unreadable or damaged cache is not used.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "indexer.h"

namespace lexicon {

inline constexpr const char* term_cache_path = ".lexicon/term-cache";

// Deterministic: the same analysis gives the same bytes. `binary` identifies the lexicon binary (its
// stemmer and word rules made the analysis).
std::string serialise_term_cache(const TermAnalysis& analysis, const std::string& binary);
// Null unless the bytes are a whole, undamaged cache written by `binary`.
std::optional<TermAnalysis> decode_term_cache(std::string_view bytes, const std::string& binary);

// Through a temporary file, renamed when complete; written as it is made (not held as one string).
void write_term_cache_file(const std::filesystem::path& file, const TermAnalysis& analysis, const std::string& binary);
std::optional<TermAnalysis> read_term_cache_file(const std::filesystem::path& file, const std::string& binary);

}  // namespace lexicon
