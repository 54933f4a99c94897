// Target "entry": the whole entry-to-HTML path. The fuzzed bytes are one entry file,
// content/begrippen/fuzz.md, in the good fixture lexicon (tests/fixtures/good, loaded once with
// the real loader): parse_document, parse_markdown, resolve against the other entries, pages,
// themes and sources, then render_entry_body fills in links and citations and renders the HTML
// exactly as on the entry page. The plain text then goes through the indexer's tokenizer.
#include <algorithm>
#include <cstdlib>
#include <memory>

#include <nlohmann/json.hpp>

#include "analysis.h"
#include "content.h"
#include "diagnostics.h"
#include "html_check.h"
#include "render.h"
#include "resolve.h"
#include "targets.h"
#include "text.h"

namespace lexicon::fuzz {

namespace {
constexpr const char* name = "entry";

struct Base {
  ParsedCorpus parsed;  // the fixture, parsed once; its ASTs are shared read-only between runs
  Analyzer analyzer;
};
Base* base = nullptr;

std::string fixture_dir() {
  if (const char* dir = std::getenv("LEXICON_FUZZ_FIXTURE")) return dir;
  return std::string(LEXICON_SOURCE_DIR) + "/tests/fixtures/good/content";
}
}  // namespace

void entry_init() {
  if (base) return;
  base = new Base;  // lives for the process; libFuzzer never returns to a clean exit path we need
  Diagnostics diagnostics;
  Corpus corpus = load_corpus(fixture_dir(), diagnostics);
  if (diagnostics.has_errors() || corpus.entries.empty()) {
    std::fprintf(stderr, "fuzz entry: cannot load the fixture %s:\n%s", fixture_dir().c_str(),
                 format_all(diagnostics, DiagnosticFormat::text).c_str());
    std::exit(2);
  }
  base->parsed = parse_corpus(std::move(corpus), 1, diagnostics);
}

int entry(const std::uint8_t* data, std::size_t size) {
  entry_init();
  std::string raw(reinterpret_cast<const char*>(data), size);
  if (!loadable(raw)) return 0;  // read_file refuses NUL and invalid UTF-8 before parsing

  Diagnostics diagnostics;
  ParsedCorpus parsed;
  parsed.corpus = base->parsed.corpus;
  parsed.page_docs = base->parsed.page_docs;
  Document doc = parse_document("content/begrippen/fuzz.md", "fuzz", raw, true, diagnostics);
  // Same call as parse_corpus makes for each document.
  MarkdownDoc md = parse_markdown(doc.body, doc.path, doc.text, doc.body_first_line, diagnostics);
  auto& entries = parsed.corpus.entries;
  auto pos = static_cast<std::size_t>(
      std::lower_bound(entries.begin(), entries.end(), doc.slug, [](const Document& d, const std::string& s) {
        return d.slug < s;
      }) - entries.begin());
  entries.insert(entries.begin() + static_cast<long>(pos), std::move(doc));
  parsed.entry_docs = base->parsed.entry_docs;
  parsed.entry_docs.insert(parsed.entry_docs.begin() + static_cast<long>(pos), std::move(md));

  LinkGraph graph = resolve(parsed, diagnostics);
  FUZZ_CHECK(name, graph.entry_links.size() == entries.size() && graph.outgoing.size() == entries.size(), raw);
  for (const auto& t : graph.entry_links[pos]) {
    FUZZ_CHECK(name, t.kind == LinkTarget::none || (t.kind == LinkTarget::entry && t.index >= 0 &&
                                                    static_cast<std::size_t>(t.index) < entries.size()) ||
                         (t.kind == LinkTarget::page && t.index >= 0 &&
                          static_cast<std::size_t>(t.index) < parsed.corpus.pages.size()),
               raw);
  }
  std::string html = render_entry_body(parsed, graph, pos);
  std::string problem = html_problem(html);
  FUZZ_CHECK(name, problem.empty(), problem);

  const std::string& plain = parsed.entry_docs[pos].plain_text;
  FUZZ_CHECK(name, valid_utf8(plain), plain);
  auto tokens = tokenize(plain);
  for (const auto& token : tokens) {
    FUZZ_CHECK(name, token.start < token.end && token.end <= plain.size(), plain);
    FUZZ_CHECK(name, valid_utf8(token.folded), token.folded);
    for (const auto& term : base->analyzer.terms(token)) FUZZ_CHECK(name, !term.empty(), token.folded);
  }
  for (const auto& [from, to] : hyphen_groups(tokens)) FUZZ_CHECK(name, from < to && to <= tokens.size(), plain);

  for (const auto& d : diagnostics.items) FUZZ_CHECK(name, valid_utf8(d.message), d.message);
  sort_diagnostics(diagnostics);
  auto json = nlohmann::json::parse(format_all(diagnostics, DiagnosticFormat::json), nullptr, false);
  FUZZ_CHECK(name, json.is_array() && json.size() == diagnostics.items.size(), raw);
  format_all(diagnostics, DiagnosticFormat::text);
  return 0;
}

}  // namespace lexicon::fuzz
