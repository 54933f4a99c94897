#include "templates.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "escape.h"

namespace fs = std::filesystem;

namespace lexicon {

namespace {
const char* const required_templates[] = {"layout", "home", "entry", "az", "az-letter", "themes", "theme", "sources",
                                          "page", "notfound", "redirect", "search", "search-results", "sitemap",
                                          "recent", "feed", "removed"};
}

TemplateSet load_templates(const fs::path& dir, Diagnostics& diagnostics) {
  TemplateSet set;
  set.root = dir;
  std::string display = dir.generic_string();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    diagnostics.error(display, 0, 0, "sjablonenmap bestaat niet");
    return set;
  }
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".mustache") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    std::string name = e.path().stem().string();
    kainjow::mustache::mustache probe(s.str());
    if (!probe.is_valid()) {
      diagnostics.error(display + "/" + e.path().filename().string(), 0, 0,
                        fmt::format("sjabloonfout: {}", probe.error_message()));
    }
    set.sources[name] = s.str();
  }
  for (const char* name : required_templates) {
    if (!set.sources.count(name)) diagnostics.error(display + "/" + name + ".mustache", 0, 0, "sjabloon ontbreekt");
  }
  fs::path static_dir = dir / "static";
  if (fs::is_directory(static_dir, ec)) {
    for (fs::recursive_directory_iterator it(static_dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file()) set.static_files.push_back(fs::relative(it->path(), static_dir));
    }
    std::sort(set.static_files.begin(), set.static_files.end());
  }
  return set;
}

bool template_mentions(const TemplateSet& set, const std::string& name, const std::string& key) {
  auto word_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; };
  auto has_word = [&](std::string_view text) {
    for (std::size_t at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
      bool starts = at == 0 || !word_char(text[at - 1]);
      bool ends = at + key.size() == text.size() || !word_char(text[at + key.size()]);
      if (starts && ends) return true;
    }
    return false;
  };
  for (const auto& [template_name, text] : set.sources) {
    if (template_name != name && template_name != "layout" && !template_name.starts_with("_")) continue;
    // Inside tags only ("summary" as a CSS class is no data); a template that changes its delimiters
    // is searched whole.
    if (text.find("{{=") != std::string::npos) {
      if (has_word(text)) return true;
      continue;
    }
    for (std::size_t open = text.find("{{"); open != std::string::npos; open = text.find("{{", open + 2)) {
      const std::size_t close = text.find("}}", open + 2);
      if (close == std::string::npos) return has_word(std::string_view(text).substr(open));
      if (has_word(std::string_view(text).substr(open + 2, close - open - 2))) return true;
      open = close;
    }
  }
  return false;
}

CompiledTemplates::CompiledTemplates(const TemplateSet& set) : sources_(set.sources) {
  // Templates whose name starts with '_' are partials ({{> _reference}}); the prefix keeps
  // them from shadowing data names such as "themes".
  for (const auto& [name, text] : sources_) {
    if (name.starts_with("_")) partials_.set(name, kainjow::mustache::partial([&text = text] { return text; }));
  }
  for (const auto& [name, text] : set.sources) {
    auto [it, inserted] = compiled_.emplace(name, kainjow::mustache::mustache(text));
    it->second.set_custom_escape([](const std::string& s) { return html_escape(s); });
  }
}

std::string CompiledTemplates::render(const std::string& name, const kainjow::mustache::data& data) {
  auto it = compiled_.find(name);
  if (it == compiled_.end()) throw std::runtime_error("template missing: " + name);
  // Partials sit below the page data on the context stack, so nothing is copied per render.
  kainjow::mustache::context<std::string> context(&partials_);
  context.push(&data);
  return it->second.render(context);
}

}  // namespace lexicon
