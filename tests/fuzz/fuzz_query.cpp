// Target "query": lexicon::search on an index of the good fixture lexicon (tests/fixtures/good;
// LEXICON_FUZZ_CONTENT=content for the real one, slower per query), built once into a temporary
// directory by the real indexer: tokenising, compound and joined forms, spelling correction,
// theme/type filters, facets, and a snippet per hit (half the inputs with the data the server reads once
// per index: stored documents, match bitmaps); then make_snippet_html on fuzzed text.
// Input: byte 0 picks the options (type, theme, offset, limit, snippet length), the rest is the
// query; for the snippet, the query's first line gives the words and the rest is the text.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <vector>

#include <xapian.h>

#include "analysis.h"
#include "content.h"
#include "diagnostics.h"
#include "indexer.h"
#include "match_count.h"
#include "resolve.h"
#include "search.h"
#include "targets.h"

namespace lexicon::fuzz {

namespace {
constexpr const char* name = "query";
namespace fs = std::filesystem;

struct State {
  fs::path dir;
  Xapian::Database db;
  std::vector<std::string> themes;
  // What `lexicon serve` reads once per index (search.h): its stored documents and match bitmaps too.
  SearchIndexData server_data;
};
State* state = nullptr;

void remove_index() {
  std::error_code ec;
  if (state) fs::remove_all(state->dir, ec);
}

std::string content_dir() {
  if (const char* dir = std::getenv("LEXICON_FUZZ_CONTENT")) return dir;
  return std::string(LEXICON_SOURCE_DIR) + "/tests/fixtures/good/content";
}

// Snippets are escaped text with <mark> around matches, nothing else.
void check_snippet(const std::string& snippet, bool text_valid) {
  std::string rest;
  for (std::size_t i = 0; i < snippet.size();) {
    if (snippet.compare(i, 6, "<mark>") == 0) i += 6;
    else if (snippet.compare(i, 7, "</mark>") == 0) i += 7;
    else rest += snippet[i++];
  }
  FUZZ_CHECK(name, rest.find_first_of("<>\"'") == std::string::npos, snippet);
  if (text_valid) FUZZ_CHECK(name, valid_utf8(snippet), snippet);
}
}  // namespace

void query_init() {
  if (state) return;
  state = new State;
  Diagnostics diagnostics;
  Corpus corpus = load_corpus(content_dir(), diagnostics);
  ParsedCorpus parsed = parse_corpus(std::move(corpus), 1, diagnostics);
  LinkGraph graph = resolve(parsed, diagnostics);
  if (diagnostics.has_errors() || parsed.corpus.entries.empty()) {
    std::fprintf(stderr, "fuzz query: cannot load %s:\n%s", content_dir().c_str(),
                 format_all(diagnostics, DiagnosticFormat::text).c_str());
    std::exit(2);
  }
  for (const auto& t : parsed.corpus.themes) state->themes.push_back(t.slug);
  state->dir = fs::temp_directory_path() / ("lexicon-fuzz-query-" + std::to_string(::getpid()));
  fs::remove_all(state->dir);
  build_index(parsed, graph, state->dir);
  state->db = Xapian::Database(state->dir.string());
  state->server_data = read_search_index_data(state->db);
  constexpr std::size_t max_bytes = 64 << 20;
  if (auto documents = read_stored_documents(state->db, max_bytes)) {
    state->server_data.documents = std::make_shared<const StoredDocuments>(std::move(*documents));
  }
  state->server_data.bitmaps =
      std::make_shared<const MatchBitmaps>(read_match_bitmaps(state->db, state->server_data.themes, max_bytes / 2));
  std::atexit(remove_index);
}

int query(const std::uint8_t* data, std::size_t size) {
  query_init();
  if (size == 0) return 0;
  const unsigned options = data[0];
  std::string input(reinterpret_cast<const char*>(data + 1), size - 1);

  SearchOptions o;
  o.query = input;
  static const char* const types[] = {"", "begrip", "pagina", "bron"};
  o.type = types[options & 3];
  switch ((options >> 2) & 3) {
    case 1: o.theme = state->themes.empty() ? "" : state->themes.front(); break;
    case 2: o.theme = state->themes.empty() ? "" : state->themes.back(); break;
    case 3: o.theme = "geen-thema"; break;
    default: break;
  }
  o.offset = (options >> 4) & 1 ? 10 : 0;
  o.limit = (options >> 5) & 1 ? 20 : 10;

  // Inputs of even length take the server's path (data read once per index), odd ones the command line's.
  SearchResult r = search(state->db, o, size % 2 == 0 ? &state->server_data : nullptr);
  FUZZ_CHECK(name, r.hits.size() <= o.limit, input);
  FUZZ_CHECK(name, r.hits.size() <= r.total || o.offset > 0, input);
  FUZZ_CHECK(name, !r.used_correction || !r.corrected.empty(), input);
  for (const auto& hit : r.hits) {
    check_snippet(hit.snippet_html, true);
    FUZZ_CHECK(name, !hit.url.empty() && !hit.title.empty(), input);
    if (!o.type.empty()) FUZZ_CHECK(name, hit.type == o.type, input);
  }
  for (const auto& f : r.facets) FUZZ_CHECK(name, f.count > 0 && !f.slug.empty(), input);
  std::string json = to_json(r).dump();  // throws on invalid UTF-8: what /api/search would send
  FUZZ_CHECK(name, !json.empty(), input);

  auto newline = input.find('\n');
  std::string words_line = input.substr(0, newline);
  std::string text = newline == std::string::npos ? input : input.substr(newline + 1);
  std::vector<std::string> words;
  for (const auto& t : tokenize(words_line)) {
    if (words.size() < 20) words.push_back(t.folded);
  }
  std::size_t max_tokens = 1 + ((options >> 6) & 3) * 15;
  check_snippet(make_snippet_html(text, words, max_tokens), valid_utf8(text));
  return 0;
}

}  // namespace lexicon::fuzz
