// Target "frontmatter": one entry file as an editor could write it, through the loader's own path
// (parse_document: newline normalisation, UTF-8 check, front matter split, yaml-cpp, field checks),
// then every diagnostic formatted the three ways `lexicon check` prints them.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "content.h"
#include "diagnostics.h"
#include "frontmatter.h"
#include "targets.h"

namespace lexicon::fuzz {

namespace {
constexpr const char* name = "frontmatter";

void check_text(const std::string& field, const std::string& value) {
  FUZZ_CHECK(name, valid_utf8(value), field + ": " + value);
  // No control characters (YAML escapes could make them): only tab and line breaks.
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    FUZZ_CHECK(name, (u >= 0x20 && u != 0x7F) || c == '\t' || c == '\n' || c == '\r', field + ": " + value);
  }
}
}  // namespace

int frontmatter(const std::uint8_t* data, std::size_t size) {
  std::string raw(reinterpret_cast<const char*>(data), size);

  std::string text = normalise_newlines(raw);
  FUZZ_CHECK(name, text.find('\r') == std::string::npos, text);
  // Idempotent, except that each call strips one leading BOM (a second one is content).
  FUZZ_CHECK(name, normalise_newlines(text) == (text.starts_with("\xEF\xBB\xBF") ? text.substr(3) : text), text);
  FrontMatterSplit split = split_front_matter(text);
  if (split.ok) {
    FUZZ_CHECK(name, split.yaml_first_line == 2 && split.body_first_line >= 3, text);
    std::size_t first_end = text.find('\n');
    FUZZ_CHECK(name, first_end != std::string::npos && text.compare(first_end + 1, split.yaml.size(), split.yaml) == 0, text);
    FUZZ_CHECK(name, text.size() >= split.body.size() && text.compare(text.size() - split.body.size(), split.body.size(), split.body) == 0,
               text);
  } else {
    FUZZ_CHECK(name, !split.error.empty() && split.error_line >= 1, text);
  }

  Diagnostics diagnostics;
  Document doc = parse_document("content/begrippen/fuzz.md", "fuzz", raw, true, diagnostics);
  bool utf8 = valid_utf8(text);
  if (utf8) {
    check_text("title", doc.title);
    check_text("title_lang", doc.title_lang);
    check_text("summary", doc.summary);
    for (const auto& a : doc.aliases) check_text("alias", a.text), check_text("alias lang", a.lang);
    for (const auto* list : {&doc.themes, &doc.related, &doc.sources, &doc.authors, &doc.former_slugs}) {
      for (const auto& item : *list) check_text("list item", item);
    }
    FUZZ_CHECK(name, doc.body_first_line >= 1, text);
    int lines = 1 + static_cast<int>(std::count(doc.text.begin(), doc.text.end(), '\n'));
    for (const auto& [key, pos] : doc.field_positions) {
      FUZZ_CHECK(name, pos.line >= 2 && pos.line <= lines && pos.column >= 1, key);
    }
  }
  FUZZ_CHECK(name, !diagnostics.items.empty() || split.ok, text);
  for (const auto& d : diagnostics.items) {
    FUZZ_CHECK(name, d.line >= 0 && d.column >= 0, d.message);
    FUZZ_CHECK(name, valid_utf8(d.message), d.message);
  }
  // What `lexicon check` prints; the JSON form must stay parseable whatever the editor wrote.
  std::string plain = format_all(diagnostics, DiagnosticFormat::text);
  std::string github = format_all(diagnostics, DiagnosticFormat::github);
  std::string json = format_all(diagnostics, DiagnosticFormat::json);
  auto parsed = nlohmann::json::parse(json, nullptr, false);
  FUZZ_CHECK(name, parsed.is_array() && parsed.size() == diagnostics.items.size(), json);
  return 0;
}

}  // namespace lexicon::fuzz
