// Target "wikilinks": an entry body through cmark-gfm (tables, strikethrough, task lists,
// footnotes; no autolink, see markdown.cpp) and our AST pass that finds [[wiki links]],
// [@citations], [term]{lang=xx} and bare URLs. Then the link nodes are filled in, relabelled or
// unlinked as the render stage does, and the HTML must stay well-formed and inactive.
#include <algorithm>
#include <set>

#include "diagnostics.h"
#include "html_check.h"
#include "markdown.h"
#include "targets.h"
#include "text.h"

namespace lexicon::fuzz {

namespace {
constexpr const char* name = "wikilinks";

void check_position(const std::string& text, int lines, int line, int column, const std::string& what) {
  FUZZ_CHECK(name, line >= 1 && line <= lines, what + " line " + std::to_string(line));
  std::string source = line_of(text, line);
  FUZZ_CHECK(name, column >= 0 && static_cast<std::size_t>(column) <= count_code_points(source) + 1,
             what + " column " + std::to_string(column) + " in: " + source);
}
}  // namespace

int wikilinks(const std::uint8_t* data, std::size_t size) {
  std::string text = as_loaded_text(std::string(reinterpret_cast<const char*>(data), size));
  Diagnostics diagnostics;
  MarkdownDoc doc = parse_markdown(text, "content/begrippen/fuzz.md", text, 1, diagnostics);
  const int lines = 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n'));

  for (const auto& link : doc.links) {
    FUZZ_CHECK(name, link.node != nullptr, link.target);
    FUZZ_CHECK(name, !link.target.empty() || !link.anchor.empty(), text);
    FUZZ_CHECK(name, valid_utf8(link.target) && valid_utf8(link.anchor) && valid_utf8(link.label), link.target);
    check_position(text, lines, link.line, link.column, "[[" + link.target + "]]");
  }
  for (const auto& c : doc.citations) {
    FUZZ_CHECK(name, c.node != nullptr && !c.key.empty(), c.key);
    FUZZ_CHECK(name, c.key.back() != '.' && c.key.back() != ':', c.key);
    FUZZ_CHECK(name, valid_utf8(c.locator), c.locator);
    check_position(text, lines, c.line, c.column, "[@" + c.key + "]");
  }
  std::set<std::string> ids;
  for (const auto& h : doc.headings) {
    FUZZ_CHECK(name, !h.id.empty() && slugify(h.id) == h.id, h.id);
    FUZZ_CHECK(name, ids.insert(h.id).second, "duplicate heading id " + h.id);
    FUZZ_CHECK(name, h.level >= 1 && h.level <= 6, h.text);
  }
  FUZZ_CHECK(name, valid_utf8(doc.plain_text), doc.plain_text);
  for (const auto& d : diagnostics.items) {
    FUZZ_CHECK(name, valid_utf8(d.message), d.message);
    FUZZ_CHECK(name, d.line >= 0 && d.column >= 0, d.message);
  }
  std::string html = render_html(doc);
  std::string problem = html_problem(html);
  FUZZ_CHECK(name, problem.empty(), problem);

  // What render.cpp's apply_links does: resolved links get a URL and title (sometimes a new
  // text), unresolved ones become plain text, citations get "Auteur, jaar".
  for (std::size_t i = 0; i < doc.links.size(); ++i) {
    auto& link = doc.links[i];
    switch (i % 3) {
      case 0:
        unlink(link.node);
        link.node = nullptr;
        break;
      case 1:
        set_link_target(link.node, "/lexicon/begrippen/" + slugify(link.target) + "/", link.label);
        break;
      default:
        set_link_text(link.node, link.target + " <b>&amp;</b>");
        set_link_target(link.node, "/lexicon/over/#" + link.anchor, "\"titel\"");
    }
  }
  for (auto& c : doc.citations) {
    set_link_text(c.node, "Baart & Vosman, 2011, " + c.locator);
    set_link_target(c.node, "#bron-" + slugify(c.key), "Titel <i>");
  }
  for (auto& img : doc.images) {
    if (img.url.starts_with("media/")) set_link_target(img.node, "/lexicon/" + img.url, "");
  }
  html = render_html(doc);
  problem = html_problem(html);
  FUZZ_CHECK(name, problem.empty(), problem);
  return 0;
}

}  // namespace lexicon::fuzz
