#include "content.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <thread>

#include <fcntl.h>
#include <unistd.h>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "frontmatter.h"
#include "hash.h"
#include "text.h"

namespace fs = std::filesystem;

namespace lexicon {

namespace {

const std::vector<std::string> entry_fields = {"title", "title_lang", "aliases", "themes", "summary", "related",
                                                "sources", "authors", "former_slugs"};
const std::vector<std::string> page_fields = {"title", "summary", "aliases", "authors"};

// Locates YAML positions in file coordinates (yaml-cpp marks are 0-based, relative to the YAML text).
struct YamlContext {
  const std::string& path;
  const std::string& text;
  int first_line;
  Diagnostics& diagnostics;

  Position position(const YAML::Mark& mark) const {
    if (mark.line < 0) return {first_line, 1};
    return {first_line + mark.line, mark.column + 1};
  }
  void error(const YAML::Mark& mark, const std::string& message) const {
    auto p = position(mark);
    diagnostics.error(path, p.line, p.column, message, shown_line(p.line));
  }
  void warning(const YAML::Mark& mark, const std::string& message) const {
    auto p = position(mark);
    diagnostics.warning(path, p.line, p.column, message, shown_line(p.line));
  }

  // Only the diagnostics limit_per_file will show carry their line: each copy of a long line costs its
  // length, and a one-line list of empty items gives a diagnostic per item (quadratic in the file).
  mutable std::size_t quoted = 0;
  std::string shown_line(int line) const { return ++quoted <= diagnostics_per_file ? line_of(text, line) : std::string(); }
};

std::string scalar_or_error(const YamlContext& ctx, const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) {
    ctx.error(node.Mark(), fmt::format("'{}' moet tekst zijn", what));
    return {};
  }
  std::string value = node.Scalar();
  if (find_invalid_utf8(value) != std::string::npos) {
    ctx.error(node.Mark(), fmt::format("'{}' bevat ongeldige UTF-8", what));
    return {};
  }
  // YAML escapes ("\x00", "\a") can put control characters in a field that the file itself could not
  // hold; in a page they are an HTML parse error (NUL) or invisible garbage.
  auto control = std::find_if(value.begin(), value.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t' && c != '\n' && c != '\r') || u == 0x7F;  // white space stays
  });
  if (control != value.end()) {
    ctx.error(node.Mark(), fmt::format("'{}' bevat een stuurteken (U+{:04X}); haal het weg", what,
                                       static_cast<unsigned>(static_cast<unsigned char>(*control))));
    return {};
  }
  return value;
}

std::vector<std::string> string_list(const YamlContext& ctx, const YAML::Node& node, const std::string& key,
                                     std::vector<Position>* positions) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (node.IsScalar()) {  // a single value written without a list is accepted
    out.push_back(scalar_or_error(ctx, node, key));
    if (positions) positions->push_back(ctx.position(node.Mark()));
    return out;
  }
  if (!node.IsSequence()) {
    ctx.error(node.Mark(), fmt::format("'{}' moet een lijst zijn", key));
    return out;
  }
  for (const auto& item : node) {
    std::string value = scalar_or_error(ctx, item, key);
    if (!value.empty()) {
      out.push_back(trim(value));
      if (positions) positions->push_back(ctx.position(item.Mark()));
    }
  }
  return out;
}

bool valid_lang(const std::string& lang) {
  if (lang.size() < 2 || lang.size() > 12) return false;
  return std::all_of(lang.begin(), lang.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
  });
}

std::vector<Term> term_list(const YamlContext& ctx, const YAML::Node& node, std::vector<Position>* positions) {
  std::vector<Term> out;
  if (node.IsNull()) return out;
  if (!node.IsSequence()) {
    ctx.error(node.Mark(), "'aliases' moet een lijst zijn");
    return out;
  }
  for (const auto& item : node) {
    Term term;
    if (item.IsMap()) {
      if (!item["term"]) {
        ctx.error(item.Mark(), "alias met 'lang' mist het veld 'term'");
        continue;
      }
      term.text = trim(scalar_or_error(ctx, item["term"], "term"));
      if (item["lang"]) {
        term.lang = scalar_or_error(ctx, item["lang"], "lang");
        if (!valid_lang(term.lang)) {
          ctx.error(item["lang"].Mark(), fmt::format("ongeldige taalcode '{}' (bijvoorbeeld: en, grc, la)", term.lang));
          term.lang.clear();
        }
      }
    } else {
      term.text = trim(scalar_or_error(ctx, item, "aliases"));
    }
    if (!term.text.empty()) {
      out.push_back(term);
      if (positions) positions->push_back(ctx.position(item.Mark()));
    }
  }
  return out;
}

// `blob_id`, when given, receives the git blob id of the bytes read.
std::string read_file(const fs::path& path, const std::string& display, Diagnostics& diagnostics, bool& ok,
                      std::string* blob_id = nullptr) {
  ok = false;
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) {
    diagnostics.error(display, 0, 0, fmt::format("kan bestand niet lezen: {}", ec.message()));
    return {};
  }
  if (size > max_file_bytes) {
    diagnostics.error(display, 0, 0,
                      fmt::format("bestand is te groot ({} bytes; de grens is {} bytes)", size, max_file_bytes));
    return {};
  }
  // Plain POSIX reads into a string of the right size: no stream buffers for ten thousand files.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    diagnostics.error(display, 0, 0, "kan bestand niet openen");
    return {};
  }
  std::string raw(size, '\0');
  std::size_t got = 0;
  while (got < raw.size()) {
    ssize_t n = ::read(fd, raw.data() + got, raw.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  raw.resize(got);  // a file that shrank while being read is read as it was
  if (blob_id) *blob_id = git_blob_id(raw);
  std::string text = normalise_newlines(std::move(raw));
  if (text.find('\0') != std::string::npos) {
    diagnostics.error(display, 1, 1, "binair bestand: verwacht UTF-8-tekst");
    return {};
  }
  if (auto bad = find_invalid_utf8(text); bad != std::string::npos) {
    int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n'));
    auto line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    line_start = (line_start == std::string::npos || bad == 0) ? 0 : line_start + 1;
    int column = 1 + static_cast<int>(count_code_points(std::string_view(text).substr(line_start, bad - line_start)));
    diagnostics.error(display, line, column, "ongeldige UTF-8 in het bestand");
    return {};
  }
  ok = true;
  return text;
}

std::optional<YAML::Node> load_yaml(const YamlContext& ctx, const std::string& yaml) {
  try {
    return YAML::Load(yaml);
  } catch (const YAML::DeepRecursion& e) {  // its own message is only "bad file"
    ctx.error(e.mark, fmt::format("YAML-fout: te diep genest (meer dan {} niveaus)", e.depth()));
  } catch (const YAML::ParserException& e) {
    ctx.error(e.mark, fmt::format("YAML-fout: {}", e.msg));
  } catch (const YAML::Exception& e) {
    ctx.error(e.mark, fmt::format("YAML-fout: {}", e.msg));
  }
  return std::nullopt;
}

void warn_unknown_fields(const YamlContext& ctx, const YAML::Node& root, const std::vector<std::string>& known) {
  for (const auto& kv : root) {
    if (!kv.first.IsScalar()) {
      ctx.error(kv.first.Mark(), "veldnaam moet tekst zijn");
      continue;
    }
    const std::string& key = kv.first.Scalar();
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string guess = nearest(key, known, 3);
    ctx.warning(kv.first.Mark(), guess.empty() ? fmt::format("onbekend veld '{}'", key)
                                               : fmt::format("onbekend veld '{}'; bedoeld: '{}'?", key, guess));
  }
}

bool valid_slug(const std::string& slug) { return !slug.empty() && slugify(slug) == slug; }

// Lists regular files with `extension` in dir, refusing symlinks that loop or leave the content tree.
std::vector<fs::path> list_files(const fs::path& dir, const fs::path& root, const std::string& display_root,
                                 const std::string& extension, Diagnostics& diagnostics) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  auto canonical_root = fs::canonical(root, ec);
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& path = it->path();
    std::string name = path.filename().string();
    if (!name.empty() && name[0] == '.') continue;  // editor swap files, .gitkeep
    if (it->is_symlink(ec)) {
      // lexically: fs::relative follows symlinks, which would hide the name of a looping or escaping link.
      std::string display = display_root + "/" + path.lexically_relative(root).generic_string();
      std::error_code cec;
      auto target = fs::canonical(path, cec);
      if (cec) {
        diagnostics.error(display, 0, 0, fmt::format("symbolische link kan niet worden gevolgd: {}", cec.message()));
        continue;
      }
      auto rel = target.lexically_relative(canonical_root);
      if (rel.empty() || *rel.begin() == "..") {
        diagnostics.error(display, 0, 0, "symbolische link wijst buiten de map content/");
        continue;
      }
    }
    if (!extension.empty() && path.extension() != extension) continue;
    if (!it->is_regular_file(ec)) continue;  // the directory entry's own type: no stat but for symlinks
    out.push_back(path);
  }
  if (ec) diagnostics.error(display_root, 0, 0, fmt::format("kan map niet lezen: {}", ec.message()));
  // All in one folder, so their whole strings order them as paths do, without path's per-component
  // comparison (a fifth of loading an edit at 10,000 entries).
  std::sort(out.begin(), out.end(), [](const fs::path& a, const fs::path& b) { return a.native() < b.native(); });
  return out;
}

void load_config(const fs::path& root, const std::string& display_root, Corpus& corpus, Diagnostics& diagnostics) {
  std::string display = display_root + "/lexicon.yaml";
  if (!fs::exists(root / "lexicon.yaml")) {
    diagnostics.error(display, 0, 0, "lexicon.yaml ontbreekt");
    return;
  }
  bool ok;
  std::string text = read_file(root / "lexicon.yaml", display, diagnostics, ok);
  if (!ok) return;
  YamlContext ctx{display, text, 1, diagnostics};
  auto doc = load_yaml(ctx, text);
  if (!doc) return;
  if (!doc->IsMap()) {
    ctx.error(doc->Mark(), "lexicon.yaml moet velden bevatten (title, base_url, ...)");
    return;
  }
  warn_unknown_fields(ctx, *doc, {"title", "subtitle", "base_url", "language", "licence", "editors", "az_per_letter_from"});
  auto& c = corpus.config;
  if ((*doc)["title"]) c.title = scalar_or_error(ctx, (*doc)["title"], "title");
  else diagnostics.error(display, 1, 1, "verplicht veld 'title' ontbreekt");
  if ((*doc)["subtitle"]) c.subtitle = scalar_or_error(ctx, (*doc)["subtitle"], "subtitle");
  if ((*doc)["language"]) c.language = scalar_or_error(ctx, (*doc)["language"], "language");
  if ((*doc)["licence"]) c.licence = scalar_or_error(ctx, (*doc)["licence"], "licence");
  if ((*doc)["editors"]) c.editors = string_list(ctx, (*doc)["editors"], "editors", nullptr);
  if (const YAML::Node from = (*doc)["az_per_letter_from"]) {
    long long n = -1;  // stays so for anything but a whole number
    try {
      n = from.as<long long>();
    } catch (const YAML::Exception&) {
    }
    if (n >= 0) c.az_per_letter_from = static_cast<std::size_t>(n);
    else ctx.error(from.Mark(), "'az_per_letter_from' moet een geheel getal van 0 of meer zijn (het aantal begrippen vanaf waar A–Z een pagina per letter krijgt)");
  }
  if ((*doc)["base_url"]) {
    c.base_url = scalar_or_error(ctx, (*doc)["base_url"], "base_url");
    if (c.base_url.empty() || c.base_url.back() != '/') c.base_url += '/';
  }
  c.base_path = base_path_of(c.base_url);
}

void load_themes(const fs::path& root, const std::string& display_root, Corpus& corpus, Diagnostics& diagnostics) {
  std::string display = display_root + "/themas.yaml";
  if (!fs::exists(root / "themas.yaml")) return;
  bool ok;
  std::string text = read_file(root / "themas.yaml", display, diagnostics, ok);
  if (!ok) return;
  YamlContext ctx{display, text, 1, diagnostics};
  auto doc = load_yaml(ctx, text);
  if (!doc || doc->IsNull()) return;
  if (!doc->IsMap()) {
    ctx.error(doc->Mark(), "themas.yaml moet per thema-slug een naam en beschrijving geven");
    return;
  }
  for (const auto& kv : *doc) {
    Theme theme;
    theme.slug = scalar_or_error(ctx, kv.first, "thema");
    if (!valid_slug(theme.slug)) {
      ctx.error(kv.first.Mark(), fmt::format("ongeldige thema-slug '{}'; gebruik '{}'", theme.slug, slugify(theme.slug)));
      continue;
    }
    const auto& v = kv.second;
    if (!v.IsMap()) {
      ctx.error(v.Mark(), "een thema heeft de velden name, description en order");
      continue;
    }
    warn_unknown_fields(ctx, v, {"name", "description", "order"});
    if (v["name"]) theme.name = scalar_or_error(ctx, v["name"], "name");
    else ctx.error(v.Mark(), "verplicht veld 'name' ontbreekt");
    if (v["description"]) theme.description = trim(scalar_or_error(ctx, v["description"], "description"));
    if (v["order"]) {
      try {
        theme.order = v["order"].as<int>();
      } catch (const YAML::Exception&) {
        ctx.error(v["order"].Mark(), "'order' moet een geheel getal zijn");
      }
    }
    corpus.themes.push_back(theme);
  }
  std::sort(corpus.themes.begin(), corpus.themes.end(),
            [](const Theme& a, const Theme& b) { return std::tie(a.order, a.slug) < std::tie(b.order, b.slug); });
}

void load_sources(const fs::path& root, const std::string& display_root, Corpus& corpus, Diagnostics& diagnostics) {
  std::string display = display_root + "/bronnen.yaml";
  if (!fs::exists(root / "bronnen.yaml")) return;
  bool ok;
  std::string text = read_file(root / "bronnen.yaml", display, diagnostics, ok);
  if (!ok) return;
  YamlContext ctx{display, text, 1, diagnostics};
  auto doc = load_yaml(ctx, text);
  if (!doc || doc->IsNull()) return;
  if (!doc->IsMap()) {
    ctx.error(doc->Mark(), "bronnen.yaml moet per sleutel een bron beschrijven");
    return;
  }
  const std::vector<std::string> fields = {"authors", "year", "title", "container", "publisher", "place", "pages",
                                           "volume", "issue", "url", "doi", "type", "note"};
  for (const auto& kv : *doc) {
    Source s;
    s.key = scalar_or_error(ctx, kv.first, "sleutel");
    const auto& v = kv.second;
    if (!v.IsMap()) {
      ctx.error(v.Mark(), fmt::format("bron '{}' moet velden hebben (authors, year, title, ...)", s.key));
      continue;
    }
    warn_unknown_fields(ctx, v, fields);
    auto text_field = [&](const char* name, std::string& out) {
      if (v[name]) out = trim(scalar_or_error(ctx, v[name], name));
    };
    if (v["authors"]) s.authors = string_list(ctx, v["authors"], "authors", nullptr);
    text_field("year", s.year);
    text_field("title", s.title);
    text_field("container", s.container);
    text_field("publisher", s.publisher);
    text_field("place", s.place);
    text_field("pages", s.pages);
    text_field("volume", s.volume);
    text_field("issue", s.issue);
    text_field("url", s.url);
    text_field("doi", s.doi);
    text_field("type", s.type);
    text_field("note", s.note);
    if (s.title.empty()) ctx.error(v.Mark(), fmt::format("bron '{}' mist het veld 'title'", s.key));
    if (!s.url.empty() && !s.url.starts_with("http://") && !s.url.starts_with("https://")) {
      ctx.error(v["url"].Mark(), "'url' moet beginnen met http:// of https://");
      s.url.clear();
    }
    corpus.sources.push_back(std::move(s));
  }
  std::sort(corpus.sources.begin(), corpus.sources.end(), [](const Source& a, const Source& b) { return a.key < b.key; });
}

void load_documents(const fs::path& root, const std::string& display_root, const std::string& folder, bool is_entry,
                    int jobs, const ReuseDocument& reuse, std::vector<Document>& out, Diagnostics& diagnostics) {
  struct Job {
    fs::path path;
    std::string display, slug;
  };
  std::vector<Job> work;
  std::map<std::string, std::string> seen;  // slug -> display path
  for (const auto& path : list_files(root / folder, root, display_root, ".md", diagnostics)) {
    std::string display = display_root + "/" + folder + "/" + path.filename().string();
    std::string stem = path.stem().string();
    std::string slug = slugify(stem);
    if (slug.empty()) {
      diagnostics.error(display, 0, 0, "ongeldige bestandsnaam: gebruik kleine letters, cijfers en streepjes");
      continue;
    }
    if (slug != stem) {
      diagnostics.error(display, 0, 0,
                        fmt::format("ongeldige bestandsnaam; hernoem naar '{}.md' (kleine letters, cijfers, streepjes)", slug));
    }
    if (auto it = seen.find(slug); it != seen.end()) {
      diagnostics.error(display, 0, 0, fmt::format("dubbele slug '{}': ook {}", slug, it->second));
      continue;
    }
    seen[slug] = display;
    if (slug != stem) continue;
    work.push_back({path, display, slug});
  }
  // Reading and YAML parsing are independent per file: spread them over the cores, then keep
  // the listing order (and each file's diagnostics) as if read one by one. Documents are made in place
  // in `out` (a file that cannot be read leaves an empty slot, removed below): at 10,000 entries a
  // vector of them built on the side and moved over was megabytes touched twice.
  const std::size_t first = out.size();
  out.resize(first + work.size());
  std::vector<std::uint8_t> loaded(work.size(), 0);
  std::vector<Diagnostics> local(work.size());
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next++) < work.size();) {
      if (reuse) {
        if (auto known = reuse(work[i].display)) {
          out[first + i] = std::move(known->document);
          local[i].items = std::move(known->diagnostics);
          loaded[i] = 1;
          continue;
        }
      }
      bool ok;
      std::string hash;
      std::string text = read_file(work[i].path, work[i].display, local[i], ok, &hash);
      if (ok) {
        out[first + i] = parse_document(work[i].display, work[i].slug, std::move(text), is_entry, local[i]);
        out[first + i].hash = std::move(hash);
        loaded[i] = 1;
      }
    }
  };
  std::vector<std::thread> threads;
  int workers = std::min<int>(std::max(1, jobs), static_cast<int>(work.size()));
  for (int t = 1; t < workers; ++t) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  std::size_t kept = first;
  for (std::size_t i = 0; i < work.size(); ++i) {
    for (auto& item : local[i].items) diagnostics.items.push_back(std::move(item));
    if (!loaded[i]) continue;
    if (kept != first + i) out[kept] = std::move(out[first + i]);
    ++kept;
  }
  out.resize(kept);
}

}  // namespace

std::string base_path_of(const std::string& base_url) {
  std::string path = base_url;
  auto scheme = path.find("://");
  if (scheme != std::string::npos) {
    auto slash = path.find('/', scheme + 3);
    path = slash == std::string::npos ? "/" : path.substr(slash);
  }
  if (path.empty() || path[0] != '/') path = "/" + path;
  if (path.back() != '/') path += '/';
  return path;
}

Document parse_document(const std::string& display_path, const std::string& slug, std::string raw, bool is_entry,
                        Diagnostics& diagnostics) {
  Document doc;
  doc.slug = slug;
  doc.path = display_path;
  doc.text = normalise_newlines(std::move(raw));
  if (auto bad = find_invalid_utf8(doc.text); bad != std::string::npos) {
    diagnostics.error(display_path, 1, 1, "ongeldige UTF-8 in het bestand");
    doc.text.clear();
    return doc;
  }
  auto split = split_front_matter(doc.text);
  if (!split.ok) {
    diagnostics.error(display_path, split.error_line, 1, split.error, line_of(doc.text, split.error_line));
    return doc;
  }
  doc.body = split.body;
  doc.body_first_line = split.body_first_line;
  YamlContext ctx{display_path, doc.text, split.yaml_first_line, diagnostics};
  auto root = load_yaml(ctx, split.yaml);
  if (!root) return doc;
  if (!root->IsMap()) {
    diagnostics.error(display_path, split.yaml_first_line, 1, "front matter moet velden bevatten, bijvoorbeeld 'title: ...'",
                      line_of(doc.text, split.yaml_first_line));
    return doc;
  }
  warn_unknown_fields(ctx, *root, is_entry ? entry_fields : page_fields);
  for (const auto& kv : *root) {
    if (kv.first.IsScalar()) doc.field_positions[kv.first.Scalar()] = ctx.position(kv.first.Mark());
  }
  const auto& r = *root;
  const std::size_t errors_before_title = diagnostics.count(Severity::error);
  if (r["title"]) doc.title = trim(scalar_or_error(ctx, r["title"], "title"));
  // A title refused for what it holds (a list, control characters) already has its error.
  if (doc.title.empty() && diagnostics.count(Severity::error) == errors_before_title) {
    Position p = r["title"] ? ctx.position(r["title"].Mark()) : Position{split.yaml_first_line, 1};
    diagnostics.error(display_path, p.line, p.column, "verplicht veld 'title' ontbreekt of is leeg", line_of(doc.text, p.line));
  }
  if (r["title_lang"]) {
    doc.title_lang = trim(scalar_or_error(ctx, r["title_lang"], "title_lang"));
    if (!valid_lang(doc.title_lang)) {
      ctx.error(r["title_lang"].Mark(), fmt::format("ongeldige taalcode '{}' (bijvoorbeeld: en, grc, la)", doc.title_lang));
      doc.title_lang.clear();
    }
  }
  if (r["summary"]) doc.summary = trim(scalar_or_error(ctx, r["summary"], "summary"));
  if (is_entry && doc.summary.empty()) {
    Position p = r["summary"] ? ctx.position(r["summary"].Mark()) : Position{split.yaml_first_line, 1};
    diagnostics.warning(display_path, p.line, p.column, "lege samenvatting: vul 'summary' in (één of twee zinnen)",
                        line_of(doc.text, p.line));
  }
  if (r["aliases"]) doc.aliases = term_list(ctx, r["aliases"], &doc.item_positions["aliases"]);
  if (r["authors"]) doc.authors = string_list(ctx, r["authors"], "authors", nullptr);
  if (is_entry) {
    if (r["themes"]) doc.themes = string_list(ctx, r["themes"], "themes", &doc.item_positions["themes"]);
    if (r["related"]) doc.related = string_list(ctx, r["related"], "related", &doc.item_positions["related"]);
    if (r["sources"]) doc.sources = string_list(ctx, r["sources"], "sources", &doc.item_positions["sources"]);
    if (r["former_slugs"]) doc.former_slugs = string_list(ctx, r["former_slugs"], "former_slugs", nullptr);
  }
  return doc;
}

std::string display_root_of(const fs::path& content_dir) {
  std::string display_root = content_dir.generic_string();
  while (display_root.size() > 1 && display_root.back() == '/') display_root.pop_back();
  return display_root;
}

std::string read_body(const Document& document) {
  Diagnostics ignored;
  bool ok;
  std::string hash;
  std::string text = read_file(document.path, document.path, ignored, ok, &hash);
  if (!ok || hash != document.hash) {
    throw std::runtime_error(document.path + " veranderde tijdens de build; bouw opnieuw");
  }
  return split_front_matter(text).body;
}

Corpus load_corpus(const fs::path& content_dir, Diagnostics& diagnostics, int jobs, const ReuseDocument& reuse) {
  Corpus corpus;
  corpus.root = content_dir;
  const std::string display_root = display_root_of(content_dir);
  std::error_code ec;
  if (!fs::is_directory(content_dir, ec)) {
    diagnostics.error(display_root, 0, 0, "map bestaat niet");
    return corpus;
  }
  load_config(content_dir, display_root, corpus, diagnostics);
  load_themes(content_dir, display_root, corpus, diagnostics);
  load_sources(content_dir, display_root, corpus, diagnostics);
  load_documents(content_dir, display_root, "begrippen", true, jobs, reuse, corpus.entries, diagnostics);
  load_documents(content_dir, display_root, "paginas", false, jobs, reuse, corpus.pages, diagnostics);
  auto media_dir = content_dir / "media";
  if (fs::is_directory(media_dir, ec)) {
    for (fs::recursive_directory_iterator it(media_dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && !it->is_symlink(ec) && it->path().filename().string()[0] != '.') {
        corpus.media.push_back(fs::relative(it->path(), media_dir, ec).generic_string());
      }
    }
    std::sort(corpus.media.begin(), corpus.media.end());
  }
  return corpus;
}

}  // namespace lexicon
