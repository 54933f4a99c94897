#pragma once
// Stage 2 (resolve): turns names into a link graph over the parsed documents.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "content.h"
#include "diagnostics.h"
#include "markdown.h"
#include "name_table.h"

namespace lexicon {

struct ParsedCorpus {
  Corpus corpus;
  std::vector<MarkdownDoc> entry_docs;  // parallel to corpus.entries
  std::vector<MarkdownDoc> page_docs;   // parallel to corpus.pages
  // Gives the plain text of a document whose MarkdownDoc defers it (from several threads at once).
  std::function<std::string(const Document& document)> deferred_plain_text;
  // Gives a document whose front matter positions were deferred (Document::positions_deferred) with them.
  std::function<Document(const Document& document)> deferred_positions;
};

// A document's plain text, read through deferred_plain_text into `scratch` when its MarkdownDoc defers it.
const std::string& plain_text_of(const ParsedCorpus& parsed, const Document& document, const MarkdownDoc& doc,
                                 std::string& scratch);

// Parses every body (in parallel over `jobs` threads); diagnostics keep a stable order. The docs
// keep no tree (drop_tree): render_site parses each body again with parse_markdown_tree.
// `reuse` may supply a document's parse instead (the parse cache: its diagnostics came with the
// document from load_corpus); called from several threads at once, each document at most once.
using ReuseMarkdown = std::function<std::optional<MarkdownDoc>(const Document& document)>;
ParsedCorpus parse_corpus(Corpus corpus, int jobs, Diagnostics& diagnostics, const ReuseMarkdown& reuse = nullptr);

struct LinkTarget {
  enum Kind { none, entry, page } kind = none;
  int index = -1;
  std::string anchor;
};

struct LinkGraph {
  NameTable entry_by_name;  // folded slug/title/alias -> entry (find_name)
  std::vector<std::vector<LinkTarget>> entry_links;  // per entry, per WikiLinkRef
  std::vector<std::vector<LinkTarget>> page_links;   // per page, per WikiLinkRef
  std::vector<std::vector<int>> outgoing;            // distinct entries each entry links to
  std::vector<std::vector<int>> incoming;            // distinct entries linking to each entry
  std::vector<std::vector<int>> related;             // resolved `related` (Zie ook)
  std::map<std::string, std::vector<int>> citing;    // source key -> entries citing it
  std::map<std::string, std::vector<int>> theme_entries;  // theme slug -> entries
  std::map<std::string, int> source_index;           // key -> corpus.sources index
  std::vector<std::string> title_keys;               // per entry: collation_key of its title (A–Z order)
};

LinkGraph resolve(const ParsedCorpus& parsed, Diagnostics& diagnostics);

// URL paths (relative to base_path, no leading slash) used by every stage.
std::string entry_path(const std::string& slug);  // "begrippen/<slug>/"
std::string theme_path(const std::string& slug);  // "themas/<slug>/"
std::string page_path(const std::string& slug);   // "<slug>/"

// Reserved top-level names that pages may not use.
bool is_reserved_page_slug(const std::string& slug);

}  // namespace lexicon
