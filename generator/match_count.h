#pragma once
// Exact totals and theme facet counts of a query's match set, without ranking: the set as a bitmap
// over docids, combined from one bitmap per term. A server keeps the bitmaps of the index's frequent
// terms and of its themes (read once per index revision); other terms come from their postings.
// For a broad query this replaces a second, unranked Xapian pass that sent each of thousands of
// matches through the matcher.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <xapian.h>

#include "facets.h"
#include "index_revision.h"

namespace lexicon {

using DocBitmap = std::vector<std::uint64_t>;  // bit (docid - 1) set: the document is in the set

struct MatchBitmaps {
  IndexRevision index;
  Xapian::docid last_docid = 0;
  std::unordered_map<std::string, DocBitmap> terms;  // the most frequent terms, within the byte budget
  std::vector<DocBitmap> themes;                      // parallel to ThemeTable::themes()
};
// Terms in at least 1/16 of the documents, most frequent first, while they fit in max_bytes.
MatchBitmaps read_match_bitmaps(const Xapian::Database& db, const ThemeTable& themes, std::size_t max_bytes);

struct MatchCounts {
  std::size_t total = 0;
  std::map<std::string, std::size_t> themes;  // slug -> matching documents with that theme (only > 0)
};
// The counts for `query` (boolean operators, terms, weight scaling). nullopt for other query shapes
// (phrases, value ranges, posting sources, ...) or without a usable theme table: count with Xapian then.
// `bitmaps` is used when it belongs to this revision of this index.
std::optional<MatchCounts> count_matches(const Xapian::Database& db, const Xapian::Query& query,
                                         const ThemeTable& themes, const MatchBitmaps* bitmaps);

}  // namespace lexicon
