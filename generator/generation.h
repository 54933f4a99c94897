#pragma once
// Stage 4 (write): a complete new generation is written beside site/ and swapped in atomically,
// so site/ is always the complete old or the complete new version.
#include <filesystem>
#include <functional>

#include "render.h"

namespace lexicon {

// Writes files and copies into a fresh sibling directory of `site_dir`, calls `fill` to add
// more (the search index), then swaps it in. Throws std::runtime_error on I/O failure, leaving
// site_dir untouched.
void publish_generation(const std::filesystem::path& site_dir, const RenderedSite& site,
                        const std::function<void(const std::filesystem::path& staging)>& fill);

// Removes staging or retired directories left by a build that was killed.
void remove_stale_generations(const std::filesystem::path& site_dir);

// Writes `content` to `path` via a temporary file and rename (used for single files).
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace lexicon
