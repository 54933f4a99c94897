#pragma once
// Builds the Xapian index from the parsed corpus (not from HTML). Single writer thread.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <xapian.h>

#include "render.h"
#include "resolve.h"

namespace lexicon {

// An incremental update (build_state.h decides when): index_dir holds an earlier build's index (a copy
// of the current generation's, or the spare generation's itself), `previous` that index as it was, read
// only (it may be index_dir: the update commits nothing before all its documents are in). Documents for which `rebuild(unique id
// term)` is false are unchanged and keep their data; they only move when documents before them came
// or went, so every docid (and with it the order of equal-weight hits) is the one a clean build gives.
// Besides the documents `rebuild` names, it rebuilds those
// whose words a changed compound part can split (a new headword word): a part can only split a word it
// is a substring of, so a document none of whose terms contains an added or removed part keeps its terms.
struct IndexUpdate {
  std::filesystem::path previous;
  std::function<bool(const std::string& id)> rebuild;
  std::size_t rebuilt = 0, moved = 0, removed = 0;  // filled in, for the build report
};

// Builds the index from scratch, or updates one when `update` is given (same result).
// `entry_done` (optional) is told the index of each entry once the index has read its plain text, which
// nothing reads after that in a build: the caller may free it while the other entries are indexed.
void build_index(const ParsedCorpus& parsed, const LinkGraph& graph, const std::filesystem::path& index_dir,
                 IndexUpdate* update = nullptr, const std::function<void(std::size_t entry)>& entry_done = nullptr);

// What Verwant computed (related_terms.h), kept with the analysis for the next build: an entry whose
// list cannot have changed keeps it (compute_suggestions says when).
struct VerwantMemo {
  std::string settings;                          // the options and the number of entries
  std::vector<std::string> slugs, hashes;        // by entry: its slug and its file's git blob id
  std::vector<std::string> terms;                // the kept terms, in byte order
  std::vector<std::uint32_t> term_entries;       // by term: entries using it
  std::vector<std::uint64_t> term_total;         // by term: its wdf over all entries
  std::vector<std::vector<std::int32_t>> related;  // by entry: its Zie ook
  struct Item {
    std::int32_t entry = -1;
    double weight = 0;
    std::vector<std::uint32_t> reason;  // ids in `terms`
  };
  std::vector<std::vector<Item>> lists;  // by entry
};
// The entries' words as stems only ("Z" terms, weighted by where they stand as in the search index),
// for computing related entries (related_terms.h), as flat arrays in both directions: each entry's
// terms and each term's entries. Built from the analysis in a few milliseconds at 10,000 entries, where
// an in-memory Xapian database of the same was most of an edit (0.67 s with a real vocabulary).
struct EntryTermIndex {
  struct Posting {
    std::uint32_t id;  // a term's id in an entry's list, an entry's index in a term's list
    unsigned wdf;      // how often the entry uses the term (weighted: a title word counts more)
  };
  std::size_t entry_count = 0;
  std::vector<std::string> terms;            // "Z" + stem, in byte order: the id of a term is its position
  std::vector<std::uint64_t> term_total;     // by term id: its wdf summed over all entries
  std::vector<std::size_t> entry_start;      // entry i's terms: by_entry[entry_start[i] .. entry_start[i + 1])
  std::vector<Posting> by_entry;             // by term id within an entry
  std::vector<std::size_t> term_start;       // term t's entries: by_term[term_start[t] .. term_start[t + 1])
  std::vector<Posting> by_term;              // by entry index within a term
  // "Z" + stem -> the word most often written for it in the entries (lowercase, with diacritics),
  // so a stem can be shown as a readable word; ties go to the alphabetically first.
  std::map<std::string, std::string> surface;
  std::size_t analysed = 0;  // entries whose words were analysed here (the others came from a TermAnalysis)
  // From the TermAnalysis the words came from, for Verwant (suggestion_terms fills them): its memo, and
  // the words (term -> wdf) each changed entry had before, by entry (false when not all were known).
  std::optional<VerwantMemo> previous_verwant;
  std::map<std::size_t, std::map<std::string, unsigned>> replaced_words;
  bool replaced_known = false;

  std::uint32_t entries_using(std::uint32_t term) const {
    return static_cast<std::uint32_t>(term_start[term + 1] - term_start[term]);
  }
};
// `keep` (null: all) says which stems go into the index, from the number of entries using each and
// its highest within-entry frequency (wdf); the statistics of a kept term are those over all entries.
using KeepTerm = std::function<bool(const std::string& term, unsigned entries, unsigned max_wdf)>;

// What analysing the entries' words gave, kept between builds (term_cache.h): an entry whose file has
// the same git blob id is not analysed again. Ids number `terms` and `forms`, both in byte order.
struct EntryWords {
  std::vector<std::pair<std::uint32_t, unsigned>> terms;  // (term id, wdf), by id
  std::vector<std::pair<std::uint32_t, unsigned>> forms;  // (form id, times written), by id
};
struct TermAnalysis {
  std::vector<std::string> terms;        // "Z" + stem
  std::vector<std::string> forms;        // lowercase spellings
  std::vector<std::uint32_t> form_term;  // by form id: the id of its stem term
  std::map<std::string, EntryWords> entries;  // by git blob id of the entry's file
  std::optional<VerwantMemo> verwant;
};

// `previous` (optional, consumed) gives the words of unchanged entries; `analysed` (optional) receives
// this analysis, the same whichever entries came from `previous`.
EntryTermIndex index_entry_terms(const ParsedCorpus& parsed, int jobs = 1, const KeepTerm& keep = nullptr,
                                 TermAnalysis* previous = nullptr, TermAnalysis* analysed = nullptr);

}  // namespace lexicon
