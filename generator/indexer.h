#pragma once
// Builds the Xapian index from the parsed corpus (not from HTML). Single writer thread.
#include <filesystem>
#include <map>
#include <string>

#include <xapian.h>

#include "render.h"
#include "resolve.h"

namespace lexicon {

void build_index(const ParsedCorpus& parsed, const LinkGraph& graph, const std::filesystem::path& index_dir);

// The entries' words as stems only ("Z" terms, weighted by where they stand as in the search index),
// in memory, for computing related entries (related_terms.h): docid = entry index + 1.
struct EntryTermIndex {
  Xapian::WritableDatabase db;
  // "Z" + stem -> the word most often written for it in the entries (lowercase, with diacritics),
  // so a stem can be shown as a readable word; ties go to the alphabetically first.
  std::map<std::string, std::string> surface;
};
EntryTermIndex index_entry_terms(const ParsedCorpus& parsed);

}  // namespace lexicon
