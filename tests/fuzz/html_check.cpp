#include "html_check.h"

#include <set>

#include "escape.h"
#include "text.h"

namespace lexicon::fuzz {

namespace {

// What cmark-gfm's HTML renderer (tables, strikethrough, task lists, footnotes) and our own
// custom nodes (headings with ids, citation and language spans) write.
const std::set<std::string, std::less<>> allowed_tags = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "ul", "ol", "li", "pre", "code", "hr", "br", "em",
    "strong", "del", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "input", "span", "section", "sup"};
const std::set<std::string, std::less<>> allowed_attributes = {
    "href", "title", "src", "alt", "id", "class", "lang", "align", "start", "type", "checked", "disabled",
    "data-footnotes", "data-footnote-ref", "data-footnote-backref", "data-footnote-backref-idx", "aria-label"};

std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '&') {
      auto semi = s.find(';', i);
      if (semi != std::string_view::npos && semi - i <= 8) {
        std::string_view entity = s.substr(i, semi - i + 1);
        const char* plain = entity == "&amp;" ? "&" : entity == "&lt;" ? "<" : entity == "&gt;" ? ">"
                            : entity == "&quot;" ? "\"" : (entity == "&#39;" || entity == "&#x27;") ? "'" : nullptr;
        if (plain) {
          out += plain;
          i = semi + 1;
          continue;
        }
      }
    }
    out += s[i++];
  }
  return out;
}

bool name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

std::string at(std::string_view html, std::size_t pos, const std::string& what) {
  std::size_t from = pos > 40 ? pos - 40 : 0;
  return what + " at byte " + std::to_string(pos) + ": ..." + std::string(html.substr(from, 120)) + "...";
}

}  // namespace

std::string html_problem(std::string_view html) {
  if (find_invalid_utf8(html) != std::string_view::npos) return at(html, find_invalid_utf8(html), "invalid UTF-8");
  std::size_t i = 0;
  while ((i = html.find('<', i)) != std::string_view::npos) {
    std::size_t start = i++;
    if (i < html.size() && html[i] == '/') ++i;
    std::size_t name_start = i;
    while (i < html.size() && name_char(html[i])) ++i;
    std::string_view name = html.substr(name_start, i - name_start);
    if (!allowed_tags.count(name)) return at(html, start, "unexpected tag <" + std::string(name) + ">");
    for (;;) {
      while (i < html.size() && html[i] == ' ') ++i;
      if (i < html.size() && html[i] == '>') break;
      if (i + 1 < html.size() && html[i] == '/' && html[i + 1] == '>') {
        ++i;
        break;
      }
      std::size_t attr_start = i;
      while (i < html.size() && name_char(html[i])) ++i;
      std::string_view attr = html.substr(attr_start, i - attr_start);
      if (attr.empty()) return at(html, attr_start, "malformed tag");
      if (!allowed_attributes.count(attr)) return at(html, attr_start, "unexpected attribute " + std::string(attr));
      if (i < html.size() && html[i] == '=') {
        if (++i >= html.size() || html[i] != '"') return at(html, i, "unquoted attribute value");
        auto close = html.find('"', i + 1);
        if (close == std::string_view::npos) return at(html, i, "unterminated attribute value");
        std::string_view raw = html.substr(i + 1, close - i - 1);
        if (raw.find_first_of("<>") != std::string_view::npos) return at(html, i, "raw < or > in attribute value");
        std::string value = unescape(raw);
        if ((attr == "href" || attr == "src") && !is_safe_url(value)) return at(html, i, "unsafe URL " + value);
        i = close + 1;
      }
    }
    if (i >= html.size()) return at(html, start, "unterminated tag");
  }
  if (html.find('>') != std::string_view::npos) {
    // Every '>' must close a tag: escaped text never holds one.
    std::size_t depth = 0;
    bool in_quote = false;
    for (std::size_t k = 0; k < html.size(); ++k) {
      char c = html[k];
      if (depth && c == '"') in_quote = !in_quote;
      else if (!in_quote && c == '<') depth = 1;
      else if (!in_quote && c == '>') {
        if (!depth) return at(html, k, "stray >");
        depth = 0;
      }
    }
  }
  return {};
}

}  // namespace lexicon::fuzz
