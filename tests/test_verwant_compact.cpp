// Verwant's flat term index (indexer.h) and its hand-made relevance feedback (related_terms.cpp), on the
// REAL content/: the index with a `keep` filter holds exactly the kept terms of the full one, with their
// statistics over all entries; and Xapian itself, given the same terms, picks the same key terms (Bo1)
// and ranks the same entries in the same order (BM25 without length normalisation).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <xapian.h>

#include "build_helpers.h"
#include "content.h"
#include "indexer.h"
#include "related_terms.h"
#include "resolve.h"
#include "search_schema.h"

using namespace lexicon;
using namespace testutil;

namespace {

ParsedCorpus parse_real() {
  Diagnostics diagnostics;
  return parse_corpus(load_corpus(source_dir() / "content", diagnostics), 2, diagnostics);
}

// (term, wdf) of every entry, by entry.
std::vector<std::map<std::string, unsigned>> entry_terms(const EntryTermIndex& index) {
  std::vector<std::map<std::string, unsigned>> out(index.entry_count);
  for (std::size_t i = 0; i < index.entry_count; ++i) {
    for (std::size_t k = index.entry_start[i]; k < index.entry_start[i + 1]; ++k) {
      out[i][index.terms[index.by_entry[k].id]] = index.by_entry[k].wdf;
    }
  }
  return out;
}

struct Decider : Xapian::ExpandDecider {
  std::set<std::string> allowed;
  bool operator()(const std::string& term) const override { return allowed.count(term) > 0; }
};

}  // namespace

TEST_CASE("Verwant's term index: kept terms with their statistics over all entries, both directions alike") {
  ParsedCorpus parsed = parse_real();
  const std::size_t n = parsed.corpus.entries.size();
  REQUIRE(n > 20);
  std::set<std::string> kept;
  std::size_t asked = 0;
  EntryTermIndex full = index_entry_terms(parsed, 2);
  EntryTermIndex compact = index_entry_terms(parsed, 2, [&](const std::string& term, unsigned entries, unsigned max_wdf) {
    ++asked;
    const bool keep = entries >= 2 && entries <= n / 5 && max_wdf >= 2;
    if (keep) kept.insert(term);
    return keep;
  });
  CHECK(asked == full.terms.size());
  REQUIRE(kept.size() > 20);
  REQUIRE(kept.size() < full.terms.size() / 2);
  CHECK(std::set<std::string>(compact.terms.begin(), compact.terms.end()) == kept);
  CHECK(std::is_sorted(compact.terms.begin(), compact.terms.end()));
  REQUIRE(compact.entry_count == n);
  REQUIRE(full.entry_count == n);

  // Each entry's kept terms are its full list without the others.
  auto all = entry_terms(full), some = entry_terms(compact);
  for (std::size_t i = 0; i < n; ++i) {
    std::map<std::string, unsigned> expected;
    for (const auto& [term, wdf] : all[i]) if (kept.count(term)) expected[term] = wdf;
    CHECK(some[i] == expected);
  }
  for (const EntryTermIndex* index : {&full, &compact}) {
    for (std::uint32_t t = 0; t < index->terms.size(); ++t) {
      CAPTURE(index->terms[t]);
      // The postings are the transpose of the entries' lists, in entry order, and sum to the total.
      std::uint64_t total = 0;
      std::size_t entries = 0;
      for (std::size_t i = 0; i < n; ++i) {
        auto it = (index == &full ? all : some)[i].find(index->terms[t]);
        if (it == (index == &full ? all : some)[i].end()) continue;
        REQUIRE(index->term_start[t] + entries < index->term_start[t + 1]);
        CHECK(index->by_term[index->term_start[t] + entries].id == i);
        CHECK(index->by_term[index->term_start[t] + entries].wdf == it->second);
        total += it->second;
        ++entries;
      }
      CHECK(index->entries_using(t) == entries);
      CHECK(index->term_total[t] == total);
    }
  }
  for (const auto& term : kept) CHECK(compact.surface.at(term) == full.surface.at(term));
  CHECK(compact.surface.size() == kept.size());
}

TEST_CASE("Verwant's relevance feedback agrees with Xapian's Bo1 expansion and BM25 ranking") {
  ParsedCorpus parsed = parse_real();
  Diagnostics diagnostics;
  LinkGraph graph = resolve(parsed, diagnostics);
  const std::size_t n = parsed.corpus.entries.size();
  const SuggestionOptions options{.max_suggestions = 1000, .jobs = 2};  // every hit, to compare the order
  EntryTermIndex index = suggestion_terms(parsed, options);
  auto suggestions = compute_suggestions(parsed, graph, index, options);

  // The same terms in a Xapian database: docid = entry index + 1.
  Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
  auto terms = entry_terms(index);
  for (std::size_t i = 0; i < n; ++i) {
    Xapian::Document doc;
    for (const auto& [term, wdf] : terms[i]) doc.add_term(term, wdf);
    db.replace_document(static_cast<Xapian::docid>(i + 1), doc);
  }
  Xapian::Enquire enquire(db);
  enquire.set_expansion_scheme("bo1");
  enquire.set_weighting_scheme(Xapian::BM25Weight(1, 0, 1, 0, 0.5));
  std::size_t compared = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::string slug = parsed.corpus.entries[i].slug;
    CAPTURE(slug);
    Decider stressed;
    for (const auto& [term, wdf] : terms[i]) {
      if (wdf >= options.min_wdf && term.size() >= 1 + options.min_stem_length) stressed.allowed.insert(term);
    }
    Xapian::RSet rset;
    rset.add_document(static_cast<Xapian::docid>(i + 1));
    // The previous entry's query stays set: its terms must not be left out of this expansion.
    Xapian::ESet eset = enquire.get_eset(static_cast<Xapian::termcount>(options.expand_terms), rset,
                                         Xapian::Enquire::INCLUDE_QUERY_TERMS, &stressed);
    std::vector<std::string> keys(eset.begin(), eset.end());
    if (keys.size() < options.min_shared_terms) {
      CHECK(suggestions[i].empty());
      continue;
    }
    enquire.set_query(Xapian::Query(Xapian::Query::OP_OR, keys.begin(), keys.end()));
    Xapian::MSet mset = enquire.get_mset(0, static_cast<Xapian::doccount>(n));
    std::vector<int> expected;
    std::vector<double> weights;
    for (auto m = mset.begin(); m != mset.end(); ++m) {
      const int entry = static_cast<int>(*m) - 1;
      const auto& related = graph.related[i];
      if (entry == static_cast<int>(i) || std::find(related.begin(), related.end(), entry) != related.end()) continue;
      std::size_t shared = 0;
      for (auto t = enquire.get_matching_terms_begin(m); t != enquire.get_matching_terms_end(m); ++t) ++shared;
      if (shared < options.min_shared_terms) continue;
      expected.push_back(entry);
      weights.push_back(m.get_weight());
    }
    REQUIRE(suggestions[i].size() == expected.size());
    for (std::size_t k = 0; k < expected.size(); ++k) {
      CAPTURE(k);
      CHECK(suggestions[i][k].entry == expected[k]);
      // Xapian's BM25 carries a constant factor (k1 + 1) ours leaves out; the ratios are the same.
      if (k > 0) CHECK(suggestions[i][k].weight / suggestions[i][0].weight == doctest::Approx(weights[k] / weights[0]));
    }
    ++compared;
  }
  CHECK(compared > n / 2);
}
