// index_entry_terms with a `keep` filter (indexer.h), as compute_suggestions uses it to stay small at
// 50,000 entries: on the REAL content/, the kept terms must have exactly the statistics, expansion
// weights and match weights of the database with every term, so Verwant suggests the same entries.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <xapian.h>

#include "build_helpers.h"
#include "content.h"
#include "indexer.h"
#include "resolve.h"
#include "search_schema.h"

using namespace lexicon;
using namespace testutil;

namespace {

struct Kept : Xapian::ExpandDecider {
  std::set<std::string> terms;
  bool operator()(const std::string& term) const override { return terms.count(term) > 0; }
};

}  // namespace

TEST_CASE("Verwant's compact term index: kept terms weigh exactly as in the full one") {
  Diagnostics diagnostics;
  ParsedCorpus parsed = parse_corpus(load_corpus(source_dir() / "content", diagnostics), 2, diagnostics);
  const std::size_t n = parsed.corpus.entries.size();
  REQUIRE(n > 20);
  const unsigned max_freq = static_cast<unsigned>(n / 5);
  Kept kept;
  std::size_t asked = 0;
  EntryTermIndex full = index_entry_terms(parsed, 2);
  EntryTermIndex compact = index_entry_terms(parsed, 2, [&](const std::string& term, unsigned entries, unsigned max_wdf) {
    ++asked;
    bool keep = entries >= 2 && entries <= max_freq && max_wdf >= 2;
    if (keep) kept.terms.insert(term);
    return keep;
  });
  const Xapian::Database& a = full.db;
  const Xapian::Database& b = compact.db;
  // The filter was asked about every term once, and left a real part out.
  std::size_t all_terms = 0;
  for (auto t = a.allterms_begin(); t != a.allterms_end(); ++t) ++all_terms;
  CHECK(asked == all_terms);
  REQUIRE(kept.terms.size() > 20);
  REQUIRE(kept.terms.size() < all_terms / 2);

  REQUIRE(b.get_doccount() == a.get_doccount());
  CHECK(b.get_total_length() == a.get_total_length());
  for (Xapian::docid d = 1; d <= a.get_lastdocid(); ++d) {
    CAPTURE(d);
    CHECK(b.get_doclength(d) == a.get_doclength(d));
  }
  for (auto t = a.allterms_begin(); t != a.allterms_end(); ++t) {
    CAPTURE(*t);
    if (kept.terms.count(*t)) {
      CHECK(b.get_termfreq(*t) == t.get_termfreq());
      CHECK(b.get_collection_freq(*t) == a.get_collection_freq(*t));
      CHECK(compact.surface.at(*t) == full.surface.at(*t));
    } else {
      CHECK(b.get_termfreq(*t) == 0);
      CHECK(compact.surface.count(*t) == 0);
    }
  }

  // Expansion (Bo1) and matching (BM25), as compute_suggestions asks them, for every entry.
  Xapian::Enquire ea(a), eb(b);
  ea.set_expansion_scheme("bo1");
  eb.set_expansion_scheme("bo1");
  std::size_t compared = 0;
  for (Xapian::docid d = 1; d <= a.get_lastdocid(); ++d) {
    CAPTURE(d);
    Xapian::RSet rset;
    rset.add_document(d);
    Xapian::ESet sa = ea.get_eset(16, rset, &kept), sb = eb.get_eset(16, rset, &kept);
    REQUIRE(sa.size() == sb.size());
    std::vector<std::string> terms;
    for (auto x = sa.begin(), y = sb.begin(); x != sa.end(); ++x, ++y) {
      CHECK(*x == *y);
      CHECK(x.get_weight() == y.get_weight());
      terms.push_back(*x);
    }
    if (terms.size() < 2) continue;
    Xapian::Query q(Xapian::Query::OP_OR, terms.begin(), terms.end());
    ea.set_query(q);
    eb.set_query(q);
    Xapian::MSet ma = ea.get_mset(0, 20), mb = eb.get_mset(0, 20);
    REQUIRE(ma.size() == mb.size());
    for (auto x = ma.begin(), y = mb.begin(); x != ma.end(); ++x, ++y) {
      CHECK(*x == *y);
      CHECK(x.get_weight() == y.get_weight());
    }
    ++compared;
  }
  CHECK(compared > n / 2);
}
