#include "related_terms.h"

#include <algorithm>
#include <set>

#include <xapian.h>

#include "indexer.h"
#include "search_schema.h"

namespace lexicon {

namespace {

// A stem that may be a key term of some entry: long enough, not a number, and in 2 to max_freq entries.
bool candidate_stem(const std::string& term, Xapian::doccount freq, Xapian::doccount max_freq, std::size_t min_length) {
  const std::string prefix = schema::stemmed;
  if (term.size() < prefix.size() + min_length || term.compare(0, prefix.size(), prefix) != 0) return false;
  for (std::size_t k = prefix.size(); k < term.size(); ++k) {
    if (term[k] >= '0' && term[k] <= '9') return false;
  }
  return freq >= 2 && freq <= max_freq;
}

// Keeps the entry's key stems: stressed (in a title, alias or summary, or written more than once:
// a word used once in passing is no topic), long enough, not numbers, shared with at least one
// other entry and not in so many that they are common words.
class KeyTermDecider : public Xapian::ExpandDecider {
 public:
  KeyTermDecider(const Xapian::Database& db, Xapian::doccount max_freq, std::size_t min_length)
      : db_(db), max_freq_(max_freq), min_length_(min_length) {}

  std::set<std::string> stressed;  // of the entry being expanded

  bool operator()(const std::string& term) const override {
    if (!stressed.count(term)) return false;
    return candidate_stem(term, db_.get_termfreq(term), max_freq_, min_length_);
  }

 private:
  const Xapian::Database& db_;
  Xapian::doccount max_freq_;
  std::size_t min_length_;
};

Xapian::doccount max_term_freq(std::size_t entries, const SuggestionOptions& options) {
  return static_cast<Xapian::doccount>(std::max(2.0, options.max_term_share * static_cast<double>(entries)));
}

}  // namespace

EntryTermIndex suggestion_terms(const ParsedCorpus& parsed, const SuggestionOptions& options, TermAnalysis* previous,
                                TermAnalysis* analysed) {
  auto max_freq = max_term_freq(parsed.corpus.entries.size(), options);
  // Only stems that can be some entry's key term (what KeyTermDecider accepts) need to be in the
  // database; the rest only count towards entry lengths there, so weights and results are unchanged.
  return index_entry_terms(parsed, options.jobs, [&](const std::string& term, unsigned entries, unsigned max_wdf) {
    return max_wdf >= options.min_wdf && candidate_stem(term, entries, max_freq, options.min_stem_length);
  }, previous, analysed);
}

std::vector<std::vector<Suggestion>> compute_suggestions(const ParsedCorpus& parsed, const LinkGraph& graph,
                                                         const SuggestionOptions& options) {
  return compute_suggestions(parsed, graph, suggestion_terms(parsed, options), options);
}

std::vector<std::vector<Suggestion>> compute_suggestions(const ParsedCorpus& parsed, const LinkGraph& graph,
                                                         const EntryTermIndex& index, const SuggestionOptions& options) {
  const std::size_t n = parsed.corpus.entries.size();
  std::vector<std::vector<Suggestion>> out(n);
  if (n < 2 || options.max_suggestions == 0) return out;
  auto max_freq = max_term_freq(n, options);
  const Xapian::Database& db = index.db;
  KeyTermDecider decider(db, max_freq, options.min_stem_length);
  Xapian::Enquire enquire(db);
  // Bo1 weighs a term by how much more often this entry uses it than the corpus would lead one to
  // expect, which favours an entry's topic words over rare words used once in passing.
  enquire.set_expansion_scheme("bo1");

  for (std::size_t i = 0; i < n; ++i) {
    auto docid = static_cast<Xapian::docid>(i + 1);
    decider.stressed.clear();
    for (auto t = db.termlist_begin(docid); t != db.termlist_end(docid); ++t) {
      if (t.get_wdf() >= options.min_wdf) decider.stressed.insert(*t);
    }
    Xapian::RSet rset;
    rset.add_document(docid);
    Xapian::ESet eset = enquire.get_eset(static_cast<Xapian::termcount>(options.expand_terms), rset, &decider);
    if (eset.size() < options.min_shared_terms) continue;
    std::vector<std::string> terms(eset.begin(), eset.end());  // most telling first (weight, then term)
    enquire.set_query(Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));

    std::set<int> excluded(graph.related[i].begin(), graph.related[i].end());
    excluded.insert(static_cast<int>(i));
    // Some hits share too few terms; ask for enough to fill the list anyway in the usual case.
    auto wanted = static_cast<Xapian::doccount>(excluded.size() + 3 * options.max_suggestions);
    Xapian::MSet mset = enquire.get_mset(0, wanted);  // weight, then docid: deterministic
    for (auto it = mset.begin(); it != mset.end() && out[i].size() < options.max_suggestions; ++it) {
      int entry = static_cast<int>(*it) - 1;
      if (excluded.count(entry)) continue;
      std::set<std::string> matching(enquire.get_matching_terms_begin(it), enquire.get_matching_terms_end(it));
      Suggestion s{entry, it.get_weight(), {}};
      std::size_t shared = 0;
      for (const auto& t : terms) {
        if (!matching.count(t)) continue;
        ++shared;
        auto word = index.surface.find(t);
        const std::string& w = word == index.surface.end() ? t.substr(1) : word->second;
        if (s.reason.size() < options.max_reason_terms && std::find(s.reason.begin(), s.reason.end(), w) == s.reason.end()) {
          s.reason.push_back(w);
        }
      }
      if (shared < options.min_shared_terms || s.reason.size() < options.min_shared_terms) continue;
      out[i].push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace lexicon
