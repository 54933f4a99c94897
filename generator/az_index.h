#pragma once
// The A–Z list: every entry's title and aliases ("zie") in Dutch order (collation.h), grouped by
// letter. Made once per build and shared by the pages that show it (render.cpp) and their
// fingerprints (build_state.cpp), so both agree on which letter pages there are.
#include <cstddef>
#include <string>
#include <vector>

#include "content.h"

namespace lexicon {

struct AzRow {
  std::string key;    // collation_key of the text
  char letter = '#';  // 'a'..'z', or '#' for digits and other scripts
  std::size_t entry = 0;
  int alias = -1;     // index into the entry's aliases; -1 for its title
};

struct AzLetter {
  char letter = '#';
  std::size_t from = 0, to = 0;  // its rows: rows[from, to)
  std::size_t titles = 0;        // how many of them are titles (the others aliases)
};

struct AzIndex {
  std::vector<AzRow> rows;        // by letter ('#' first), then key
  std::vector<AzLetter> letters;  // the letters that have rows, in that order
  bool per_letter = false;        // a page per letter (SiteConfig::az_per_letter_from)
};

// `title_keys`: the entries' titles' collation keys, made already (LinkGraph::title_keys).
AzIndex az_index(const Corpus& corpus, const std::vector<std::string>& title_keys);

// The row's text as the list shows it: the entry's title or one of its aliases.
const std::string& az_text(const Corpus& corpus, const AzRow& row);
const std::string& az_lang(const Corpus& corpus, const AzRow& row);

std::string az_letter_path(char letter);  // "a-z/a/", "a-z/overig/" (relative to the base path)
std::string az_letter_id(char letter);    // "letter-a", "letter-overig"
std::string az_letter_label(char letter); // "A", "#"

}  // namespace lexicon
