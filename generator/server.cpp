#include "server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>
#include <sstream>

#include <fmt/format.h>
#include <httplib.h>
#include <xapian.h>

#include "connections.h"
#include "escape.h"
#include "hash.h"
#include "search.h"
#include "templates.h"
#include "text.h"
#include "watch.h"
#include "work_gate.h"

namespace fs = std::filesystem;

namespace lexicon {

fs::path resolve_request_path(const fs::path& site_dir, const std::string& request_path) {
  if (request_path.empty() || request_path[0] != '/') return {};
  if (request_path.find('\0') != std::string::npos || request_path.find('\\') != std::string::npos) return {};
  fs::path rel;
  std::size_t start = 1;
  while (start <= request_path.size()) {
    auto end = request_path.find('/', start);
    if (end == std::string::npos) end = request_path.size();
    std::string segment = request_path.substr(start, end - start);
    if (!segment.empty()) {
      if (segment[0] == '.') return {};  // dotfiles, "..", the index
      rel /= segment;
    }
    start = end + 1;
  }
  std::error_code ec;
  fs::path root = fs::canonical(site_dir, ec);
  if (ec) return {};
  fs::path candidate = root / rel;
  if (fs::is_directory(candidate, ec)) candidate /= "index.html";
  else if (request_path.back() == '/') return {};  // "file.css/" is not a directory
  fs::path real = fs::canonical(candidate, ec);
  if (ec) return {};
  auto inside = real.lexically_relative(root);
  if (inside.empty() || *inside.begin() == "..") return {};
  // A symlink inside the tree may still point at the index or a dotfile.
  for (const auto& part : inside) {
    if (part.string().starts_with(".")) return {};
  }
  if (!fs::is_regular_file(real, ec)) return {};
  return real;
}

std::string content_type_for(const fs::path& file) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"}, {".json", "application/json"},
      {".xml", "application/xml"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"}, {".webp", "image/webp"},
      {".avif", "image/avif"}, {".pdf", "application/pdf"}, {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"}, {".ttl", "text/turtle; charset=utf-8"},
      {".atom", "application/atom+xml"}, {".jsonld", "application/ld+json"}, {".ico", "image/x-icon"}};
  auto it = types.find(file.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

std::string normalize_prefix(std::string_view prefix) {
  std::string p(prefix);
  if (p.empty() || p[0] != '/') p.insert(p.begin(), '/');
  if (p.back() != '/') p += '/';
  return p;
}

std::string clean_query(std::string_view query, std::size_t max_bytes) {
  std::string out;
  std::size_t pos = 0;
  while (pos < query.size()) {
    char32_t cp = decode_utf8(query, pos);
    if (cp < 0x20 || cp == 0x7f) cp = U' ';
    std::string piece;
    append_utf8(piece, cp);
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
  }
  return trim(out);
}

std::vector<SuggestEntry> parse_suggest_index(const nlohmann::json& index) {
  std::vector<SuggestEntry> out;
  if (!index.is_array()) return out;
  for (const auto& item : index) {
    if (!item.is_object() || !item.contains("title") || !item.contains("url")) continue;
    SuggestEntry e;
    e.title = item["title"].get<std::string>();
    e.url = item["url"].get<std::string>();
    e.folded_title = fold(e.title);
    if (item.contains("aliases") && item["aliases"].is_array()) {
      for (const auto& a : item["aliases"]) {
        if (!a.is_string()) continue;
        e.aliases.push_back(a.get<std::string>());
        e.folded_aliases.push_back(fold(e.aliases.back()));
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

namespace {

// 0: the whole name starts with the prefix, 1: a later word does, -1: no match.
int prefix_rank(const std::string& folded_name, const std::string& folded_prefix) {
  if (folded_name.starts_with(folded_prefix)) return 0;
  for (std::size_t pos = 0; pos < folded_name.size();) {
    char32_t cp = decode_utf8(folded_name, pos);
    if (!is_word_char(cp) && std::string_view(folded_name).substr(pos).starts_with(folded_prefix)) return 1;
  }
  return -1;
}

}  // namespace

nlohmann::json suggest(const std::vector<SuggestEntry>& entries, std::string_view prefix, std::size_t limit) {
  std::string q = trim(fold(prefix));
  nlohmann::json out = nlohmann::json::array();
  if (q.empty()) return out;
  struct Match {
    int rank;
    std::size_t order;
    const SuggestEntry* entry;
    const std::string* alias;
  };
  std::vector<Match> matches;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i];
    int rank = prefix_rank(e.folded_title, q);
    if (rank >= 0) {
      matches.push_back({rank, i, &e, nullptr});
      continue;
    }
    // Titles rank before aliases: an alias is what the reader typed, the title is where it leads.
    for (std::size_t k = 0; k < e.folded_aliases.size(); ++k) {
      int r = prefix_rank(e.folded_aliases[k], q);
      if (r >= 0) {
        matches.push_back({2 + r, i, &e, &e.aliases[k]});
        break;
      }
    }
  }
  std::stable_sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return a.rank != b.rank ? a.rank < b.rank : a.order < b.order;
  });
  for (std::size_t i = 0; i < matches.size() && i < limit; ++i) {
    nlohmann::json item = {{"title", matches[i].entry->title}, {"url", matches[i].entry->url}};
    if (matches[i].alias) item["alias"] = *matches[i].alias;
    out.push_back(item);
  }
  return out;
}

namespace {

std::string read_whole(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct FileIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  long long mtime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};

FileIdentity identity_of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) return {};
  return {st.st_dev, st.st_ino, static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec};
}

// One generation of the site as the search side sees it: opened through a directory descriptor, so a
// swap in the middle of loading cannot mix two generations. In-flight requests keep it (and its
// databases) alive through shared_ptr after a newer generation has replaced it.
struct Generation {
  FileIdentity site_id, index_id, stub_id;
  int dir_fd = -1;
  fs::path root;        // /proc/self/fd/<dir_fd>: the pinned site directory
  fs::path index_path;  // pinned index, or the custom --index path
  bool custom_index = false;
  std::string base_path = "/";
  std::string search_shell;      // zoeken/index.html
  std::string results_template;  // .lexicon/search-results.mustache
  std::vector<SuggestEntry> suggestions;

  // Xapian::Database objects must not be used by two threads at once: one per concurrent request.
  std::mutex pool_mutex;
  std::vector<std::unique_ptr<Xapian::Database>> pool;
  // Read from the index once, shared by all its searches; read again when the index changed in place.
  std::shared_ptr<const SearchIndexData> search_data;
  std::shared_ptr<const StoredDocuments> stored;  // set by `preload` when it is done
  std::shared_ptr<const MatchBitmaps> bitmaps;    // likewise

  std::shared_ptr<const SearchIndexData> search_data_for(const Xapian::Database& db) {
    const IndexRevision index = IndexRevision::of(db);
    if (custom_index) refresh_preload(index);
    std::shared_ptr<const StoredDocuments> documents;
    std::shared_ptr<const MatchBitmaps> match_bitmaps;
    {
      std::lock_guard lock(pool_mutex);
      if (stored && stored->index != index) {
        stored = nullptr;  // a custom index changed in place since: stale
        bitmaps = nullptr;
      }
      if (search_data && search_data->index == index && search_data->documents == stored &&
          search_data->bitmaps == bitmaps) {
        return search_data;
      }
      documents = stored;
      match_bitmaps = bitmaps;
    }
    auto fresh = std::make_shared<SearchIndexData>(read_search_index_data(db));
    fresh->documents = documents;
    fresh->bitmaps = match_bitmaps;
    std::lock_guard lock(pool_mutex);
    search_data = fresh;
    return fresh;
  }

  // A custom index (a replica) changes in place: its stored fields are read again for each new
  // revision, once (the first search that sees the revision starts it; the others go on without).
  void refresh_preload(const IndexRevision& index) {
    std::unique_lock lock(preload_mutex, std::try_to_lock);
    if (!lock.owns_lock() || preload_for == index) return;
    preload_for = index;
    start_preload();  // stops and joins the previous one first
  }

  // Reads every document's stored fields and the bitmaps for counting matches in the background
  // (searches read from the index until it is done), when the stored fields fit in `preload_bytes`.
  void start_preload() {
    preload = std::jthread([this, max_bytes = preload_bytes](std::stop_token stop) {
      try {
        Xapian::Database db(index_path.string());
        auto documents = read_stored_documents(db, max_bytes, [&] { return stop.stop_requested(); });
        if (!documents || stop.stop_requested()) return;
        auto shared = std::make_shared<const StoredDocuments>(std::move(*documents));
        // The same revision as the documents: both are checked against the index a search uses.
        auto match = std::make_shared<const MatchBitmaps>(read_match_bitmaps(db, ThemeTable(db), max_bytes / 2));
        std::lock_guard lock(pool_mutex);
        stored = std::move(shared);
        bitmaps = std::move(match);
      } catch (const Xapian::Error&) {
        // No index, or it changed while being read: searches read from the index as before.
      }
    });
  }

  ~Generation() {
    preload.request_stop();
    if (preload.joinable()) preload.join();  // before the directory it reads from is let go
    if (dir_fd >= 0) ::close(dir_fd);
  }

  std::size_t preload_bytes = 0;
  std::mutex preload_mutex;                  // guards preload and preload_for after load()
  std::optional<IndexRevision> preload_for;  // the revision the last preload was started for
  std::jthread preload;
};

// A database borrowed from a generation's pool for the length of one request.
class DbLease {
 public:
  explicit DbLease(std::shared_ptr<Generation> gen) : gen_(std::move(gen)) {
    {
      std::lock_guard lock(gen_->pool_mutex);
      if (!gen_->pool.empty()) {
        db_ = std::move(gen_->pool.back());
        gen_->pool.pop_back();
      }
    }
    if (!db_) db_ = std::make_unique<Xapian::Database>(gen_->index_path.string());
    // A custom index (e.g. a replica kept current by xapian-replicate) changes in place.
    else if (gen_->custom_index) db_->reopen();
  }
  ~DbLease() {
    if (!db_) return;
    std::lock_guard lock(gen_->pool_mutex);
    gen_->pool.push_back(std::move(db_));
  }
  DbLease(const DbLease&) = delete;
  DbLease& operator=(const DbLease&) = delete;
  const Xapian::Database& db() const { return *db_; }
  void discard() { db_.reset(); }  // after an error: do not return it to the pool

 private:
  std::shared_ptr<Generation> gen_;
  std::unique_ptr<Xapian::Database> db_;
};

class GenerationHolder {
 public:
  explicit GenerationHolder(const ServeOptions& options) : options_(options) {}

  // The current generation; reloaded when the site directory (or a custom index) was replaced.
  // nullptr when the site cannot be read at all.
  std::shared_ptr<Generation> get(bool force_reload = false) {
    FileIdentity site_id = identity_of(options_.site_dir);
    site_id.mtime_ns = 0;  // the directory's mtime changes with its contents, not with a swap
    FileIdentity index_id, stub_id;
    if (!options_.index_dir.empty()) {
      index_id = identity_of(options_.index_dir);
      index_id.mtime_ns = 0;
      stub_id = identity_of(options_.index_dir / "XAPIANDB");  // replicas switch copies through this stub
    }
    std::lock_guard lock(mutex_);
    if (current_ && !force_reload && current_->site_id == site_id && current_->index_id == index_id &&
        current_->stub_id == stub_id) {
      return current_;
    }
    auto gen = load(site_id, index_id, stub_id);
    if (gen) current_ = gen;
    return current_;
  }

 private:
  std::shared_ptr<Generation> load(FileIdentity site_id, FileIdentity index_id, FileIdentity stub_id) {
    int fd = ::open(options_.site_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    auto gen = std::make_shared<Generation>();
    gen->dir_fd = fd;
    struct stat st {};
    if (::fstat(fd, &st) == 0) site_id = {st.st_dev, st.st_ino, 0};  // what we actually opened
    gen->site_id = site_id;
    gen->index_id = index_id;
    gen->stub_id = stub_id;
    gen->root = fs::path("/proc/self/fd") / std::to_string(fd);
    gen->custom_index = !options_.index_dir.empty();
    gen->index_path = gen->custom_index ? options_.index_dir : gen->root / ".xapian";
    auto site = nlohmann::json::parse(read_whole(gen->root / ".lexicon" / "site.json"), nullptr, false);
    if (site.is_object() && site.contains("base_path") && site["base_path"].is_string()) {
      gen->base_path = normalize_prefix(site["base_path"].get<std::string>());
    }
    gen->search_shell = read_whole(gen->root / "zoeken" / "index.html");
    gen->results_template = read_whole(gen->root / ".lexicon" / "search-results.mustache");
    gen->suggestions =
        parse_suggest_index(nlohmann::json::parse(read_whole(gen->root / "zoeken" / "index.json"), nullptr, false));
    gen->preload_bytes = options_.preload_bytes;
    if (gen->custom_index) {
      try {
        gen->preload_for = IndexRevision::of(Xapian::Database(gen->index_path.string()));
      } catch (const Xapian::Error&) {
        // No index yet: the first search that finds one starts reading it.
      }
    }
    gen->start_preload();
    return gen;
  }

  const ServeOptions& options_;
  std::mutex mutex_;
  std::shared_ptr<Generation> current_;
};

// Runs fn(db) against the current generation; a database that changed or vanished under us
// (DatabaseModifiedError, DatabaseOpeningError) gets one retry on a freshly loaded generation.
template <typename Fn>
auto with_database(GenerationHolder& holder, Fn&& fn) {
  for (int attempt = 0;; ++attempt) {
    auto gen = holder.get(attempt > 0);
    if (!gen) throw Xapian::DatabaseOpeningError("site niet leesbaar");
    std::optional<DbLease> lease;
    try {
      lease.emplace(gen);
      return fn(*gen, lease->db());
    } catch (const Xapian::DatabaseModifiedError&) {
      if (lease) lease->discard();
      if (attempt > 0) throw;
    } catch (const Xapian::DatabaseOpeningError&) {
      if (lease) lease->discard();
      if (attempt > 0) throw;
    }
  }
}

SearchOptions options_from(const httplib::Request& req, const ServeOptions& serve) {
  SearchOptions o;
  o.query = clean_query(req.get_param_value("q"), serve.max_query_bytes);
  o.theme = clean_query(req.get_param_value("thema"), 100);
  o.type = clean_query(req.get_param_value("type"), 20);
  if (o.type != "begrip" && o.type != "pagina" && o.type != "bron") o.type.clear();
  std::size_t page = 1;
  try {
    if (req.has_param("pagina")) page = std::clamp<std::size_t>(std::stoul(req.get_param_value("pagina")), 1, 1000);
  } catch (...) {
  }
  try {
    if (req.has_param("limit")) o.limit = std::clamp<std::size_t>(std::stoul(req.get_param_value("limit")), 1, 50);
  } catch (...) {
  }
  o.offset = (page - 1) * o.limit;
  return o;
}

std::string page_url(const std::string& base, const SearchOptions& o, const std::string& theme,
                     const std::string& type, std::size_t page) {
  std::string url = base + "zoeken/?q=" + url_encode(o.query);
  if (!theme.empty()) url += "&thema=" + url_encode(theme);
  if (!type.empty()) url += "&type=" + url_encode(type);
  if (page > 1) url += "&pagina=" + std::to_string(page);
  return url;
}

// Server-rendered results inside the site's own search page (works without JavaScript).
std::string render_search_page(const Generation& gen, const SearchResult& r, const SearchOptions& o) {
  using kainjow::mustache::data;
  const std::string& base = gen.base_path;
  data d;
  d.set("base", base);
  d.set("query", o.query);
  d.set("shown_query", r.used_correction ? r.corrected : o.query);
  d.set("total", std::to_string(r.total));
  d.set("one_result", r.total == 1);
  d.set("corrected", r.corrected);
  d.set("has_corrected", !r.corrected.empty());
  d.set("used_correction", r.used_correction);
  SearchOptions corrected = o;
  corrected.query = r.corrected;
  d.set("corrected_url", page_url(base, corrected, o.theme, o.type, 1));
  data hits(data::type::list);
  for (const auto& h : r.hits) {
    data item;
    item.set("title", h.title);
    item.set("url", h.url);
    item.set("type", h.type);
    item.set("summary", h.summary);
    item.set("snippet_html", h.snippet_html);
    data themes(data::type::list);
    for (const auto& t : h.themes) {
      data th;
      th.set("name", t.name);
      th.set("url", page_url(base, o, t.slug, o.type, 1));
      themes.push_back(th);
    }
    item.set("themes", themes);
    item.set("has_themes", !h.themes.empty());
    hits.push_back(item);
  }
  d.set("hits", hits);
  d.set("has_hits", !r.hits.empty());
  d.set("first", std::to_string(o.offset + 1));
  data facets(data::type::list);
  for (const auto& f : r.facets) {
    data item;
    item.set("name", f.name);
    item.set("count", std::to_string(f.count));
    item.set("url", page_url(base, o, f.slug, o.type, 1));
    item.set("clear_url", page_url(base, o, "", o.type, 1));
    item.set("active", f.slug == o.theme);
    if (f.slug == o.theme) d.set("theme_name", f.name);
    facets.push_back(item);
  }
  d.set("facets", facets);
  d.set("has_facets", !r.facets.empty());
  data types(data::type::list);
  for (auto [slug, label] : std::initializer_list<std::pair<const char*, const char*>>{
           {"", "Alles"}, {"begrip", "Begrippen"}, {"pagina", "Pagina's"}, {"bron", "Bronnen"}}) {
    data item;
    item.set("label", label);
    item.set("url", page_url(base, o, o.theme, slug, 1));
    item.set("active", o.type == slug);
    types.push_back(item);
  }
  d.set("types", types);
  d.set("filtered", !o.theme.empty() || !o.type.empty());
  d.set("unfiltered_url", page_url(base, o, "", "", 1));
  std::size_t page = o.offset / o.limit + 1, pages = (r.total + o.limit - 1) / o.limit;
  d.set("page", std::to_string(page));
  d.set("pages", std::to_string(pages));
  d.set("has_pages", pages > 1);
  if (page > 1) d.set("prev_url", page_url(base, o, o.theme, o.type, page - 1));
  if (page < pages) d.set("next_url", page_url(base, o, o.theme, o.type, page + 1));
  TemplateSet set;
  set.sources["search-results"] = gen.results_template;
  CompiledTemplates compiled(set);
  std::string results = compiled.render("search-results", d);
  const std::string& shell = gen.search_shell;
  const std::string open = "<!--zoekresultaten-->", close = "<!--/zoekresultaten-->";
  auto a = shell.find(open), b = shell.find(close);
  if (a == std::string::npos || b == std::string::npos || b < a) return shell;
  // The query also goes into the search boxes, escaped by the one escaping function.
  std::string page_html = shell.substr(0, a) + results + shell.substr(b + close.size());
  for (const std::string box : {"id=\"zoekveld-pagina\" type=\"search\" name=\"q\"", "id=\"zoekveld\" type=\"search\" name=\"q\""}) {
    if (auto pos = page_html.find(box); pos != std::string::npos) {
      page_html.insert(pos + box.size(), " value=\"" + html_escape(o.query) + "\"");
    }
  }
  // The page title says what was searched for.
  if (auto t = page_html.find("<title>"); t != std::string::npos) {
    page_html.insert(t + 7, html_escape(o.query) + " – ");
  }
  return page_html;
}

// The site's search page with `section_html` in place of its results, and `title` before its title;
// "" when the page is missing or has no results region.
std::string page_with_section(const std::string& shell, const std::string& title, const std::string& section_html) {
  const std::string open = "<!--zoekresultaten-->", close = "<!--/zoekresultaten-->";
  auto a = shell.find(open), b = shell.find(close);
  if (a == std::string::npos || b == std::string::npos || b < a) return {};
  std::string page = shell.substr(0, a) + section_html + shell.substr(b + close.size());
  if (auto t = page.find("<title>"); t != std::string::npos) page.insert(t + 7, html_escape(title) + " – ");
  return page;
}

std::string http_date(std::time_t t) {
  std::tm tm {};
  ::gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::optional<std::time_t> parse_http_date(const std::string& s) {
  std::tm tm {};
  const char* end = ::strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end) return std::nullopt;
  return ::timegm(&tm);
}

bool etag_matches(const std::string& header, const std::string& etag) {
  if (header.find('*') != std::string::npos) return true;
  // Weak comparison: W/"x" and "x" are the same validator (a gzip proxy may have weakened it).
  return header.find(etag.substr(2)) != std::string::npos;
}

bool compressible(const std::string& type) {
  return type.starts_with("text/") || type == "application/json" || type == "application/xml" || type == "image/svg+xml";
}

// Percent-encodes a path for a Location header (keeps '/').
std::string encode_path(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace

static ConnectionLimits connection_limits(const ServeOptions& o) {
  ConnectionLimits l;
  l.request_timeout = std::chrono::seconds(o.request_timeout_seconds);
  l.max_connections = o.max_connections;
  // Each open page holds a worker for its /_live/events stream in watch mode (a local editing tool):
  // leave room for many open tabs besides the ordinary requests.
  l.max_workers = o.live ? std::max<std::size_t>(o.max_workers, 256) : o.max_workers;
  return l;
}

struct Server::Impl {
  ServeOptions options;
  GenerationHolder generations{options};
  ConnectionServer http{connection_limits(options)};
  WorkGate search_gate{options.search_threads};
  int port = -1;

  explicit Impl(ServeOptions o) : options(std::move(o)) {
    if (options.prefix) options.prefix = normalize_prefix(*options.prefix);
    http.set_read_timeout(options.timeout_seconds, 0);
    http.set_write_timeout(options.timeout_seconds, 0);
    http.set_keep_alive_timeout(options.timeout_seconds);
    http.set_keep_alive_max_count(100);
    http.set_payload_max_length(64 * 1024);  // the server takes no request bodies
    // Headers and body go out in separate writes; without TCP_NODELAY, Nagle plus the client's delayed
    // ACK adds ~40 ms to every keep-alive response.
    http.set_tcp_nodelay(true);
    http.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      res.status = 503;
      res.set_content("Tijdelijk niet beschikbaar.\n", "text/plain; charset=utf-8");
    });
    http.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) { return error_page(req, res); }));
  }

  // Errors httplib answers itself (414 for a URL over 8 KiB, 400, 413) come without a body, and for
  // 414/400 without a parsed path: a calm Dutch answer, JSON under /api/, otherwise in the site's look.
  httplib::Server::HandlerResponse error_page(const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // our own answer stands
    std::string path = req.path.empty() ? request_line_path(ConnectionServer::current_request_line()) : req.path;
    auto gen = generations.get();
    std::string prefix = options.prefix ? *options.prefix : gen ? gen->base_path : "/";
    std::string rel = path.starts_with(prefix) ? path.substr(prefix.size() - 1) : path;
    res.set_header("Cache-Control", "no-cache");
    if (res.status == 404) {
      not_found(res, rel);
      return httplib::Server::HandlerResponse::Handled;
    }
    bool searching = rel == "/zoeken/" || rel == "/api/search" || rel == "/api/suggest";
    std::string base = html_escape(gen ? gen->base_path : prefix);
    std::string way_on = "Zoek opnieuw in het vak hierboven, of blader in de lijst van <a href=\"" + base +
                         "a-z/\">alle begrippen van A tot Z</a>.";
    std::string title, text_html, json_error;
    if (res.status == 414) {
      title = searching ? "Deze zoekvraag is te lang" : "Dit adres is te lang";
      json_error = searching ? "zoekvraag te lang" : "adres te lang";
      text_html = searching ? "Het adres van deze zoekopdracht is langer dan 8 kB; zoveel tekst neemt de server niet "
                              "aan. Van een zoekvraag tellen alleen de eerste 512 bytes mee, dus een paar woorden is "
                              "genoeg. "
                            : "Dit adres is langer dan 8 kB; zo lang is geen adres in dit lexicon. ";
    } else {
      title = res.status == 400 ? "Deze aanvraag is niet te lezen" : "Dit is niet gelukt";
      json_error = res.status == 400 ? "ongeldige aanvraag" : "aanvraag niet verwerkt";
      text_html = "Begin opnieuw op de <a href=\"" + base + "\">voorpagina</a>. ";
    }
    text_html += way_on;
    res.set_header("X-Content-Type-Options", "nosniff");
    if (rel.starts_with("/api/")) {
      res.set_content(nlohmann::json{{"error", json_error}}.dump(), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    }
    std::string section = "<section class=\"results\" aria-labelledby=\"resultaten-kop\">\n<h2 id=\"resultaten-kop\">" +
                          html_escape(title) + "</h2>\n<div class=\"empty\">\n  <p>" + text_html + "</p>\n</div>\n</section>";
    std::string html = gen ? page_with_section(gen->search_shell, title, section) : "";
    if (html.empty()) res.set_content(title + ".\n", "text/plain; charset=utf-8");
    else res.set_content(html, "text/html; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  }

  void not_found(httplib::Response& res, const std::string& rel) {
    res.status = 404;
    if (rel.starts_with("/api/")) {
      res.set_content(R"({"error":"niet gevonden"})", "application/json");
      return;
    }
    fs::path page = options.site_dir / "404.html";
    std::error_code ec;
    res.set_content(fs::is_regular_file(page, ec) ? read_whole(page) : "Niet gevonden\n", "text/html; charset=utf-8");
  }

  void handle(const httplib::Request& req, httplib::Response& res) {
    auto gen = generations.get();
    std::string prefix = options.prefix ? *options.prefix : gen ? gen->base_path : "/";
    const std::string& path = req.path;
    if (!path.starts_with(prefix)) {
      // "/" and "/lexicon" lead to the site; everything else outside the prefix does not exist.
      if (path == "/" || path + "/" == prefix) {
        res.set_redirect(prefix, 302);
        return;
      }
      not_found(res, path);
      return;
    }
    std::string rel = path.substr(prefix.size() - 1);  // keeps the leading '/'
    res.set_header("X-Content-Type-Options", "nosniff");
    if (options.live && rel == "/_live/events") return serve_live_events(options.live, res);
    if (rel == "/api/search") return api_search(req, res);
    if (rel == "/api/suggest") return api_suggest(req, res, gen);
    if (rel.starts_with("/api/")) return not_found(res, rel);
    if (rel == "/zoeken/" && !clean_query(req.get_param_value("q"), options.max_query_bytes).empty()) {
      return search_page(req, res);
    }
    serve_file(req, res, rel, prefix);
  }

  void api_search(const httplib::Request& req, httplib::Response& res) {
    SearchOptions o = options_from(req, options);
    res.set_header("Cache-Control", "no-cache");
    res.set_header("Access-Control-Allow-Origin", "*");
    try {
      WorkGate::Pass pass(search_gate);
      auto json = with_database(generations, [&](Generation& gen, const Xapian::Database& db) {
        return to_json(search(db, o, gen.search_data_for(db).get()));
      });
      res.set_content(json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
    } catch (const Xapian::Error&) {
      res.status = 503;
      res.set_content(R"({"error":"zoekindex niet beschikbaar"})", "application/json");
    }
  }

  void api_suggest(const httplib::Request& req, httplib::Response& res, const std::shared_ptr<Generation>& gen) {
    res.set_header("Cache-Control", "no-cache");
    res.set_header("Access-Control-Allow-Origin", "*");
    std::string q = clean_query(req.get_param_value("q"), 100);
    nlohmann::json list = gen ? suggest(gen->suggestions, q) : nlohmann::json::array();
    res.set_content(list.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), "application/json");
  }

  void search_page(const httplib::Request& req, httplib::Response& res) {
    SearchOptions o = options_from(req, options);
    res.set_header("Cache-Control", "no-cache");
    try {
      WorkGate::Pass pass(search_gate);
      auto html = with_database(generations, [&](Generation& gen, const Xapian::Database& db) {
        return render_search_page(gen, search(db, o, gen.search_data_for(db).get()), o);
      });
      res.set_content(html, "text/html; charset=utf-8");
    } catch (const Xapian::Error&) {
      res.status = 503;
      res.set_content("Zoeken is tijdelijk niet beschikbaar. Probeer het over een ogenblik opnieuw.\n",
                      "text/plain; charset=utf-8");
    }
  }

  void serve_file(const httplib::Request& req, httplib::Response& res, const std::string& rel, const std::string& prefix) {
    fs::path file = resolve_request_path(options.site_dir, rel);
    if (file.empty()) return not_found(res, rel);
    if (!rel.ends_with("/") && file.filename() == "index.html" && !rel.ends_with("/index.html")) {
      std::string location = prefix + encode_path(rel.substr(1)) + "/";
      res.set_redirect(location, 301);
      return;
    }
    // Opened by path for every request, so a new generation is visible at once; fstat on the same
    // descriptor keeps validators and body consistent.
    int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return not_found(res, rel);
    struct stat st {};
    std::string body;
    if (::fstat(fd, &st) == 0) {
      body.resize(static_cast<std::size_t>(st.st_size));
      std::size_t got = 0;
      while (got < body.size()) {
        ssize_t n = ::read(fd, body.data() + got, body.size() - got);
        if (n <= 0) break;
        got += static_cast<std::size_t>(n);
      }
      body.resize(got);
    }
    ::close(fd);
    std::string type = content_type_for(file);
    // From the bytes, not the file's stat: builds are byte-identical, so a page a browser holds stays
    // valid across rebuilds (also --clean ones, which give every file a new inode and time).
    std::string etag = fmt::format("W/\"{:x}-{:016x}\"", body.size(), Hasher().add(body).value());
    res.set_header("ETag", etag);
    res.set_header("Last-Modified", http_date(st.st_mtim.tv_sec));
    if (compressible(type)) res.set_header("Vary", "Accept-Encoding");
    // HTML must be revalidated (it changes with every build); assets may be reused for an hour.
    res.set_header("Cache-Control", type.starts_with("text/html") ? "no-cache" : "public, max-age=3600");
    bool not_modified = false;
    if (req.has_header("If-None-Match")) {
      not_modified = etag_matches(req.get_header_value("If-None-Match"), etag);
    } else if (req.has_header("If-Modified-Since")) {
      auto since = parse_http_date(req.get_header_value("If-Modified-Since"));
      not_modified = since && st.st_mtim.tv_sec <= *since;
    }
    if (not_modified) {
      res.status = 304;
      return;
    }
    if (options.live && type.starts_with("text/html")) body = inject_live_script(std::move(body), prefix, options.live->version());
    res.set_content(std::move(body), type);
  }
};

Server::Server(ServeOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() = default;

int Server::bind() {
  if (impl_->options.port == 0) {
    impl_->port = impl_->http.bind_to_any_port(impl_->options.host);
  } else {
    impl_->port = impl_->http.bind_to_port(impl_->options.host, impl_->options.port) ? impl_->options.port : -1;
  }
  return impl_->port;
}

bool Server::listen() { return impl_->http.serve(); }

void Server::stop() { impl_->http.stop(); }

std::optional<IndexRevision> Server::preloaded_index() {
  auto gen = impl_->generations.get();
  if (!gen) return std::nullopt;
  std::lock_guard lock(gen->pool_mutex);
  if (!gen->stored) return std::nullopt;
  return gen->stored->index;
}

int run_server(const ServeOptions& options) {
  Server server(options);
  int port = server.bind();
  if (port < 0) {
    std::cerr << fmt::format("lexicon: error: kan niet luisteren op {}:{}\n", options.host, options.port);
    return 2;
  }
  std::string prefix = options.prefix ? normalize_prefix(*options.prefix) : "";
  if (prefix.empty()) {
    auto site = nlohmann::json::parse(read_whole(options.site_dir / ".lexicon" / "site.json"), nullptr, false);
    prefix = site.is_object() && site.contains("base_path") ? normalize_prefix(site.value("base_path", "/")) : "/";
  }
  std::cerr << fmt::format("lexicon: site op http://{}:{}{} (Ctrl-C stopt)\n", options.host, port, prefix);
  return server.listen() ? 0 : 2;
}

}  // namespace lexicon
