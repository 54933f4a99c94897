#include "server.h"

#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>
#include <httplib.h>
#include <xapian.h>

#include "escape.h"
#include "search.h"
#include "templates.h"

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
  fs::path real = fs::canonical(candidate, ec);
  if (ec) return {};
  auto inside = real.lexically_relative(root);
  if (inside.empty() || *inside.begin() == "..") return {};
  if (!fs::is_regular_file(real, ec)) return {};
  return real;
}

std::string content_type_for(const fs::path& file) {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"}, {".json", "application/json"},
      {".xml", "application/xml"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
      {".jpg", "image/jpeg"}, {".jpeg", "image/jpeg"}, {".gif", "image/gif"}, {".webp", "image/webp"},
      {".txt", "text/plain; charset=utf-8"}, {".ttl", "text/turtle; charset=utf-8"},
      {".atom", "application/atom+xml"}, {".jsonld", "application/ld+json"}, {".ico", "image/x-icon"}};
  auto it = types.find(file.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

namespace {

std::string read_whole(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Reopens the index when a new generation has been swapped in (the site directory's inode changes).
class IndexHolder {
 public:
  explicit IndexHolder(ServeOptions options) : options_(std::move(options)) {}
  std::shared_ptr<Xapian::Database> get() {
    fs::path index = options_.index_dir.empty() ? options_.site_dir / ".xapian" : options_.index_dir;
    struct stat st {};
    ino_t inode = ::stat(options_.site_dir.c_str(), &st) == 0 ? st.st_ino : 0;
    std::lock_guard lock(mutex_);
    if (!db_ || inode != inode_) {
      db_ = std::make_shared<Xapian::Database>(index.string());
      inode_ = inode;
    }
    return db_;
  }

 private:
  ServeOptions options_;
  std::mutex mutex_;
  std::shared_ptr<Xapian::Database> db_;
  ino_t inode_ = 0;
};

SearchOptions options_from(const httplib::Request& req) {
  SearchOptions o;
  o.query = req.get_param_value("q");
  o.theme = req.get_param_value("thema");
  o.type = req.get_param_value("type");
  std::size_t page = 1;
  try {
    if (req.has_param("pagina")) page = std::clamp<std::size_t>(std::stoul(req.get_param_value("pagina")), 1, 1000);
  } catch (...) {
  }
  o.offset = (page - 1) * o.limit;
  return o;
}

std::string page_url(const std::string& base, const SearchOptions& o, const std::string& theme, std::size_t page) {
  std::string url = base + "zoeken/?q=" + url_encode(o.query);
  if (!theme.empty()) url += "&thema=" + url_encode(theme);
  if (!o.type.empty()) url += "&type=" + url_encode(o.type);
  if (page > 1) url += "&pagina=" + std::to_string(page);
  return url;
}

// Server-rendered results inside the site's own search page (works without JavaScript).
std::string render_search_page(const fs::path& site_dir, const Xapian::Database& db, const SearchOptions& o) {
  using kainjow::mustache::data;
  std::string shell = read_whole(site_dir / "zoeken" / "index.html");
  auto site = nlohmann::json::parse(read_whole(site_dir / ".lexicon" / "site.json"), nullptr, false);
  std::string base = site.is_object() ? site.value("base_path", "/") : "/";
  SearchResult r = search(db, o);
  data d;
  d.set("base", base);
  d.set("query", o.query);
  d.set("total", std::to_string(r.total));
  d.set("corrected", r.corrected);
  d.set("has_corrected", !r.corrected.empty());
  d.set("used_correction", r.used_correction);
  SearchOptions corrected = o;
  corrected.query = r.corrected;
  d.set("corrected_url", page_url(base, corrected, o.theme, 1));
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
    item.set("url", page_url(base, o, f.slug, 1));
    item.set("clear_url", page_url(base, o, "", 1));
    item.set("active", f.slug == o.theme);
    if (f.slug == o.theme) d.set("theme_name", f.name);
    facets.push_back(item);
  }
  d.set("facets", facets);
  d.set("has_facets", !r.facets.empty());
  std::size_t page = o.offset / o.limit + 1, pages = (r.total + o.limit - 1) / o.limit;
  d.set("page", std::to_string(page));
  d.set("pages", std::to_string(pages));
  d.set("has_pages", pages > 1);
  if (page > 1) d.set("prev_url", page_url(base, o, o.theme, page - 1));
  if (page < pages) d.set("next_url", page_url(base, o, o.theme, page + 1));
  TemplateSet set;
  set.sources["search-results"] = read_whole(site_dir / ".lexicon" / "search-results.mustache");
  CompiledTemplates compiled(set);
  std::string results = compiled.render("search-results", d);
  const std::string open = "<!--zoekresultaten-->", close = "<!--/zoekresultaten-->";
  auto a = shell.find(open), b = shell.find(close);
  if (a == std::string::npos || b == std::string::npos || b < a) return shell;
  // The query also goes into the search box, escaped by the one escaping function.
  std::string page_html = shell.substr(0, a) + results + shell.substr(b + close.size());
  const std::string box = "id=\"zoekveld-pagina\" type=\"search\" name=\"q\"";
  if (auto pos = page_html.find(box); pos != std::string::npos) {
    page_html.insert(pos + box.size(), " value=\"" + html_escape(o.query) + "\"");
  }
  return page_html;
}

}  // namespace

int run_server(const ServeOptions& options) {
  httplib::Server server;
  IndexHolder index(options);
  server.set_read_timeout(5, 0);
  server.set_write_timeout(5, 0);
  server.set_keep_alive_timeout(5);
  server.set_payload_max_length(64 * 1024);

  server.Get("/api/search", [&](const httplib::Request& req, httplib::Response& res) {
    try {
      auto db = index.get();
      res.set_content(to_json(search(*db, options_from(req))).dump(), "application/json");
    } catch (const Xapian::Error& e) {
      res.status = 503;
      res.set_content(R"({"error":"zoekindex niet beschikbaar"})", "application/json");
    }
  });
  server.Get("/zoeken/", [&](const httplib::Request& req, httplib::Response& res) {
    SearchOptions o = options_from(req);
    if (o.query.empty()) {
      res.set_content(read_whole(options.site_dir / "zoeken" / "index.html"), "text/html; charset=utf-8");
      return;
    }
    try {
      auto db = index.get();
      res.set_content(render_search_page(options.site_dir, *db, o), "text/html; charset=utf-8");
    } catch (const std::exception&) {
      res.status = 503;
      res.set_content("Zoeken is tijdelijk niet beschikbaar.", "text/plain; charset=utf-8");
    }
  });
  server.Get(R"(/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    fs::path file = resolve_request_path(options.site_dir, req.path);
    if (file.empty()) {
      res.status = 404;
      fs::path not_found = options.site_dir / "404.html";
      res.set_content(fs::exists(not_found) ? read_whole(not_found) : "Niet gevonden", "text/html; charset=utf-8");
      return;
    }
    if (fs::is_directory(options.site_dir / req.path.substr(1)) && !req.path.ends_with("/")) {
      res.set_redirect(req.path + "/", 301);
      return;
    }
    res.set_content(read_whole(file), content_type_for(file));
  });
  std::cerr << fmt::format("lexicon: site op http://{}:{}/ (Ctrl-C stopt)\n", options.host, options.port);
  if (!server.listen(options.host, options.port)) {
    std::cerr << fmt::format("lexicon: error: kan niet luisteren op {}:{}\n", options.host, options.port);
    return 2;
  }
  return 0;
}

}  // namespace lexicon
