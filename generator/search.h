#pragma once
// Query side of the index: the same analysis as the indexer, via search_schema.h.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>
#include <xapian.h>

#include "analysis.h"
#include "facets.h"
#include "match_count.h"

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

// A document's stored fields: what its hit shows.
struct StoredDocument {
  std::string title, url, type, summary;
  std::string text;  // for the snippet
  std::vector<ThemeRef> themes;
};
// From Xapian::Document::get_data(); nullopt when the data is not ours.
std::optional<StoredDocument> parse_stored_document(const std::string& data);

// Every document's stored fields by docid, read ahead of the searches that show them (the server
// does so in the background for each index it opens), so a hit costs no read from the index and no
// JSON parsing. Only for indexes whose stored data is small enough to keep in memory.
struct StoredDocuments {
  IndexRevision index;
  std::vector<std::optional<StoredDocument>> by_docid;  // [docid - 1]
};
// nullopt when the stored data of `db` exceeds max_bytes, or when stop() turns true.
std::optional<StoredDocuments> read_stored_documents(const Xapian::Database& db, std::size_t max_bytes,
                                                     const std::function<bool()>& stop = {});

// What every search reads from the index besides its postings: the compound vocabulary, the theme
// table and the themes' names. A server reads it once per index revision, not once per query
// (the theme table alone is 8 bytes per document).
struct SearchIndexData {
  IndexRevision index;
  CompoundSplitter splitter;
  ThemeTable themes;
  std::map<std::string, std::string> theme_names;  // slug -> name, for the slugs in `themes`
  std::shared_ptr<const StoredDocuments> documents;  // optional; used when of the same index revision
  std::shared_ptr<const MatchBitmaps> bitmaps;       // optional; likewise
};
SearchIndexData read_search_index_data(const Xapian::Database& db);

// `prepared` is used when it was read from the same revision of the same index (uuid and revision); otherwise (or when
// null) the search reads what it needs itself.
SearchResult search(const Xapian::Database& db, const SearchOptions& options,
                    const SearchIndexData* prepared = nullptr);

nlohmann::json to_json(const SearchResult& result);

// Which words of a text match the analysed query words (as folded or as stemmed). One per query: it
// remembers its verdict for each distinct word across the texts of all hits.
class SnippetMatcher {
 public:
  explicit SnippetMatcher(const std::vector<std::string>& query_words);
  bool matches(std::string_view folded_word);

 private:
  // Lookups by string_view without building a string per word.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Set = std::unordered_set<std::string, Hash, std::equal_to<>>;
  Analyzer analyzer_;
  Set folded_, stems_;
  std::unordered_map<std::string, bool, Hash, std::equal_to<>> verdicts_;
};

// Highlights words of `text` that match the analysed query words; the one *_html producer of search.
std::string make_snippet_html(const std::string& text, SnippetMatcher& matcher, std::size_t max_tokens = 30);
std::string make_snippet_html(const std::string& text, const std::vector<std::string>& query_words,
                              std::size_t max_tokens = 30);

}  // namespace lexicon
