#pragma once
// The history cache. Reading the git history was the longest job of a one-entry rebuild at 10,000
// entries: the working-tree status of every entry file plus the walk over all commits. Each generation
// keeps what load_history gave; the next build reuses it when git's HEAD and index are unchanged
// (BuildEnvironment) and asks only the changed entry files for their status (history.h, KnownHistory).
// Never served (under .lexicon/); an unreadable, damaged or foreign cache is not used.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "history.h"

namespace lexicon {

inline constexpr const char* history_cache_path = ".lexicon/history-cache";

// Deterministic: the same history gives the same bytes. `binary` identifies the lexicon binary that
// read the history (how it follows renames and what it records).
std::string serialise_history_cache(const ContentHistory& history, const std::string& binary);
// Null unless the bytes are a whole, undamaged cache written by `binary`.
std::optional<ContentHistory> decode_history_cache(std::string_view bytes, const std::string& binary);

// Through a temporary file, renamed when complete.
void write_history_cache_file(const std::filesystem::path& file, const ContentHistory& history, const std::string& binary);
std::optional<ContentHistory> read_history_cache_file(const std::filesystem::path& file, const std::string& binary);

}  // namespace lexicon
