#include "markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <cmark-gfm-extension_api.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

#include "escape.h"
#include "text.h"

namespace lexicon {

namespace {

// Deliberately not attached: "autolink" (Debian 12's copy reads out of bounds in
// validate_protocol on text starting with ":@"). Bare URLs are linked by our own pass below.
const char* const extension_names[] = {"table", "strikethrough", "tasklist"};

void ensure_extensions_registered() {
  static std::once_flag once;
  std::call_once(once, [] { cmark_gfm_core_extensions_ensure_registered(); });
}

cmark_llist* extension_list(cmark_mem* mem) {
  cmark_llist* list = nullptr;
  for (const char* name : extension_names) {
    if (auto* ext = cmark_find_syntax_extension(name)) list = cmark_llist_append(mem, list, ext);
  }
  return list;
}

const char* const citation_open = "<span class=\"citation\">(";

constexpr int parse_options = CMARK_OPT_FOOTNOTES | CMARK_OPT_VALIDATE_UTF8;
constexpr int render_options = CMARK_OPT_FOOTNOTES;  // safe mode: raw HTML never rendered

struct Walker {
  const std::string& path;
  const std::string& file_text;
  int first_line;
  Diagnostics& diagnostics;
  MarkdownDoc& doc;
  bool diagnose = true;  // false: the tree again for rendering, already checked (no positions, no messages)
  std::set<std::pair<int, int>> used_positions;

  // Finds `token` in the source lines of the nearest block, so columns count what the editor typed.
  std::pair<int, int> locate(cmark_node* node, const std::string& token) {
    if (!diagnose) return {0, 0};
    // Inline nodes only know their own first line (a merged text node spans several), so search
    // the lines of the enclosing block.
    cmark_node* block = node;
    while (block && ((cmark_node_get_type(block) & CMARK_NODE_TYPE_MASK) == CMARK_NODE_TYPE_INLINE ||
                     cmark_node_get_start_line(block) <= 0)) {
      block = cmark_node_parent(block);
    }
    int start = block ? cmark_node_get_start_line(block) : 1;
    int end = block ? std::max(start, cmark_node_get_end_line(block)) : start;
    for (int l = start; l <= end; ++l) {
      int file_line = l + first_line - 1;
      std::string line = line_of(file_text, file_line);
      std::size_t from = 0;
      while ((from = line.find(token, from)) != std::string::npos) {
        int col = 1 + static_cast<int>(count_code_points(std::string_view(line).substr(0, from)));
        if (used_positions.insert({file_line, col}).second) return {file_line, col};
        from += token.size();
      }
    }
    return {start + first_line - 1, 0};
  }

  void error(int line, int column, std::string message) {
    if (!diagnose) return;
    diagnostics.error(path, line, column, std::move(message), line_of(file_text, line));
  }
  void warning(int line, int column, std::string message) {
    if (!diagnose) return;
    diagnostics.warning(path, line, column, std::move(message), line_of(file_text, line));
  }
};

cmark_node* make_text(const std::string& text) {
  cmark_node* n = cmark_node_new(CMARK_NODE_TEXT);
  cmark_node_set_literal(n, text.c_str());
  return n;
}

cmark_node* make_link(const std::string& text) {
  cmark_node* link = cmark_node_new(CMARK_NODE_LINK);
  cmark_node_set_url(link, "");
  cmark_node_append_child(link, make_text(text));
  return link;
}

std::string collect_text(cmark_node* node) {
  std::string out;
  cmark_iter* iter = cmark_iter_new(node);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    cmark_node* n = cmark_iter_get_node(iter);
    if (ev != CMARK_EVENT_ENTER) continue;
    auto type = cmark_node_get_type(n);
    if (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE) {
      if (const char* lit = cmark_node_get_literal(n)) out += lit;
    } else if (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK) {
      out += ' ';
    }
  }
  cmark_iter_free(iter);
  return out;
}

bool is_key_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == ':' || c == '.';
}

std::size_t url_end(const std::string& s, std::size_t start) {
  std::size_t e = start;
  while (e < s.size() && !std::isspace(static_cast<unsigned char>(s[e])) && s[e] != '<' && s[e] != '>') ++e;
  while (e > start && std::string_view(".,;:!?)'\"").find(s[e - 1]) != std::string_view::npos) --e;
  return e;
}

// Splits one (merged) text node into text, wiki links, citations, language spans and bare URLs.
void expand_text(Walker& w, cmark_node* text_node) {
  std::string s = cmark_node_get_literal(text_node) ? cmark_node_get_literal(text_node) : "";
  std::vector<cmark_node*> pieces;
  std::string plain;
  auto flush = [&] {
    if (!plain.empty()) pieces.push_back(make_text(plain));
    plain.clear();
  };
  std::size_t i = 0;
  while (i < s.size()) {
    if (s.compare(i, 2, "[[") == 0) {
      auto close = s.find("]]", i + 2);
      if (close != std::string::npos && close - i < 400) {
        std::string inner = s.substr(i + 2, close - i - 2);
        std::replace(inner.begin(), inner.end(), '\n', ' ');
        auto [line, col] = w.locate(text_node, "[[" + inner.substr(0, inner.find_first_of("|\\")));
        WikiLinkRef ref;
        auto bar = inner.find('|');
        std::string target_part = bar == std::string::npos ? inner : inner.substr(0, bar);
        if (!target_part.empty() && target_part.back() == '\\') target_part.pop_back();  // [[a\|b]] in tables
        if (bar != std::string::npos) {
          ref.label = trim(inner.substr(bar + 1));
          ref.has_label = !ref.label.empty();
        }
        auto hash = target_part.find('#');
        ref.target = trim(target_part.substr(0, hash));
        if (hash != std::string::npos) ref.anchor = trim(target_part.substr(hash + 1));
        if (!ref.has_label) {
          ref.label = ref.target.empty() ? ref.anchor : ref.target;
          // A slug reads as words in the plain text (index, snippets); render shows the title.
          if (ref.label.find(' ') == std::string::npos && slugify(ref.label) == ref.label) {
            std::replace(ref.label.begin(), ref.label.end(), '-', ' ');
          }
        }
        ref.line = line;
        ref.column = col;
        if (ref.target.empty() && ref.anchor.empty()) {
          w.error(line, col, "lege verwijzing [[ ]]");
          plain += s.substr(i, close + 2 - i);
        } else {
          flush();
          ref.node = make_link(ref.label);
          pieces.push_back(ref.node);
          w.doc.links.push_back(ref);
        }
        i = close + 2;
        continue;
      }
    }
    if (s.compare(i, 2, "[@") == 0) {
      auto close = s.find(']', i + 2);
      if (close != std::string::npos) {
        std::string inner = s.substr(i + 1, close - i - 1);  // "@a, p. 3; @b"
        std::vector<CitationRef> refs;
        bool valid = true;
        std::size_t p = 0;
        while (p < inner.size() && valid) {
          auto semi = inner.find(';', p);
          std::string part = trim(inner.substr(p, semi == std::string::npos ? std::string::npos : semi - p));
          p = semi == std::string::npos ? inner.size() : semi + 1;
          if (part.empty() || part[0] != '@') { valid = false; break; }
          std::size_t k = 1;
          while (k < part.size() && is_key_char(part[k])) ++k;
          CitationRef ref;
          ref.key = part.substr(1, k - 1);
          while (!ref.key.empty() && (ref.key.back() == '.' || ref.key.back() == ':')) { ref.key.pop_back(); --k; }
          if (ref.key.empty()) { valid = false; break; }
          std::string rest = trim(part.substr(k));
          if (!rest.empty() && rest[0] == ',') rest = trim(rest.substr(1));
          ref.locator = rest;
          refs.push_back(ref);
        }
        if (valid && !refs.empty()) {
          flush();
          // One wrapper per bracket; plain-text extraction skips it (the labels are filled in at render).
          cmark_node* group = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
          cmark_node_set_on_enter(group, citation_open);
          cmark_node_set_on_exit(group, ")</span>");
          for (std::size_t r = 0; r < refs.size(); ++r) {
            if (r > 0) cmark_node_append_child(group, make_text("; "));
            auto [line, col] = w.locate(text_node, "@" + refs[r].key);
            refs[r].line = line;
            refs[r].column = col;
            refs[r].node = make_link(refs[r].key);
            cmark_node_append_child(group, refs[r].node);
            w.doc.citations.push_back(refs[r]);
          }
          pieces.push_back(group);
          i = close + 1;
          continue;
        }
      }
    }
    if (s[i] == '[') {
      // [term]{lang=en}: marks a term in another language.
      auto close = s.find("]{lang=", i + 1);
      auto nested = s.find('[', i + 1);
      if (close != std::string::npos && (nested == std::string::npos || nested > close)) {
        auto brace = s.find('}', close);
        std::string lang = brace == std::string::npos ? "" : s.substr(close + 7, brace - close - 7);
        bool ok = lang.size() >= 2 && lang.size() <= 12 &&
                  std::all_of(lang.begin(), lang.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '-'; });
        if (ok) {
          flush();
          cmark_node* span = cmark_node_new(CMARK_NODE_CUSTOM_INLINE);
          std::string enter = "<span lang=\"" + lang + "\">";
          cmark_node_set_on_enter(span, enter.c_str());
          cmark_node_set_on_exit(span, "</span>");
          cmark_node_append_child(span, make_text(s.substr(i + 1, close - i - 1)));
          pieces.push_back(span);
          i = brace + 1;
          continue;
        }
      }
    }
    if (s.compare(i, 8, "https://") == 0 || s.compare(i, 7, "http://") == 0) {
      bool boundary = i == 0 || !std::isalnum(static_cast<unsigned char>(s[i - 1]));
      std::size_t e = url_end(s, i);
      std::size_t scheme_len = s.compare(i, 8, "https://") == 0 ? 8 : 7;
      if (boundary && e > i + scheme_len) {
        flush();
        cmark_node* link = make_link(s.substr(i, e - i));
        cmark_node_set_url(link, s.substr(i, e - i).c_str());
        pieces.push_back(link);
        i = e;
        continue;
      }
    }
    // Nothing special starts before the next '[' or 'h': copy the run in one go.
    std::size_t next = s.find_first_of("[h", i + 1);
    if (next == std::string::npos) next = s.size();
    plain.append(s, i, next - i);
    i = next;
  }
  if (pieces.empty()) return;  // nothing special: keep the node as it is
  flush();
  for (cmark_node* piece : pieces) {
    if (cmark_node_insert_before(text_node, piece)) continue;
    // A GFM table cell refuses custom inlines (our citation and language spans): keep their
    // contents there without the wrapper, so nothing is dropped from the page (found by fuzzing).
    // Their children are text and links, which every inline container accepts.
    const char* enter = cmark_node_get_on_enter(piece);
    bool citation = enter && std::string_view(enter) == citation_open;
    if (citation) cmark_node_insert_before(text_node, make_text("("));
    while (cmark_node* child = cmark_node_first_child(piece)) {
      cmark_node_unlink(child);
      cmark_node_insert_before(text_node, child);
    }
    if (citation) cmark_node_insert_before(text_node, make_text(")"));
    cmark_node_free(piece);
  }
  cmark_node_free(text_node);
}

cmark_node* parse_ast(const std::string& body) {
  ensure_extensions_registered();
  cmark_parser* parser = cmark_parser_new(parse_options);
  for (const char* name : extension_names) {
    if (auto* ext = cmark_find_syntax_extension(name)) cmark_parser_attach_syntax_extension(parser, ext);
  }
  cmark_parser_feed(parser, body.data(), body.size());
  cmark_node* root = cmark_parser_finish(parser);
  cmark_parser_free(parser);
  return root;
}

std::vector<cmark_node*> nodes_of(cmark_node* root) {
  std::vector<cmark_node*> out;
  cmark_iter* iter = cmark_iter_new(root);
  cmark_event_type ev;
  while ((ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    if (ev == CMARK_EVENT_ENTER) out.push_back(cmark_iter_get_node(iter));
  }
  cmark_iter_free(iter);
  return out;
}

}  // namespace

namespace {

// parse_markdown and parse_markdown_tree: one walk, so the tree for rendering is the one that was checked.
MarkdownDoc parse(const std::string& body, const std::string& path, const std::string& file_text, int body_first_line,
                  Diagnostics& diagnostics, bool diagnose) {
  MarkdownDoc doc;
  cmark_node* root = parse_ast(body);
  doc.root = std::shared_ptr<cmark_node>(root, cmark_node_free);
  Walker w{path, file_text, body_first_line, diagnostics, doc, diagnose, {}};

  // Pass 1: drop raw HTML, check URLs, merge adjacent text so "[[x]]" is one literal.
  std::set<int> html_warned_lines;
  for (cmark_node* n : nodes_of(root)) {
    auto type = cmark_node_get_type(n);
    if (type == CMARK_NODE_HTML_BLOCK || type == CMARK_NODE_HTML_INLINE) {
      if (diagnose) {
        // Located by the tag as typed; one warning per line ("<b>x</b>" is two nodes, one mistake).
        std::string_view literal = cmark_node_get_literal(n) ? cmark_node_get_literal(n) : "";
        std::string tag(literal.substr(0, std::min(literal.find('\n'), std::size_t{16})));
        auto [line, col] = tag.empty() ? std::pair<int, int>{0, 0} : w.locate(n, tag);
        if (line == 0 && cmark_node_get_start_line(n) > 0) line = cmark_node_get_start_line(n) + body_first_line - 1;
        if (html_warned_lines.insert(line).second) w.warning(line, col, "ruwe HTML wordt weggelaten; gebruik Markdown");
      }
      cmark_node_free(n);  // unlinks it; its (literal-only) children go with it
    } else if (type == CMARK_NODE_TEXT) {
      // cmark-gfm 0.29 turns a footnote reference without a footnote back into text "[^...]";
      // when its label runs over a line break it measures the label in columns, so text is lost
      // and may be cut inside a UTF-8 sequence ("[^\n—x]" -> "[^\n\xE2]", found by fuzzing).
      // Tell the editor, and keep every literal valid UTF-8: the index stores it as JSON.
      std::string_view text = cmark_node_get_literal(n) ? cmark_node_get_literal(n) : "";
      if (diagnose && text.size() >= 3 && text.starts_with("[^") && text.ends_with("]")) {
        auto [line, col] = w.locate(n, "[^");
        std::string shown = to_valid_utf8(text.substr(0, 40));
        std::replace(shown.begin(), shown.end(), '\n', ' ');
        w.warning(line, col, fmt::format("voetnootverwijzing '{}' zonder voetnoot; schrijf de verwijzing op één regel "
                                         "en de voetnoot als '[^1]: tekst'", shown));
      }
      if (find_invalid_utf8(text) != std::string_view::npos) cmark_node_set_literal(n, to_valid_utf8(text).c_str());
    }
  }
  // Soft line breaks join the run too (rendered identically as "\n"), so a wiki link or
  // citation may wrap over lines as editors write it.
  auto joinable = [](cmark_node* n) {
    auto t = cmark_node_get_type(n);
    return t == CMARK_NODE_TEXT || t == CMARK_NODE_SOFTBREAK;
  };
  std::vector<cmark_node*> run_starts;
  for (cmark_node* n : nodes_of(root)) {
    cmark_node* prev = cmark_node_previous(n);
    if (cmark_node_get_type(n) == CMARK_NODE_TEXT && !(prev && joinable(prev))) run_starts.push_back(n);
  }
  for (cmark_node* n : run_starts) {
    std::string merged = cmark_node_get_literal(n);
    while (cmark_node* next = cmark_node_next(n)) {
      if (!joinable(next)) break;
      merged += cmark_node_get_type(next) == CMARK_NODE_SOFTBREAK ? "\n" : cmark_node_get_literal(next);
      cmark_node_free(next);
    }
    cmark_node_set_literal(n, merged.c_str());
  }
  // Pass 2: links, images, headings, and the special syntax inside text.
  std::set<std::string> heading_ids(std::begin(template_ids), std::end(template_ids));
  for (cmark_node* n : nodes_of(root)) {
    auto type = cmark_node_get_type(n);
    if (type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE) {
      std::string url = cmark_node_get_url(n) ? cmark_node_get_url(n) : "";
      if (!is_safe_url(url)) {
        auto [line, col] = w.locate(n, url.substr(0, 12));
        w.error(line, col, fmt::format("onveilige link '{}' (alleen http, https, mailto of relatieve links)", url));
        cmark_node_set_url(n, "");
      }
      if (type == CMARK_NODE_IMAGE) {
        auto [line, col] = w.locate(n, "![");
        if (trim(collect_text(n)).empty()) w.error(line, col, "afbeelding zonder alt-tekst: beschrijf de afbeelding tussen ![ en ]");
        doc.images.push_back({url, line, col, n});
      }
    } else if (type == CMARK_NODE_TEXT) {
      cmark_node* parent = cmark_node_parent(n);
      bool inside_link = false;
      for (cmark_node* p = parent; p; p = cmark_node_parent(p)) {
        if (cmark_node_get_type(p) == CMARK_NODE_LINK || cmark_node_get_type(p) == CMARK_NODE_IMAGE) inside_link = true;
      }
      if (!inside_link) expand_text(w, n);
    }
  }
  for (cmark_node* n : nodes_of(root)) {
    if (cmark_node_get_type(n) != CMARK_NODE_HEADING) continue;
    Heading h;
    h.level = cmark_node_get_heading_level(n);
    h.text = trim(collect_text(n));
    std::string base = slugify(h.text);
    if (base.empty()) base = "kop";
    if (base.starts_with("bron-")) base = "kop-" + base;  // reference list items are "bron-<key>"
    h.id = base;
    for (int k = 2; heading_ids.count(h.id); ++k) h.id = fmt::format("{}-{}", base, k);
    heading_ids.insert(h.id);
    // A custom block carries the id attribute; cmark's own heading renderer has no attributes.
    cmark_node* block = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK);
    std::string enter = fmt::format("<h{} id=\"{}\">", h.level, h.id);
    std::string exit = fmt::format("</h{}>\n", h.level);
    cmark_node_set_on_enter(block, enter.c_str());
    cmark_node_set_on_exit(block, exit.c_str());
    // A custom block may hold inlines directly; the HTML renderer just renders the children.
    while (cmark_node* child = cmark_node_first_child(n)) {
      cmark_node_unlink(child);
      cmark_node_append_child(block, child);
    }
    cmark_node_insert_before(n, block);
    cmark_node_free(n);
    doc.headings.push_back(h);
  }
  if (!diagnose) return doc;  // rendering needs no plain text
  // Plain text: blocks separated by blank lines so snippets do not run paragraphs together.
  std::string plain;
  cmark_iter* iter = cmark_iter_new(root);
  cmark_event_type ev;
  int inside_citation = 0;
  bool after_citation = false;  // the last thing seen was a citation (left out of the plain text)
  while ((ev = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    cmark_node* n = cmark_iter_get_node(iter);
    auto type = cmark_node_get_type(n);
    if (type == CMARK_NODE_CUSTOM_INLINE && cmark_node_get_on_enter(n) == std::string_view(citation_open)) {
      inside_citation += ev == CMARK_EVENT_ENTER ? 1 : -1;
      after_citation = inside_citation == 0;
      continue;
    }
    if (inside_citation > 0) continue;
    if (ev == CMARK_EVENT_ENTER && (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE || type == CMARK_NODE_CODE_BLOCK)) {
      if (const char* lit = cmark_node_get_literal(n)) {
        // "stelt [@baart2001], dat" reads "stelt, dat" without its citation, not "stelt , dat"
        // (and "Ook [@c] zegt" has one space, not two).
        if (after_citation && std::string_view(",.;:!?) ").find(lit[0]) != std::string_view::npos) {
          while (!plain.empty() && plain.back() == ' ') plain.pop_back();
        }
        plain += lit;
      }
      after_citation = false;
    } else if (ev == CMARK_EVENT_ENTER && (type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK)) {
      plain += ' ';
    } else if (ev == CMARK_EVENT_EXIT && (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_CUSTOM_BLOCK ||
                                          type == CMARK_NODE_ITEM)) {
      if (!plain.empty() && plain.back() != '\n') plain += "\n\n";
    }
  }
  cmark_iter_free(iter);
  doc.plain_text = trim(plain);
  return doc;
}

}  // namespace

MarkdownDoc parse_markdown(const std::string& body, const std::string& path, const std::string& file_text,
                           int body_first_line, Diagnostics& diagnostics) {
  return parse(body, path, file_text, body_first_line, diagnostics, true);
}

MarkdownDoc parse_markdown_tree(const std::string& body) {
  Diagnostics none;
  return parse(body, "", body, 1, none, false);
}

void drop_tree(MarkdownDoc& doc) {
  doc.root.reset();
  for (auto& l : doc.links) l.node = nullptr;
  for (auto& c : doc.citations) c.node = nullptr;
  for (auto& i : doc.images) i.node = nullptr;
}

void set_link_target(cmark_node* link, const std::string& url, const std::string& title) {
  cmark_node_set_url(link, url.c_str());
  cmark_node_set_title(link, title.c_str());
}

void set_link_text(cmark_node* link, const std::string& text) {
  while (cmark_node* child = cmark_node_first_child(link)) cmark_node_free(child);
  cmark_node_append_child(link, make_text(text));
}

void unlink(cmark_node* link) {
  while (cmark_node* child = cmark_node_first_child(link)) {
    cmark_node_unlink(child);
    cmark_node_insert_before(link, child);
  }
  cmark_node_unlink(link);
  // Freed with the document? No: an unlinked node must be freed here.
  cmark_node_free(link);
}

std::string render_html(const MarkdownDoc& doc) {
  if (!doc.root) throw std::logic_error("render_html: de boom van dit document is al vrijgegeven (parse_markdown_tree)");
  cmark_mem* mem = cmark_get_default_mem_allocator();
  cmark_llist* exts = extension_list(mem);
  char* html = cmark_render_html(doc.root.get(), render_options, exts);
  cmark_llist_free(mem, exts);
  std::string out = html ? html : "";
  mem->free(html);
  return out;
}

std::string markdown_to_html(const std::string& body) {
  Diagnostics ignored;
  auto doc = parse_markdown(body, "-", body, 1, ignored);
  return render_html(doc);
}

}  // namespace lexicon
