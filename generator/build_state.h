#pragma once
// Incremental builds. Every generation carries the state it was built from (.lexicon/build-state,
// never served): the lexicon binary, the git HEAD, every input file (stat and content hash) and a
// fingerprint per output and per index document, computed from the resolved data (not from HTML).
// A rebuild compares: stat-identical inputs mean nothing to do at all; otherwise only outputs whose
// fingerprint changed are rendered, the rest is hard-linked from the current generation.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "diagnostics.h"
#include "history.h"
#include "related_terms.h"
#include "render.h"
#include "hash.h"
#include "resolve.h"
#include "templates.h"

namespace lexicon {

inline constexpr const char* build_state_path = ".lexicon/build-state";

struct InputFile {
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;  // 0: written too close to the scan to trust (hash it again next time)
  std::string hash;           // git blob id (hex)
  bool operator==(const InputFile&) const = default;
};

// What a build's outcome depends on besides the input files.
struct BuildEnvironment {
  std::string binary;         // the lexicon binary: size, mtime, inode (a new binary builds everything)
  std::string head;           // git HEAD of content's repository ("" outside git or before the first commit)
  std::string git_index;      // stat of the repository's index (staged changes show on entry pages)
  std::string content_dir;    // absolute
  std::string templates_dir;  // absolute
  bool internal_index = true; // the index lives in the generation (no --index)
  bool operator==(const BuildEnvironment&) const = default;
};

struct BuildState {
  BuildEnvironment environment;
  Diagnostics warnings;       // of the build that wrote it: a no-op rebuild reports them again
  std::string history_note;
  std::int64_t scanned_ns = 0;  // wall clock of the input scan
  std::map<std::string, InputFile> inputs;       // "content/<rel>" and "templates/<rel>"
  std::unordered_map<std::string, Fingerprint> outputs;  // site path -> fingerprint (looked up 30,000 times an edit)
  Fingerprint index_global = 0;                  // what every index document depends on
  std::map<std::string, Fingerprint> documents;  // index unique-id term -> fingerprint
};

BuildEnvironment current_environment(const std::filesystem::path& content_dir, const std::filesystem::path& templates_dir,
                                     bool internal_index);

// How much of the stored state to read: `inputs` is what the no-op check needs (environment, inputs,
// warnings, notes), without the outputs and index documents that are most of the file; `all_but_inputs`
// the rest, for a state whose inputs were read already or are not needed (a spare generation's).
enum class BuildStateScope { inputs, all, all_but_inputs };

// The state stored in the current generation, or nullopt (no site, older format, unreadable).
std::optional<BuildState> read_build_state(const std::filesystem::path& site_dir,
                                           BuildStateScope scope = BuildStateScope::all);
std::string serialise_build_state(const BuildState& state);

// Stats every file under content/ and templates/ (on `jobs` threads); hashes only those whose stat differs
// from `previous`.
std::map<std::string, InputFile> scan_inputs(const std::filesystem::path& content_dir,
                                             const std::filesystem::path& templates_dir, const BuildState* previous,
                                             std::int64_t* scanned_ns = nullptr, int jobs = 1);

// Same set of files with the same content (by hash).
bool same_inputs(const std::map<std::string, InputFile>& a, const std::map<std::string, InputFile>& b);

struct Fingerprints {
  std::unordered_map<std::string, Fingerprint> outputs;  // every output render_site can produce
  Fingerprint index_global = 0;
  std::map<std::string, Fingerprint> documents;
  RedirectPlan redirects;  // what the outputs were fingerprinted with: render_site can take it (RenderControl)
  AzIndex az;              // likewise
  // By entry: what a list item showing it reads (URL, title, summary), for add_verwant.
  std::vector<Fingerprint> entry_items;
};

// The exact inputs of every output and index document, hashed from the resolved corpus (on `jobs` threads),
// except the entries' Verwant lists: add_verwant adds those to the entry pages' prints. So the hashing
// runs while Verwant's term analysis is still being made, instead of after it.
Fingerprints fingerprint(const ParsedCorpus& parsed, const LinkGraph& graph, const TemplateSet& templates,
                         const ContentHistory* history, const std::map<std::string, InputFile>& inputs,
                         const std::string& binary, int jobs = 1);
// Adds each entry's Verwant list (related_terms.h; by entry, as corpus.entries) to its page's print.
void add_verwant(Fingerprints& prints, const Corpus& corpus, const std::vector<std::vector<Suggestion>>& suggestions);

}  // namespace lexicon
