#include "facets.h"

#include <map>

#include "search_schema.h"
#include "text.h"

namespace lexicon {

namespace {
constexpr std::size_t max_themes = 64;  // one bit each in a 64-bit mask
}  // namespace

void write_theme_table(Xapian::WritableDatabase& db) {
  // Format: theme slugs joined by '\n', a NUL, then one little-endian uint64 mask per docid 1..last.
  std::map<Xapian::docid, std::vector<std::string>> themes_of;
  std::map<std::string, int> bit;
  for (auto v = db.valuestream_begin(schema::slot_themes); v != db.valuestream_end(schema::slot_themes); ++v) {
    auto themes = split_lines(*v);
    for (const auto& t : themes) bit.emplace(t, 0);
    themes_of[v.get_docid()] = std::move(themes);
  }
  if (bit.size() > max_themes) {
    db.set_metadata(schema::metadata_theme_table, "");  // search falls back to reading values
    return;
  }
  std::string table;
  int k = 0;
  for (auto& [slug, b] : bit) {
    b = k++;
    table += (table.empty() ? "" : "\n") + slug;
  }
  table += '\0';
  // The highest docid in use, not get_lastdocid(): an updated index keeps the high-water mark of
  // documents deleted from its end, and the table must be the one a clean build writes.
  Xapian::docid last = 0;
  for (auto d = db.postlist_begin(""); d != db.postlist_end(""); ++d) last = *d;
  std::string masks(static_cast<std::size_t>(last) * 8, '\0');
  for (const auto& [docid, themes] : themes_of) {
    std::uint64_t m = 0;
    for (const auto& t : themes) m |= std::uint64_t{1} << bit[t];
    for (int byte = 0; byte < 8; ++byte) masks[(docid - 1) * 8 + byte] = static_cast<char>((m >> (8 * byte)) & 0xFF);
  }
  db.set_metadata(schema::metadata_theme_table, table + masks);
}

ThemeTable::ThemeTable(const Xapian::Database& db) {
  std::string data = db.get_metadata(schema::metadata_theme_table);
  auto nul = data.find('\0');
  if (nul == std::string::npos) return;
  std::string names = data.substr(0, nul);
  masks_ = data.substr(nul + 1);
  if (masks_.size() % 8 != 0) {
    masks_.clear();
    return;
  }
  themes_ = split_lines(names);
  last_docid_ = static_cast<Xapian::docid>(masks_.size() / 8);
  present_ = true;
}

std::uint64_t ThemeTable::mask(Xapian::docid docid) const {
  if (docid == 0 || docid > last_docid_) return 0;
  std::uint64_t m = 0;
  for (int byte = 7; byte >= 0; --byte) {
    m = (m << 8) | static_cast<unsigned char>(masks_[(docid - 1) * 8 + static_cast<std::size_t>(byte)]);
  }
  return m;
}

}  // namespace lexicon
