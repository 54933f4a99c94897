#pragma once
// Stage 3 (render): turns the resolved corpus into output files (in parallel).
#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "az_index.h"
#include "history.h"
#include "related_terms.h"
#include "resolve.h"
#include "segments.h"
#include "templates.h"

namespace lexicon {

struct OutputFile {
  std::string path;     // relative to the site root, e.g. "begrippen/presentie/index.html"
  std::string content;
  bool written = false;  // already handed to RenderControl::write (content then released)
  std::optional<SegmentTable> segments = std::nullopt;  // for an output written in segments (segments.h)
};

// An output written in segments (segments.h), with its table.
OutputFile segmented_output(std::string path, SegmentedText&& segmented);

struct CopyFile {
  std::filesystem::path from;
  std::string path;     // relative to the site root
};

struct RenderedSite {
  std::vector<OutputFile> files;  // sorted by path
  std::vector<CopyFile> copies;   // sorted by path
  std::vector<std::string> kept;  // outputs not rendered (RenderControl::wanted said no): reused from the previous generation
};

// Optional controls for render_site (incremental builds, progress display; see build_state.h).
// Redirect pages and pages for removed entries, by URL slug: shared with the fingerprints of build_state.cpp.
struct RedirectPlan {
  std::vector<std::pair<std::string, int>> redirects;  // slug -> entry index
  std::vector<std::size_t> removed;                    // indexes into history->removed that get a page
};
RedirectPlan plan_redirects(const Corpus& corpus, const ContentHistory* history);

class ConceptMapper;  // conceptmap.h

struct RenderControl {
  // Whether to produce the output at this site path; null renders everything.
  std::function<bool(const std::string& path)> wanted;
  std::atomic<std::size_t> done{0};   // tasks finished, for the progress display
  std::atomic<std::size_t> total{0};  // tasks to run, set before they start
  // When set, each rendered file goes here at once, from the render threads, and is not kept in
  // memory: writing overlaps rendering and a large site need not fit in memory.
  std::function<void(const OutputFile& file)> write;
  // When set, told (from the render threads) the index of each entry whose page has read its body:
  // no other output reads that body, so a full build frees it there (at 50,000 entries the bodies
  // are a good part of what is alive while the pages are rendered).
  std::function<void(std::size_t entry)> body_read;
  // When set, the plan_redirects result for the same corpus and history (the fingerprints made one
  // already: slugifying every title and alias twice was a tenth of a one-entry edit's rendering).
  const RedirectPlan* redirects = nullptr;
  // When set, the az_index of the same corpus (the fingerprints made one already).
  const AzIndex* az = nullptr;
  // When set, lays out the concept maps instead of a mapper of the render's own (a build prepares one
  // beside other work: see ConceptMapper::prepare).
  ConceptMapper* mapper = nullptr;
  // When set, the current generation's file and segment table of an output written in segments (or
  // nullopt), for its unchanged segments to be copied from there.
  std::function<std::optional<PreviousOutput>(const std::string& path)> previous_output;
};

// Each body is parsed again (parse_markdown_tree) to fill in its link targets; `parsed` is not changed. A
// document from the parse cache has no body: its page reads it from the file (read_body, content.h).
// `history` (git) adds history, citations, /recent/, /feed.xml and pages for renamed or removed
// entries; null renders every entry as not yet published. `suggestions` (parallel to the entries,
// from compute_suggestions) fills the computed "Verwant" section; null leaves it out.
RenderedSite render_site(const ParsedCorpus& parsed, const LinkGraph& graph, const TemplateSet& templates, int jobs,
                         const ContentHistory* history = nullptr,
                         const std::vector<std::vector<Suggestion>>* suggestions = nullptr,
                         RenderControl* control = nullptr);

// "Baart, 2001" style label for a citation.
std::string author_year(const Source& source);

// The HTML body of entry `index` as its page shows it (wiki links, citations and images filled in
// by the same code as render_site, on a tree parsed again from the entry's body). For the fuzzers
// (tests/fuzz/) and tests.
std::string render_entry_body(const ParsedCorpus& parsed, const LinkGraph& graph, std::size_t index);

}  // namespace lexicon
