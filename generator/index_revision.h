#pragma once
// Which index, and which revision of it: data read from an index once (theme table, stored fields,
// bitmaps) is only used for a search on that same revision.
#include <string>

#include <xapian.h>

namespace lexicon {

struct IndexRevision {
  std::string uuid;
  Xapian::rev revision = 0;

  static IndexRevision of(const Xapian::Database& db) { return {db.get_uuid(), db.get_revision()}; }
  bool operator==(const IndexRevision&) const = default;
};

}  // namespace lexicon
