#pragma once
// Template data built from git history: the "Geschiedenis" and "Zo citeer je dit lemma" sections
// of an entry, the "Recente wijzigingen" page, the Atom feed and pages for removed entries.
// render.cpp wraps these in the site layout; nothing here touches HTML except via html_escape.
#include <string>
#include <vector>

#include <kainjow/mustache.hpp>

#include "content.h"
#include "history.h"
#include "resolve.h"

namespace lexicon {

struct SiteLinks {
  std::string base_path;      // "/lexicon/"
  std::string absolute_base;  // "https://example.org/lexicon/", or base_path when base_url has no scheme
  std::string url(const std::string& path) const { return base_path + path; }
  std::string absolute(const std::string& path) const { return absolute_base + path; }
};

// Sets "history" (object) on an entry page: dates, revisions, local-change notes.
// `history` may be null (no history wanted); the page then says nothing is published yet.
void set_entry_history(kainjow::mustache::data& page, const ContentHistory* history, const std::string& slug);

// Sets "cite_apa_html" and "cite_bibtex" for an entry. `last` is the entry's own last commit
// (not HEAD), or null when it has none.
void set_citation(kainjow::mustache::data& page, const Document& entry, const SiteConfig& config, const Revision* last,
                  const std::string& stable_url);

// The entry's own last commit, or null.
const Revision* last_revision(const ContentHistory* history, const std::string& slug);

// Data for templates/recent.mustache and templates/feed.mustache.
kainjow::mustache::data recent_data(const ContentHistory& history, const Corpus& corpus, const SiteLinks& links);
kainjow::mustache::data feed_data(const ContentHistory& history, const Corpus& corpus, const SiteLinks& links);

// Data for templates/removed.mustache (the page left at a removed entry's old URL).
kainjow::mustache::data removed_data(const RemovedEntry& removed, const ContentHistory& history, const Corpus& corpus,
                                     const LinkGraph& graph, const SiteLinks& links);

// BibTeX-escapes text for a braced field value.
std::string bibtex_escape(const std::string& text);

}  // namespace lexicon
