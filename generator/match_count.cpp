#include "match_count.h"

#include <algorithm>
#include <bit>

namespace lexicon {

namespace {

std::size_t words_for(Xapian::docid last_docid) { return (static_cast<std::size_t>(last_docid) + 63) / 64; }

void set_bit(DocBitmap& bits, Xapian::docid docid) {
  bits[(docid - 1) / 64] |= std::uint64_t{1} << ((docid - 1) % 64);
}

DocBitmap postings(const Xapian::Database& db, const std::string& term, std::size_t words) {
  DocBitmap bits(words);
  for (auto p = db.postlist_begin(term); p != db.postlist_end(term); ++p) set_bit(bits, *p);
  return bits;
}

class Evaluator {
 public:
  Evaluator(const Xapian::Database& db, const MatchBitmaps* bitmaps)
      : db_(db), bitmaps_(bitmaps), words_(words_for(db.get_lastdocid())) {}

  std::optional<DocBitmap> eval(const Xapian::Query& q) {
    switch (q.get_type()) {
      case Xapian::Query::LEAF_TERM: {
        std::string term = *q.get_terms_begin();
        if (bitmaps_) {
          if (auto known = bitmaps_->terms.find(term); known != bitmaps_->terms.end()) return known->second;
        }
        return postings(db_, term, words_);
      }
      case Xapian::Query::LEAF_MATCH_ALL:
        return postings(db_, "", words_);  // every document that exists (docids may have gaps)
      case Xapian::Query::LEAF_MATCH_NOTHING:
        return DocBitmap(words_);
      case Xapian::Query::OP_AND:
      case Xapian::Query::OP_FILTER:
        return combine(q, 0, [](std::uint64_t& a, std::uint64_t b) { a &= b; });
      case Xapian::Query::OP_OR:
      case Xapian::Query::OP_SYNONYM:
      case Xapian::Query::OP_MAX:
        return combine(q, 0, [](std::uint64_t& a, std::uint64_t b) { a |= b; });
      case Xapian::Query::OP_XOR:
        return combine(q, 0, [](std::uint64_t& a, std::uint64_t b) { a ^= b; });
      case Xapian::Query::OP_AND_NOT: {
        auto first = eval(q.get_subquery(0));
        if (!first) return std::nullopt;
        for (std::size_t i = 1; i < q.get_num_subqueries(); ++i) {
          auto other = eval(q.get_subquery(i));
          if (!other) return std::nullopt;
          for (std::size_t w = 0; w < words_; ++w) (*first)[w] &= ~(*other)[w];
        }
        return first;
      }
      case Xapian::Query::OP_AND_MAYBE:   // the optional part only weighs
      case Xapian::Query::OP_SCALE_WEIGHT:  // any factor, also 0, keeps the match set
        return eval(q.get_subquery(0));
      default:
        return std::nullopt;
    }
  }

 private:
  template <typename Op>
  std::optional<DocBitmap> combine(const Xapian::Query& q, std::size_t from, Op op) {
    if (q.get_num_subqueries() <= from) return DocBitmap(words_);
    auto out = eval(q.get_subquery(from));
    if (!out) return std::nullopt;
    for (std::size_t i = from + 1; i < q.get_num_subqueries(); ++i) {
      auto next = eval(q.get_subquery(i));
      if (!next) return std::nullopt;
      for (std::size_t w = 0; w < words_; ++w) op((*out)[w], (*next)[w]);
    }
    return out;
  }

  const Xapian::Database& db_;
  const MatchBitmaps* bitmaps_;
  std::size_t words_;
};

}  // namespace

MatchBitmaps read_match_bitmaps(const Xapian::Database& db, const ThemeTable& themes, std::size_t max_bytes) {
  MatchBitmaps out;
  out.index = IndexRevision::of(db);
  out.last_docid = db.get_lastdocid();
  const std::size_t words = words_for(out.last_docid);
  if (themes.usable()) {
    out.themes.assign(themes.themes().size(), DocBitmap(words));
    for (auto p = db.postlist_begin(""); p != db.postlist_end(""); ++p) {
      for (std::uint64_t m = themes.mask(*p); m != 0; m &= m - 1) set_bit(out.themes[std::countr_zero(m)], *p);
    }
  }
  const Xapian::doccount min_freq = std::max<Xapian::doccount>(1, db.get_doccount() / 16);
  std::vector<std::pair<Xapian::doccount, std::string>> frequent;
  for (auto t = db.allterms_begin(); t != db.allterms_end(); ++t) {
    if (t.get_termfreq() >= min_freq) frequent.emplace_back(t.get_termfreq(), *t);
  }
  std::sort(frequent.begin(), frequent.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  std::size_t bytes = 0;
  for (const auto& [freq, term] : frequent) {
    bytes += words * sizeof(std::uint64_t) + term.size();
    if (bytes > max_bytes) break;
    out.terms.emplace(term, postings(db, term, words));
  }
  return out;
}

std::optional<MatchCounts> count_matches(const Xapian::Database& db, const Xapian::Query& query,
                                         const ThemeTable& themes, const MatchBitmaps* bitmaps) {
  if (!themes.usable()) return std::nullopt;
  if (bitmaps && (bitmaps->index != IndexRevision::of(db) || bitmaps->themes.size() != themes.themes().size())) {
    bitmaps = nullptr;
  }
  Evaluator evaluator(db, bitmaps);
  auto set = evaluator.eval(query);
  if (!set) return std::nullopt;
  MatchCounts counts;
  for (std::uint64_t w : *set) counts.total += static_cast<std::size_t>(std::popcount(w));
  std::vector<std::size_t> per_theme(themes.themes().size());
  if (bitmaps) {
    for (std::size_t k = 0; k < per_theme.size(); ++k) {
      const DocBitmap& theme = bitmaps->themes[k];
      for (std::size_t w = 0; w < set->size(); ++w) per_theme[k] += static_cast<std::size_t>(std::popcount((*set)[w] & theme[w]));
    }
  } else {
    for (std::size_t w = 0; w < set->size(); ++w) {
      for (std::uint64_t bits = (*set)[w]; bits != 0; bits &= bits - 1) {
        auto docid = static_cast<Xapian::docid>(w * 64 + static_cast<std::size_t>(std::countr_zero(bits)) + 1);
        for (std::uint64_t m = themes.mask(docid); m != 0; m &= m - 1) ++per_theme[std::countr_zero(m)];
      }
    }
  }
  for (std::size_t k = 0; k < per_theme.size(); ++k) {
    if (per_theme[k] > 0) counts.themes[themes.themes()[k]] = per_theme[k];
  }
  return counts;
}

}  // namespace lexicon
