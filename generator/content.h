#pragma once
// Stage 1 (load): reads content/ into plain structs, reporting every problem found.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "diagnostics.h"

namespace lexicon {

// Documented limit: larger entry files are refused (protects the parsers and the build).
inline constexpr std::size_t max_file_bytes = 1 << 20;

struct Term {
  std::string text;
  std::string lang;  // BCP 47 code when the term is in another language, else ""
  bool operator==(const Term&) const = default;
};

struct Position {
  int line = 0;
  int column = 0;
  bool operator==(const Position&) const = default;
};

struct SiteConfig {
  std::string title = "Lexicon";
  std::string subtitle;
  std::string base_url = "/";  // absolute URL or path, always ending in '/'
  std::string base_path = "/"; // path part of base_url, ending in '/'
  std::string language = "nl";
  std::string licence;
  std::vector<std::string> editors;
  // From this many entries on, A–Z is a page per letter (one long page is heavy to read and to make).
  std::size_t az_per_letter_from = 1000;
};

struct Theme {
  std::string slug;
  std::string name;
  std::string description;
  int order = 0;
};

struct Source {
  std::string key;
  std::vector<std::string> authors;
  std::string year;
  std::string title;
  std::string container;
  std::string publisher;
  std::string place;
  std::string pages;
  std::string volume;
  std::string issue;
  std::string url;
  std::string doi;
  std::string type;
  std::string note;
};

// A Markdown document with front matter: an entry (begrippen/) or a page (paginas/).
struct Document {
  std::string slug;
  std::string path;       // display path, e.g. content/begrippen/presentie.md
  std::string hash;       // git blob id of the file's bytes as read
  // Normalised file text, for diagnostics, and the body after the front matter. Both are empty in a
  // document taken from the parse cache (parse_cache.h): read_body reads the body when a page needs it.
  std::string text;
  int body_first_line = 1;
  std::string body;
  std::string title;
  std::string title_lang;  // BCP 47 code when the title is in another language (`title_lang: en`), else ""
  std::string summary;
  std::vector<Term> aliases;
  std::vector<std::string> themes;
  std::vector<std::string> related;
  std::vector<std::string> sources;
  std::vector<std::string> authors;
  std::vector<std::string> former_slugs;
  std::map<std::string, Position> field_positions;  // front matter key -> where it was written
  std::map<std::string, std::vector<Position>> item_positions;  // list field -> position per item
  // Left in the parse cache (both maps empty): only a diagnostic reads them (ParsedCorpus::deferred_positions).
  bool positions_deferred = false;
  bool operator==(const Document&) const = default;
};

struct Corpus {
  std::filesystem::path root;
  SiteConfig config;
  std::vector<Theme> themes;      // sorted by order, then slug
  std::vector<Source> sources;    // sorted by key
  std::vector<Document> entries;  // sorted by slug
  std::vector<Document> pages;    // sorted by slug
  std::vector<std::string> media; // paths relative to content/media, sorted
};

// A document an earlier build parsed from a file with the same content, with every diagnostic that
// loading and parsing that file gave (load_corpus reports them again instead of reading the file).
struct KnownDocument {
  Document document;  // without text and body
  std::vector<Diagnostic> diagnostics;
};
// By display path; called from several threads at once, each path at most once.
using ReuseDocument = std::function<std::optional<KnownDocument>(const std::string& display_path)>;

// How paths under `content_dir` are shown in diagnostics and Document::path (the --content argument
// without a trailing slash).
std::string display_root_of(const std::filesystem::path& content_dir);

Corpus load_corpus(const std::filesystem::path& content_dir, Diagnostics& diagnostics, int jobs = 1,
                   const ReuseDocument& reuse = nullptr);

// The body of a document as its file holds it now: for documents taken from the parse cache. Throws
// std::runtime_error when the file no longer has the content the document was parsed from.
std::string read_body(const Document& document);

// Parses one document from text (used by load_corpus and by tests/fuzzers).
Document parse_document(const std::string& display_path, const std::string& slug, std::string raw,
                        bool is_entry, Diagnostics& diagnostics);

// "https://example.org/lexicon/" -> "/lexicon/"
std::string base_path_of(const std::string& base_url);

}  // namespace lexicon
