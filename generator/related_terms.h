#pragma once
// Computed "Verwant" suggestions: entries whose text shares the key terms of an entry, found by relevance
// feedback as Xapian does it (Bo1 key terms, BM25 scores), computed over the flat term index of indexer.h.
// Distinct from the editors' "Zie ook" (LinkGraph::related).
#include <cstddef>
#include <string>
#include <vector>

#include "resolve.h"

namespace lexicon {

struct EntryTermIndex;  // indexer.h

struct Suggestion {
  int entry = -1;                   // index into corpus.entries
  double weight = 0;                // match weight; suggestions come highest first
  std::vector<std::string> reason;  // 2-4 shared key words, readable, most telling first
};

struct SuggestionOptions {
  std::size_t max_suggestions = 5;
  // Expand terms per entry: more finds more, but each one widens the query for every entry.
  std::size_t expand_terms = 16;
  // A stem in more than this share of the entries says little about any of them.
  double max_term_share = 0.2;
  // Within-entry frequency a key term needs: 2 = written twice, or once in a title, alias or summary.
  unsigned min_wdf = 2;
  std::size_t min_stem_length = 4;  // shorter stems are mostly function words ("de", "een", "het")
  std::size_t min_shared_terms = 2;
  std::size_t max_reason_terms = 4;
  int jobs = 1;  // threads for analysing the entries' text
};

// Per entry (parallel to parsed.corpus.entries): up to max_suggestions other entries, never the
// entry itself nor its Zie ook entries, strongest first (ties by entry order), each with at least
// min_shared_terms shared terms. Deterministic; reads only the parsed corpus.
std::vector<std::vector<Suggestion>> compute_suggestions(const ParsedCorpus& parsed, const LinkGraph& graph,
                                                         const SuggestionOptions& options = {});

// The same in two steps, so the first (analysing every entry's text: most of the cost) can run while
// the link graph is resolved: it needs the parsed text only, the second also the graph. `previous` and
// `analysed` as for index_entry_terms (indexer.h): unchanged entries need not be analysed again.
struct TermAnalysis;  // indexer.h
EntryTermIndex suggestion_terms(const ParsedCorpus& parsed, const SuggestionOptions& options = {},
                                TermAnalysis* previous = nullptr, TermAnalysis* analysed = nullptr);
// With index.previous_verwant (from the TermAnalysis the words came from) only the entries whose list may
// have changed are computed, the others keep theirs: the same lists as computing every one. `memo`
// (optional) receives this build's, for the next; `computed` how many entries were computed.
struct VerwantMemo;  // indexer.h
std::vector<std::vector<Suggestion>> compute_suggestions(const ParsedCorpus& parsed, const LinkGraph& graph,
                                                         const EntryTermIndex& index,
                                                         const SuggestionOptions& options = {},
                                                         VerwantMemo* memo = nullptr, std::size_t* computed = nullptr);

}  // namespace lexicon
