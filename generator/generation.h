#pragma once
// Stage 4 (write): a complete new generation is written beside site/ and swapped in atomically,
// so site/ is always the complete old or the complete new version.
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

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

// A new generation being written (the hidden sibling ".site.new-<pid>"): files can be added from
// several threads while pages are still being rendered. It starts empty, or with `recycle` it starts as
// the spare generation (".site.spare", the one before the current, kept by the last build) when there
// is one: an incremental build then touches only the files that differ from it, instead of creating
// every folder and link of the site again. Files are never written in place (they may be hard links
// shared with the current generation): each write replaces the directory entry.
class StagingWriter {
 public:
  explicit StagingWriter(const std::filesystem::path& site_dir, bool recycle = false);
  const std::filesystem::path& path() const { return staging_; }
  bool recycled() const { return recycled_; }
  void write(const OutputFile& file);  // thread-safe; throws std::runtime_error on I/O failure

 private:
  std::filesystem::path staging_;
  bool recycled_ = false;
  std::mutex mutex_;
  std::set<std::string> made_;  // directories already created
};

// What a recycled staging directory already holds (see StagingWriter).
struct StagedContents {
  std::function<bool(const std::string& path)> up_to_date;  // this kept output is there, unchanged
  std::vector<std::string> stale;                            // outputs there that the new generation lacks
};

// Like publish_generation, into a staging directory that already holds the files marked `written`
// (and, when recycled, what `staged` describes). With `keep_spare`, the generation it replaces is kept
// as the spare for the next build to recycle (replacing any spare there was); without, it is deleted
// and an existing spare stays.
void publish_staged_generation(const std::filesystem::path& site_dir, const std::filesystem::path& staging,
                               const RenderedSite& site,
                               const std::function<void(const std::filesystem::path& staging)>& fill,
                               bool detach_cleanup = false, const StagedContents* staged = nullptr,
                               bool keep_spare = false);

// The hidden sibling directory of `site_dir` for this process: ".site.<kind>-<pid>".
std::filesystem::path generation_sibling(const std::filesystem::path& site_dir, const char* kind);

// Whether writing over the spare generation beats a fresh folder when `differing` of a site's `outputs`
// differ from it. Replacing a file (unlink, then create or link) costs about five times what creating
// one in a fresh folder does (10,000 entries, 30,000 files: all replaced 14 s, all created 2.7 s), so a
// binary or template change that touches most pages starts empty. Up to a few hundred replacements
// cost well under 0.1 s either way, and recycling spares deleting a generation.
bool recycling_pays_off(std::size_t differing, std::size_t outputs);

// The previous generation kept for recycling: ".site.spare" beside site/.
std::filesystem::path spare_generation(const std::filesystem::path& site_dir);

// Removes staging, retired or index directories left by a build that was killed. Without
// `retired_too`, retired generations stay: one may still be being deleted by the `rm` that the build
// before started in the background, and a no-op rebuild should not do that work in the foreground.
void remove_stale_generations(const std::filesystem::path& site_dir, bool retired_too = true);

// One build at a time per site: a second one (an editor's `lexicon build` beside `serve --watch`) would
// take the first one's staging directory for a killed build's and remove it, or recycle the same spare.
// An advisory lock (flock) on the hidden sibling ".site.lock", which the kernel releases when the process
// ends, however it ends: a killed build leaves no stale lock. The lock file itself stays.
class GenerationLock {
 public:
  // Takes the lock; when another build holds it, first calls `on_wait` with that build's process id (0 when
  // unknown), then waits for it. Throws std::runtime_error when the lock file cannot be opened.
  GenerationLock(const std::filesystem::path& site_dir, const std::function<void(long holder)>& on_wait);
  ~GenerationLock();
  GenerationLock(const GenerationLock&) = delete;
  GenerationLock& operator=(const GenerationLock&) = delete;

 private:
  int fd_ = -1;
};

// Writes `content` to `path` via a temporary file and rename (used for single files).
void write_file_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace lexicon
