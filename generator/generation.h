#pragma once
// Stage 4 (write): a complete new generation is written beside site/ and swapped in atomically,
// so site/ is always the complete old or the complete new version.
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

#include "render.h"

namespace lexicon {

struct MissingPreviousOutput : std::runtime_error {
  explicit MissingPreviousOutput(const std::string& path) : std::runtime_error("ontbreekt in de vorige site: " + path) {}
};

// Writes files and copies into a fresh sibling directory of `site_dir`, hard-links the unchanged
// outputs `site.kept` from the current generation (incremental builds), calls `fill` to add more
// (the search index, the build state), then swaps it in. Throws std::runtime_error on I/O failure
// (MissingPreviousOutput when a kept file is gone from site_dir), leaving site_dir untouched.
// `detach_cleanup`: the previous generation is deleted by a background `rm` (the CLI returns sooner).
void publish_generation(const std::filesystem::path& site_dir, const RenderedSite& site,
                        const std::function<void(const std::filesystem::path& staging)>& fill,
                        bool detach_cleanup = false);

// A new generation being written (the hidden sibling ".site.new-<pid>", emptied first): files can
// be added from several threads while pages are still being rendered.
class StagingWriter {
 public:
  explicit StagingWriter(const std::filesystem::path& site_dir);
  const std::filesystem::path& path() const { return staging_; }
  void write(const OutputFile& file);  // thread-safe; throws std::runtime_error on I/O failure

 private:
  std::filesystem::path staging_;
  std::mutex mutex_;
  std::set<std::string> made_;  // directories already created
};

// Like publish_generation, into a staging directory that already holds the files marked `written`.
void publish_staged_generation(const std::filesystem::path& site_dir, const std::filesystem::path& staging,
                               const RenderedSite& site,
                               const std::function<void(const std::filesystem::path& staging)>& fill,
                               bool detach_cleanup = false);

// The hidden sibling directory of `site_dir` for this process: ".site.<kind>-<pid>".
std::filesystem::path generation_sibling(const std::filesystem::path& site_dir, const char* kind);

// Removes staging, retired or index directories left by a build that was killed. Without
// `retired_too`, retired generations stay: one may still be being deleted by the `rm` that the build
// before started in the background, and a no-op rebuild should not do that work in the foreground.
void remove_stale_generations(const std::filesystem::path& site_dir, bool retired_too = true);

// Writes `content` to `path` via a temporary file and rename (used for single files).
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace lexicon
