#pragma once
// Parses entry bodies with cmark-gfm and finds wiki links, citations and language spans by
// walking the AST (code stays literal). The render stage parses a body again (parse_markdown_tree)
// to fill in resolved link targets before producing HTML: the trees of a whole corpus are several
// times its text, so parse_corpus drops them (drop_tree) once links, headings and text are taken out.
#include <memory>
#include <string>
#include <vector>

#include "diagnostics.h"

struct cmark_node;

namespace lexicon {

struct WikiLinkRef {
  std::string target;   // as written, before resolution
  std::string anchor;   // after '#', may be empty
  std::string label;    // shown text; the target when no label was given
  bool has_label = false;
  int line = 0;
  int column = 0;
  cmark_node* node = nullptr;  // the LINK node to receive the URL
  bool operator==(const WikiLinkRef&) const = default;
};

struct CitationRef {
  std::string key;
  std::string locator;  // "p. 12" etc., may be empty
  int line = 0;
  int column = 0;
  cmark_node* node = nullptr;  // the LINK node to receive URL and text
  bool operator==(const CitationRef&) const = default;
};

struct ImageRef {
  std::string url;
  int line = 0;
  int column = 0;
  cmark_node* node = nullptr;
  bool operator==(const ImageRef&) const = default;
};

// Element ids the page templates give their own parts (layout, entry sections). A body heading
// whose slug is one of these gets a numbered id instead, so a page never has an id twice.
inline constexpr const char* template_ids[] = {"inhoud", "zoekveld", "zie-ook", "verwijzingen", "bronnen-kop",
                                               "citeer", "geschiedenis", "inhoudsopgave", "begrippenkaart"};

struct Heading {
  int level = 2;
  std::string text;
  std::string id;
  bool operator==(const Heading&) const = default;
};

struct MarkdownDoc {
  std::shared_ptr<cmark_node> root;  // null after drop_tree; the refs' nodes are then null too
  std::vector<WikiLinkRef> links;
  std::vector<CitationRef> citations;
  std::vector<ImageRef> images;
  std::vector<Heading> headings;
  std::string plain_text;  // for the index, snippets and word counts
  // Left in the parse cache (most of its bytes, and an incremental build reads only a few documents'):
  // plain_text is empty, plain_text_of (resolve.h) gives it.
  bool plain_text_deferred = false;
  bool operator==(const MarkdownDoc&) const = default;
};

// `file_text` and `body_first_line` let diagnostics point at file lines and columns.
MarkdownDoc parse_markdown(const std::string& body, const std::string& path, const std::string& file_text,
                           int body_first_line, Diagnostics& diagnostics);

// The same tree, links, citations, images and headings as parse_markdown gives for `body` (which
// has checked it already), without diagnostics, positions or plain text: for rendering.
MarkdownDoc parse_markdown_tree(const std::string& body);

// Frees the tree, keeping links, citations, images (without nodes), headings and plain text.
void drop_tree(MarkdownDoc& doc);

// Sets the target of a wiki link or citation node.
void set_link_target(cmark_node* link, const std::string& url, const std::string& title);
// Replaces the visible text of a link node (citations show "Auteur, jaar").
void set_link_text(cmark_node* link, const std::string& text);
// Turns an unresolvable link into plain text so the page still reads.
void unlink(cmark_node* link);

std::string render_html(const MarkdownDoc& doc);

// Renders a short inline Markdown-free string as HTML (escaped), used for tests and fuzzers.
std::string markdown_to_html(const std::string& body);

}  // namespace lexicon
