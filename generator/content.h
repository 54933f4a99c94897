#pragma once
// Stage 1 (load): reads content/ into plain structs, reporting every problem found.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "diagnostics.h"

namespace lexicon {

// Documented limit: larger entry files are refused (protects the parsers and the build).
inline constexpr std::size_t max_file_bytes = 1 << 20;

struct Term {
  std::string text;
  std::string lang;  // BCP 47 code when the term is in another language, else ""
};

struct Position {
  int line = 0;
  int column = 0;
};

struct SiteConfig {
  std::string title = "Lexicon";
  std::string subtitle;
  std::string base_url = "/";  // absolute URL or path, always ending in '/'
  std::string base_path = "/"; // path part of base_url, ending in '/'
  std::string language = "nl";
  std::string licence;
  std::vector<std::string> editors;
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
  std::string text;       // normalised file text, for diagnostics
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

// `display_root` is how paths are shown in diagnostics (normally the --content argument).
Corpus load_corpus(const std::filesystem::path& content_dir, Diagnostics& diagnostics, int jobs = 1);

// Parses one document from text (used by load_corpus and by tests/fuzzers).
Document parse_document(const std::string& display_path, const std::string& slug, std::string raw,
                        bool is_entry, Diagnostics& diagnostics);

// "https://example.org/lexicon/" -> "/lexicon/"
std::string base_path_of(const std::string& base_url);

}  // namespace lexicon
