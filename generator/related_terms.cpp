#include "related_terms.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <thread>

#include "indexer.h"
#include "search_schema.h"

namespace lexicon {

namespace {

// A stem that may be a key term of some entry: long enough, not a number, and in 2 to max_freq entries.
bool candidate_stem(const std::string& term, std::size_t freq, std::size_t max_freq, std::size_t min_length) {
  const std::string prefix = schema::stemmed;
  if (term.size() < prefix.size() + min_length || term.compare(0, prefix.size(), prefix) != 0) return false;
  for (std::size_t k = prefix.size(); k < term.size(); ++k) {
    if (term[k] >= '0' && term[k] <= '9') return false;
  }
  return freq >= 2 && freq <= max_freq;
}

std::size_t max_term_freq(std::size_t entries, const SuggestionOptions& options) {
  return static_cast<std::size_t>(std::max(2.0, options.max_term_share * static_cast<double>(entries)));
}

// Bo1 (divergence from randomness, as Xapian's "bo1" query expansion): how much more an entry uses a term
// than the term's frequency in the whole lexicon would lead one to expect. It favours an entry's topic
// words over rare words used once in passing.
double bo1_weight(unsigned wdf, std::uint64_t total, std::size_t entries) {
  const double mean = static_cast<double>(total) / static_cast<double>(entries);
  return wdf * std::log2((1 + mean) / mean) + std::log2(1 + mean);
}

// BM25's term weight (as Xapian's BM25Weight without a relevance set: zero for a term in half the
// entries or more) and its saturation of within-entry frequency (k1 = 1), without length normalisation
// (b = 0): an entry's score for another depends on the other's use of the key terms alone.
double bm25_idf(std::size_t term_entries, std::size_t entries) {
  const double ratio = (static_cast<double>(entries) - static_cast<double>(term_entries) + 0.5) /
                       (static_cast<double>(term_entries) + 0.5);
  return ratio <= 1.0 ? 0.0 : std::log(ratio);
}
double bm25_tf(unsigned wdf) { return 2.0 * wdf / (1.0 + wdf); }

}  // namespace

EntryTermIndex suggestion_terms(const ParsedCorpus& parsed, const SuggestionOptions& options, TermAnalysis* previous,
                                TermAnalysis* analysed) {
  const std::size_t max_freq = max_term_freq(parsed.corpus.entries.size(), options);
  // Only stems that can be some entry's key term need to be in the index.
  return index_entry_terms(parsed, options.jobs, [&](const std::string& term, unsigned entries, unsigned max_wdf) {
    return max_wdf >= options.min_wdf && candidate_stem(term, entries, max_freq, options.min_stem_length);
  }, previous, analysed);
}

std::vector<std::vector<Suggestion>> compute_suggestions(const ParsedCorpus& parsed, const LinkGraph& graph,
                                                         const SuggestionOptions& options) {
  return compute_suggestions(parsed, graph, suggestion_terms(parsed, options), options);
}

// Relevance feedback by hand: each entry's key terms (Bo1), then every entry using two or more of them,
// scored by BM25. Xapian's Enquire did the same over an in-memory database: 0.1 ms per entry and 0.67 s
// to build the database at 10,000 entries with a real vocabulary, on every edit. Over the flat index a
// whole lexicon takes a few milliseconds per thousand entries.
std::vector<std::vector<Suggestion>> compute_suggestions(const ParsedCorpus& parsed, const LinkGraph& graph,
                                                         const EntryTermIndex& index, const SuggestionOptions& options) {
  const std::size_t n = parsed.corpus.entries.size();
  std::vector<std::vector<Suggestion>> out(n);
  if (n < 2 || options.max_suggestions == 0 || index.entry_count != n) return out;
  const std::size_t max_freq = max_term_freq(n, options);
  const std::size_t key_terms = std::min<std::size_t>(options.expand_terms, 32);  // one bit each below
  // Per term, computed once: may it be a key term at all, and its two weights.
  const std::size_t term_count = index.terms.size();
  std::vector<char> candidate(term_count);
  std::vector<double> idf(term_count);
  for (std::uint32_t t = 0; t < term_count; ++t) {
    candidate[t] = candidate_stem(index.terms[t], index.entries_using(t), max_freq, options.min_stem_length);
    idf[t] = bm25_idf(index.entries_using(t), n);
  }

  auto suggest = [&](std::size_t i, std::vector<double>& score, std::vector<std::uint32_t>& shared,
                     std::vector<std::uint32_t>& touched) {
    // Key terms: stressed in this entry (in a title, alias or summary, or written more than once: a word
    // used once in passing is no topic), most telling first; ties as Xapian's expansion breaks them (the
    // later term first).
    std::vector<std::pair<double, std::uint32_t>> keys;
    for (std::size_t k = index.entry_start[i]; k < index.entry_start[i + 1]; ++k) {
      const auto& [t, wdf] = index.by_entry[k];
      if (wdf >= options.min_wdf && candidate[t]) keys.emplace_back(bo1_weight(wdf, index.term_total[t], n), t);
    }
    if (keys.size() < options.min_shared_terms) return;
    std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first != b.first ? a.first > b.first : a.second > b.second; });
    if (keys.size() > key_terms) keys.resize(key_terms);
    touched.clear();
    for (std::size_t k = 0; k < keys.size(); ++k) {
      const std::uint32_t t = keys[k].second;
      for (std::size_t p = index.term_start[t]; p < index.term_start[t + 1]; ++p) {
        const auto& [j, wdf] = index.by_term[p];
        if (shared[j] == 0) touched.push_back(j);
        score[j] += idf[t] * bm25_tf(wdf);
        shared[j] |= 1u << k;
      }
    }
    std::vector<std::uint32_t> hits;
    for (std::uint32_t j : touched) {
      const bool excluded = j == i || std::find(graph.related[i].begin(), graph.related[i].end(), static_cast<int>(j)) != graph.related[i].end();
      if (!excluded && static_cast<std::size_t>(std::popcount(shared[j])) >= options.min_shared_terms) hits.push_back(j);
    }
    // Strongest first, ties by entry order.
    auto stronger = [&](std::uint32_t a, std::uint32_t b) { return score[a] != score[b] ? score[a] > score[b] : a < b; };
    const std::size_t kept = std::min(hits.size(), options.max_suggestions);
    std::partial_sort(hits.begin(), hits.begin() + static_cast<std::ptrdiff_t>(kept), hits.end(), stronger);
    for (std::size_t h = 0; h < kept; ++h) {
      const std::uint32_t j = hits[h];
      Suggestion s{static_cast<int>(j), score[j], {}};
      for (std::size_t k = 0; k < keys.size() && s.reason.size() < options.max_reason_terms; ++k) {
        if (!(shared[j] & (1u << k))) continue;
        const std::string& term = index.terms[keys[k].second];
        auto word = index.surface.find(term);
        const std::string w = word == index.surface.end() ? term.substr(1) : word->second;
        if (std::find(s.reason.begin(), s.reason.end(), w) == s.reason.end()) s.reason.push_back(w);
      }
      if (s.reason.size() >= options.min_shared_terms) out[i].push_back(std::move(s));
    }
    for (std::uint32_t j : touched) {
      score[j] = 0;
      shared[j] = 0;
    }
  };

  // Entries are independent: the threads take them in turn, each with its own scratch arrays.
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    std::vector<double> score(n, 0.0);
    std::vector<std::uint32_t> shared(n, 0), touched;
    for (std::size_t i; (i = next++) < n;) suggest(i, score, shared, touched);
  };
  std::vector<std::thread> threads;
  for (int k = 1; k < std::max(1, options.jobs); ++k) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  return out;
}

}  // namespace lexicon
