#pragma once
// Building fixture lexicons into temp dirs, and walking the links of a built site.
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "build.h"
#include "diagnostics.h"
#include "test_util.h"

namespace testutil {

inline fs::path source_dir() { return fs::path(LEXICON_SOURCE_DIR); }
inline fs::path fixtures_dir() { return fs::path(LEXICON_FIXTURES_DIR); }
inline fs::path templates_dir() { return source_dir() / "templates"; }

// Copies fixture `name` to <tmp>/content and builds it into <tmp>/<site>.
inline lexicon::BuildReport build_copy(const TempDir& tmp, const std::string& name, const std::string& site = "site",
                                       bool copy = true) {
  if (copy) copy_tree(fixtures_dir() / name / "content", tmp / "content");
  lexicon::BuildOptions o;
  o.content_dir = tmp / "content";
  o.site_dir = tmp / site;
  o.templates_dir = templates_dir();
  o.jobs = 2;
  return lexicon::run_build(o, false);
}

inline std::string all_diagnostics(const lexicon::BuildReport& r) {
  return lexicon::format_all(r.diagnostics, lexicon::DiagnosticFormat::text);
}

inline std::string html_unescape(std::string s) {
  const std::pair<const char*, const char*> entities[] = {{"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"},
                                                          {"&amp;", "&"}};
  for (const auto& [from, to] : entities) {
    std::string f = from;
    for (std::size_t p; (p = s.find(f)) != std::string::npos;) s.replace(p, f.size(), to);
  }
  return s;
}

inline std::vector<std::string> attribute_values(const std::string& html, const std::string& attr) {
  std::vector<std::string> out;
  std::regex re("\\s" + attr + "=\"([^\"]*)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), re), end; it != end; ++it) out.push_back(html_unescape((*it)[1]));
  return out;
}

// Every link target of a page: href, src, and meta refresh URLs.
inline std::vector<std::string> links_of(const std::string& html) {
  auto out = attribute_values(html, "href");
  for (auto& s : attribute_values(html, "src")) out.push_back(s);
  std::regex refresh("http-equiv=\"refresh\" content=\"\\d+; url=([^\"]*)\"");
  for (std::sregex_iterator it(html.begin(), html.end(), refresh), end; it != end; ++it) out.push_back(html_unescape((*it)[1]));
  return out;
}

struct LinkProblem {
  std::string page;
  std::string link;
  std::string why;
};

// Checks every internal link of every .html file under `site`. Internal = starting with `base_path`
// or with `base_url` (absolute). External http(s)/mailto links are skipped. Returns the problems.
inline std::vector<LinkProblem> walk_links(const fs::path& site, const std::string& base_url, const std::string& base_path,
                                           std::size_t* checked = nullptr) {
  std::vector<LinkProblem> problems;
  std::map<std::string, std::set<std::string>> ids_cache;
  auto ids_of = [&](const std::string& rel) -> const std::set<std::string>& {
    auto it = ids_cache.find(rel);
    if (it != ids_cache.end()) return it->second;
    auto values = attribute_values(read_file(site / rel), "id");
    return ids_cache[rel] = std::set<std::string>(values.begin(), values.end());
  };
  std::size_t count = 0;
  for (auto it = fs::recursive_directory_iterator(site); it != fs::recursive_directory_iterator(); ++it) {
    if (it->path().filename() == ".xapian") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file() || it->path().extension() != ".html") continue;
    std::string page = fs::relative(it->path(), site).generic_string();
    std::string html = read_file(it->path());
    std::string page_dir = page.substr(0, page.rfind('/') == std::string::npos ? 0 : page.rfind('/') + 1);
    for (const auto& link : links_of(html)) {
      std::string path, fragment;
      auto hash = link.find('#');
      std::string before = hash == std::string::npos ? link : link.substr(0, hash);
      if (hash != std::string::npos) fragment = link.substr(hash + 1);
      auto query = before.find('?');
      if (query != std::string::npos) before = before.substr(0, query);
      std::string target;  // relative to site root
      if (link.empty()) {
        problems.push_back({page, link, "empty link"});
        continue;
      } else if (link[0] == '#') {
        target = page;
      } else if (before.rfind(base_url, 0) == 0) {
        target = before.substr(base_url.size());
      } else if (before.rfind(base_path, 0) == 0) {
        target = before.substr(base_path.size());
      } else if (before.rfind("http://", 0) == 0 || before.rfind("https://", 0) == 0 || before.rfind("mailto:", 0) == 0) {
        continue;  // external
      } else if (!before.empty() && before[0] == '/') {
        problems.push_back({page, link, "absolute path outside the base path"});
        continue;
      } else {
        target = (fs::path(page_dir) / before).lexically_normal().generic_string();
      }
      ++count;
      fs::path file = site / target;
      if (target.empty() || target.back() == '/' || fs::is_directory(file)) file /= "index.html";
      if (!fs::is_regular_file(file)) {
        problems.push_back({page, link, "target file missing: " + fs::relative(file, site).generic_string()});
        continue;
      }
      if (!fragment.empty()) {
        std::string rel = fs::relative(file, site).generic_string();
        if (file.extension() != ".html") {
          problems.push_back({page, link, "fragment on non-HTML file"});
        } else if (!ids_of(rel).count(fragment)) {
          problems.push_back({page, link, "no id '" + fragment + "' in " + rel});
        }
      }
    }
  }
  if (checked) *checked = count;
  return problems;
}

inline std::string describe(const std::vector<LinkProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.page + ": " + p.link + " (" + p.why + ")\n";
  return out;
}

}  // namespace testutil
