#pragma once
// Query side of the index: the same analysis as the indexer, via search_schema.h.
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "analysis.h"
#include "facets.h"

namespace lexicon {

struct SearchOptions {
  std::string query;
  std::string theme;  // theme slug filter, "" for all
  std::string type;   // "begrip", "pagina", "bron" or "" for all
  std::size_t offset = 0;
  std::size_t limit = 10;
};

struct ThemeRef {
  std::string slug;
  std::string name;
};

struct SearchHit {
  std::string title;
  std::string url;
  std::string type;
  std::string summary;
  std::string snippet_html;  // escaped text with <mark> around matched words
  std::vector<ThemeRef> themes;
};

struct Facet {
  std::string slug;
  std::string name;
  std::size_t count = 0;
};

struct SearchResult {
  std::size_t total = 0;
  std::string corrected;  // the corrected query when spelling correction was used or is suggested
  bool used_correction = false;
  std::vector<SearchHit> hits;
  std::vector<Facet> facets;
};

// What every search reads from the index besides its postings: the compound vocabulary, the theme
// table and the themes' names. A server reads it once per index revision, not once per query
// (the theme table alone is 8 bytes per document).
struct SearchIndexData {
  std::string uuid;  // which index, and which revision of it
  Xapian::rev revision = 0;
  CompoundSplitter splitter;
  ThemeTable themes;
  std::map<std::string, std::string> theme_names;  // slug -> name, for the slugs in `themes`
};
SearchIndexData read_search_index_data(const Xapian::Database& db);

// `prepared` is used when it was read from the same revision of the same index (uuid and revision); otherwise (or when
// null) the search reads what it needs itself.
SearchResult search(const Xapian::Database& db, const SearchOptions& options,
                    const SearchIndexData* prepared = nullptr);

nlohmann::json to_json(const SearchResult& result);

// Highlights words of `text` that match the analysed query words; the one *_html producer of search.
std::string make_snippet_html(const std::string& text, const std::vector<std::string>& query_words,
                              std::size_t max_tokens = 30);

}  // namespace lexicon
