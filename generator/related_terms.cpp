#include "related_terms.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <fmt/format.h>

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
  // The previous Verwant and what the changed entries' words were, taken before the analysis consumes them.
  std::optional<VerwantMemo> memo;
  std::map<std::size_t, std::map<std::string, unsigned>> replaced;
  bool replaced_known = false;
  if (previous && previous->verwant) {
    memo = std::move(previous->verwant);
    const auto& entries = parsed.corpus.entries;
    replaced_known = memo->hashes.size() == entries.size();
    for (std::size_t i = 0; replaced_known && i < entries.size(); ++i) {
      if (memo->hashes[i] == entries[i].hash) continue;
      auto it = previous->entries.find(memo->hashes[i]);
      replaced_known = it != previous->entries.end() && !entries[i].hash.empty();
      if (!replaced_known) break;
      auto& words = replaced[i];
      for (const auto& [id, wdf] : it->second.terms) words.emplace(previous->terms.at(id), wdf);
    }
  }
  // Only stems that can be some entry's key term need to be in the index.
  EntryTermIndex index = index_entry_terms(parsed, options.jobs, [&](const std::string& term, unsigned entries, unsigned max_wdf) {
    return max_wdf >= options.min_wdf && candidate_stem(term, entries, max_freq, options.min_stem_length);
  }, previous, analysed);
  index.previous_verwant = std::move(memo);
  index.replaced_words = std::move(replaced);
  index.replaced_known = replaced_known;
  return index;
}

namespace {

std::string verwant_settings(const SuggestionOptions& o, std::size_t entries) {
  return fmt::format("{} {} {:a} {} {} {} {} {}", o.max_suggestions, o.expand_terms, o.max_term_share, o.min_wdf,
                     o.min_stem_length, o.min_shared_terms, o.max_reason_terms, entries);
}

// Which entries need their list computed again. With the memo of the previous build an entry keeps its
// list when nothing it was made from changed: its own words (its file), its Zie ook, and for each of its
// stressed terms (its key terms are among them) the term's statistics (entries using it, total wdf) and
// every entry's wdf of it: another entry's score comes from that wdf alone (BM25 without length
// normalisation), which changes only with that entry's file. Anything else (entries added, removed,
// renamed or reordered, other options, a term no longer in the index) recomputes every entry.
std::vector<char> entries_to_compute(const ParsedCorpus& parsed, const LinkGraph& graph, const EntryTermIndex& index,
                                     const std::string& settings, unsigned min_wdf) {
  const auto& entries = parsed.corpus.entries;
  const std::size_t n = entries.size();
  std::vector<char> all(n, 1);
  if (!index.previous_verwant || !index.replaced_known) return all;
  const VerwantMemo& memo = *index.previous_verwant;
  if (memo.settings != settings || memo.slugs.size() != n || memo.related.size() != n || memo.lists.size() != n) return all;
  for (std::size_t i = 0; i < n; ++i) {
    if (memo.slugs[i] != entries[i].slug || entries[i].hash.empty()) return all;
  }
  const std::size_t term_count = index.terms.size();
  std::vector<char> changed_term(term_count, 0);
  std::size_t p = 0;
  for (std::uint32_t t = 0; t < term_count; ++t) {
    if (p < memo.terms.size() && memo.terms[p] < index.terms[t]) return all;  // a term that left the index
    if (p < memo.terms.size() && memo.terms[p] == index.terms[t]) {
      changed_term[t] = memo.term_entries[p] != index.entries_using(t) || memo.term_total[p] != index.term_total[t];
      ++p;
    } else {
      changed_term[t] = 1;  // new in the index
    }
  }
  if (p < memo.terms.size()) return all;
  // A changed file changes the terms whose wdf in it differs from before (it may take as much of a term
  // as another file gives: the totals alone would not show that).
  std::vector<char> changed_file(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    changed_file[i] = memo.hashes[i] != entries[i].hash;
    if (!changed_file[i]) continue;
    auto before = index.replaced_words.find(i);
    if (before == index.replaced_words.end()) return all;
    std::set<std::string> seen;
    for (std::size_t k = index.entry_start[i]; k < index.entry_start[i + 1]; ++k) {
      const std::string& term = index.terms[index.by_entry[k].id];
      seen.insert(term);
      auto was = before->second.find(term);
      if (was == before->second.end() || was->second != index.by_entry[k].wdf) changed_term[index.by_entry[k].id] = 1;
    }
    for (const auto& [term, wdf] : before->second) {
      if (seen.count(term)) continue;
      auto it = std::lower_bound(index.terms.begin(), index.terms.end(), term);
      if (it != index.terms.end() && *it == term) changed_term[static_cast<std::size_t>(it - index.terms.begin())] = 1;
    }
  }
  // An entry's list is made from its stressed terms only: its key terms are among them, and the scores
  // of the entries it lists come from those.
  std::vector<char> out(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    bool redo = changed_file[i] || !std::equal(memo.related[i].begin(), memo.related[i].end(), graph.related[i].begin(),
                                               graph.related[i].end());
    for (std::size_t k = index.entry_start[i]; !redo && k < index.entry_start[i + 1]; ++k) {
      redo = index.by_entry[k].wdf >= min_wdf && changed_term[index.by_entry[k].id];
    }
    out[i] = redo;
  }
  return out;
}

}  // namespace

std::vector<std::vector<Suggestion>> compute_suggestions(const ParsedCorpus& parsed, const LinkGraph& graph,
                                                         const SuggestionOptions& options) {
  return compute_suggestions(parsed, graph, suggestion_terms(parsed, options), options);
}

// Relevance feedback by hand: each entry's key terms (Bo1), then every entry using two or more of them,
// scored by BM25. Xapian's Enquire did the same over an in-memory database: 0.1 ms per entry and 0.67 s
// to build the database at 10,000 entries with a real vocabulary, on every edit. Over the flat index a
// whole lexicon takes a few milliseconds per thousand entries.
std::vector<std::vector<Suggestion>> compute_suggestions(const ParsedCorpus& parsed, const LinkGraph& graph,
                                                         const EntryTermIndex& index, const SuggestionOptions& options,
                                                         VerwantMemo* memo, std::size_t* computed) {
  const std::size_t n = parsed.corpus.entries.size();
  std::vector<std::vector<Suggestion>> out(n);
  if (computed) *computed = 0;
  if (n < 2 || options.max_suggestions == 0 || index.entry_count != n) return out;
  const std::string settings = verwant_settings(options, n);
  const std::vector<char> compute = entries_to_compute(parsed, graph, index, settings, options.min_wdf);
  // The terms of each list's reason, by id (for the memo).
  std::vector<std::vector<std::vector<std::uint32_t>>> reason_terms(n);
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

  // The memo's term ids in this index's numbering (a kept list's terms are all here, with unchanged
  // statistics), found in one walk over both sorted lists; and each term's readable word, looked up once.
  std::vector<std::uint32_t> from_memo;
  if (index.previous_verwant) {
    const auto& before = index.previous_verwant->terms;
    from_memo.assign(before.size(), 0);
    for (std::size_t p = 0, t = 0; p < before.size(); ++p) {
      while (t < term_count && index.terms[t] < before[p]) ++t;
      from_memo[p] = static_cast<std::uint32_t>(t);
    }
  }
  // Both in byte order: one walk (a tree search per term was 10 ms of an edit at 10,000 entries).
  std::vector<const std::string*> word_of(term_count, nullptr);
  auto surface = index.surface.begin();
  for (std::uint32_t t = 0; t < term_count && surface != index.surface.end(); ++t) {
    while (surface != index.surface.end() && surface->first < index.terms[t]) ++surface;
    if (surface != index.surface.end() && surface->first == index.terms[t]) word_of[t] = &surface->second;
  }
  auto word = [&](std::uint32_t t) { return word_of[t] ? *word_of[t] : index.terms[t].substr(1); };
  auto reuse = [&](std::size_t i) {
    const auto& items = index.previous_verwant->lists[i];
    out[i].reserve(items.size());
    reason_terms[i].reserve(items.size());
    for (const auto& item : items) {
      Suggestion s{item.entry, item.weight, {}};
      s.reason.reserve(item.reason.size());
      std::vector<std::uint32_t> ids;
      ids.reserve(item.reason.size());
      for (std::uint32_t r : item.reason) {
        ids.push_back(from_memo.at(r));
        s.reason.push_back(word(ids.back()));
      }
      out[i].push_back(std::move(s));
      reason_terms[i].push_back(std::move(ids));
    }
  };
  auto suggest = [&](std::size_t i, std::vector<double>& score, std::vector<std::uint32_t>& shared,
                     std::vector<std::uint32_t>& touched) {
    if (!compute[i]) return reuse(i);
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
      std::vector<std::uint32_t> ids;
      for (std::size_t k = 0; k < keys.size() && s.reason.size() < options.max_reason_terms; ++k) {
        if (!(shared[j] & (1u << k))) continue;
        const std::string w = word(keys[k].second);
        if (std::find(s.reason.begin(), s.reason.end(), w) != s.reason.end()) continue;
        s.reason.push_back(w);
        ids.push_back(keys[k].second);
      }
      if (s.reason.size() < options.min_shared_terms) continue;
      out[i].push_back(std::move(s));
      reason_terms[i].push_back(std::move(ids));
    }
    for (std::uint32_t j : touched) {
      score[j] = 0;
      shared[j] = 0;
    }
  };

  // Entries are independent: the threads take them in turn, each with its own scratch arrays. What goes
  // wrong on one (out of memory) is rethrown here, after all have stopped.
  std::atomic<std::size_t> next{0};
  const std::size_t workers = static_cast<std::size_t>(std::max(1, options.jobs));
  std::vector<std::exception_ptr> errors(workers);
  auto worker = [&](std::size_t w) {
    try {
      std::vector<double> score(n, 0.0);
      std::vector<std::uint32_t> shared(n, 0), touched;
      for (std::size_t i; (i = next++) < n;) suggest(i, score, shared, touched);
    } catch (...) {
      errors[w] = std::current_exception();
      next = n;  // the others stop after their current entry
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(worker, w);
  worker(0);
  for (auto& t : threads) t.join();
  for (const auto& e : errors) if (e) std::rethrow_exception(e);
  if (computed) *computed = static_cast<std::size_t>(std::count(compute.begin(), compute.end(), 1));
  if (memo) {
    VerwantMemo next;
    next.settings = settings;
    next.slugs.reserve(n);
    next.hashes.reserve(n);
    for (const auto& e : parsed.corpus.entries) {
      next.slugs.push_back(e.slug);
      next.hashes.push_back(e.hash);
    }
    next.terms = index.terms;
    next.term_entries.reserve(term_count);
    for (std::uint32_t t = 0; t < term_count; ++t) next.term_entries.push_back(index.entries_using(t));
    next.term_total = index.term_total;
    next.related.reserve(n);
    next.lists.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      next.related.emplace_back(graph.related[i].begin(), graph.related[i].end());
      std::vector<VerwantMemo::Item> items;
      items.reserve(out[i].size());
      // The reasons' ids are not needed after this: moved, not copied (50,000 lists at 10,000 entries).
      for (std::size_t k = 0; k < out[i].size(); ++k) items.push_back({out[i][k].entry, out[i][k].weight, std::move(reason_terms[i][k])});
      next.lists.push_back(std::move(items));
    }
    *memo = std::move(next);
  }
  return out;
}

}  // namespace lexicon
