#pragma once
// The pipeline, load -> parse -> resolve -> render -> write/index, as one call per subcommand.
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "diagnostics.h"

namespace lexicon {

struct BuildOptions {
  std::filesystem::path content_dir = "content";
  std::filesystem::path site_dir = "site";
  std::filesystem::path templates_dir = "templates";
  std::filesystem::path index_dir;  // empty: <site>/.xapian inside the generation
  int jobs = 0;                     // 0: all cores
  bool strict = false;              // warnings count as errors
  DiagnosticFormat format = DiagnosticFormat::text;
  bool clean = false;     // ignore the current generation's build state: render and index everything
  bool progress = false;  // progress display on stderr for builds longer than a second
  bool detach_cleanup = false;  // delete the previous generation in the background (CLI)
  // The process ends right after this build (the command line): what the build held is left to the
  // kernel instead of being freed piece by piece.
  bool exit_after = false;
};

struct BuildReport {
  int exit_code = 0;
  Diagnostics diagnostics;
  std::size_t entries = 0;
  std::size_t files = 0;
  std::string history_note;  // why git history could not be read (empty when fine or simply not in git)
  // Wall-clock seconds per stage, for `--timings` and the benchmarks: check (load, parse,
  // resolve), history, verwant (computed suggestions), site (render + write + swap), index.
  std::vector<std::pair<std::string, double>> timings;
  // Incremental builds (build_state.h): nothing changed (no new generation written), outputs
  // rendered or copied afresh, outputs reused from the previous generation, index documents
  // written (0 with a clean index: then index_full; an update of the spare generation's index also
  // brings it up to the current one), index documents new, changed or gone since the current generation.
  bool unchanged = false;
  std::size_t rendered = 0, reused = 0, index_documents = 0, index_changed = 0;
  std::size_t parsed = 0;  // documents read and parsed afresh; the others came from the parse cache
  bool index_full = false;
  bool recycled = false;  // written over the spare generation (generation.h), not into an empty folder
  // What the build made, for the caller to free when it suits: that takes a while (~0.1 s at 10,000
  // entries), and a server frees it after it has told open pages to reload. Empty with exit_after.
  std::shared_ptr<void> leftovers;
};

// Loads, checks and (unless check_only) writes a new generation. Never touches content/.
BuildReport run_build(const BuildOptions& options, bool check_only);

int effective_jobs(int requested);

}  // namespace lexicon
