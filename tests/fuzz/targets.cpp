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
  // One linear pass (to_valid_utf8); checking every character on its own was a tenth of the
  // wikilinks target's time.
  std::string valid = to_valid_utf8(normalise_newlines(raw));
  if (valid.find('\0') == std::string::npos) return valid;
  std::string out;
  out.reserve(valid.size() + 16);
  for (char c : valid) c == '\0' ? out.append("\xEF\xBF\xBD") : out.append(1, c);
  return out;
}

}  // namespace lexicon::fuzz
