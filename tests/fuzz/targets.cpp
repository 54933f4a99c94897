// Registry of the fuzz targets and the checks they share.
#include "targets.h"

#include <cstdio>
#include <cstdlib>

#include "frontmatter.h"
#include "text.h"

namespace lexicon::fuzz {

namespace {

const Target targets[] = {
    {"frontmatter", "front matter splitting, YAML loading and field checks of one entry file (parse_document)",
     nullptr, frontmatter},
    {"wikilinks", "cmark-gfm parse plus our AST pass: wiki links, citations, language spans, bare URLs",
     nullptr, wikilinks},
    {"entry", "one entry file in a small lexicon: load, parse, resolve, render its HTML body", entry_init, entry},
    {"collation", "A-Z collation keys and letters, folding and slugs", nullptr, collation},
    {"query", "search on an index of the good fixture: query parsing, spelling, facets, snippets", query_init, query},
};

}  // namespace

const Target* find_target(std::string_view name) {
  for (const auto& t : targets) {
    if (name == t.name) return &t;
  }
  return nullptr;
}

std::string target_names() {
  std::string out;
  for (const auto& t : targets) out += (out.empty() ? "" : ", ") + std::string(t.name);
  return out;
}

void invariant_failed(const char* target, const char* condition, const char* file, int line,
                      const std::string& detail) {
  std::fprintf(stderr, "fuzz target %s: invariant broken at %s:%d: %s\n", target, file, line, condition);
  if (!detail.empty()) std::fprintf(stderr, "  detail: %.2000s\n", detail.c_str());
  std::fflush(stderr);
  std::abort();
}

bool valid_utf8(std::string_view text) { return find_invalid_utf8(text) == std::string_view::npos; }

bool loadable(const std::string& raw) {
  return raw.find('\0') == std::string::npos && valid_utf8(raw);
}

std::string as_loaded_text(const std::string& raw) {
  std::string text = normalise_newlines(raw);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    if (c == 0 || len == 0 || i + len > text.size() ||
        find_invalid_utf8(std::string_view(text).substr(i, len)) != std::string_view::npos) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(text, i, len);
    i += len;
  }
  return out;
}

}  // namespace lexicon::fuzz
