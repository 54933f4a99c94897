#pragma once
// Theme facets: which themes each document has, as one compact table in the index's metadata,
// so counting facets over thousands of matches reads a byte table instead of every document's value.
#include <cstdint>
#include <string>
#include <vector>

#include <xapian.h>

namespace lexicon {

// The table for the current documents of `db` (from the theme value slot). Called by the indexer
// after its last change, so the table always describes the committed documents.
void write_theme_table(Xapian::WritableDatabase& db);

class ThemeTable {
 public:
  ThemeTable() = default;  // unusable
  // Reads the table from the index; empty (unusable) when absent or when there are too many themes.
  explicit ThemeTable(const Xapian::Database& db);
  bool usable() const { return present_; }
  // Bit k set: the document has theme `themes()[k]`.
  std::uint64_t mask(Xapian::docid docid) const;
  const std::vector<std::string>& themes() const { return themes_; }

 private:
  std::vector<std::string> themes_;
  std::string masks_;  // 8 bytes (little-endian) per docid, from docid 1
  Xapian::docid last_docid_ = 0;
  bool present_ = false;
};

}  // namespace lexicon
