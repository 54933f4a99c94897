#pragma once
// Stage 3 (render): turns the resolved corpus into output files (in parallel).
#include <filesystem>
#include <string>
#include <vector>

#include "history.h"
#include "related_terms.h"
#include "resolve.h"
#include "templates.h"

namespace lexicon {

struct OutputFile {
  std::string path;     // relative to the site root, e.g. "begrippen/presentie/index.html"
  std::string content;
};

struct CopyFile {
  std::filesystem::path from;
  std::string path;     // relative to the site root
};

struct RenderedSite {
  std::vector<OutputFile> files;  // sorted by path
  std::vector<CopyFile> copies;   // sorted by path
};

// Mutates the parsed ASTs (fills in link targets), so `parsed` is taken by reference.
// `history` (git) adds history, citations, /recent/, /feed.xml and pages for renamed or removed
// entries; null renders every entry as not yet published. `suggestions` (parallel to the entries,
// from compute_suggestions) fills the computed "Verwant" section; null leaves it out.
RenderedSite render_site(ParsedCorpus& parsed, const LinkGraph& graph, const TemplateSet& templates, int jobs,
                         const ContentHistory* history = nullptr,
                         const std::vector<std::vector<Suggestion>>* suggestions = nullptr);

// "Baart, 2001" style label for a citation.
std::string author_year(const Source& source);

}  // namespace lexicon
