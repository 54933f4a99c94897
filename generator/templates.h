#pragma once
// Loads Mustache templates and static assets from templates/.
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <kainjow/mustache.hpp>

#include "diagnostics.h"

namespace lexicon {

struct TemplateSet {
  std::map<std::string, std::string> sources;  // name (without .mustache) -> text
  std::vector<std::filesystem::path> static_files;  // relative to templates/static
  std::filesystem::path root;
};

TemplateSet load_templates(const std::filesystem::path& dir, Diagnostics& diagnostics);

// Whether template `name`, the layout or a partial has the word `key` in a tag (anywhere, in a template
// that changes its delimiters): a conservative test, by which render skips building data no tag of the
// page can reach, such as every theme's entry list on the home page (hundreds of megabytes at 50,000
// entries).
bool template_mentions(const TemplateSet& set, const std::string& name, const std::string& key);

// Compiled templates for one rendering thread (kainjow templates are not shared across threads).
class CompiledTemplates {
 public:
  explicit CompiledTemplates(const TemplateSet& set);
  // Renders template `name` with `data`; all {{var}} go through html_escape.
  std::string render(const std::string& name, const kainjow::mustache::data& data);

 private:
  std::map<std::string, std::string> sources_;
  kainjow::mustache::data partials_;
  std::map<std::string, kainjow::mustache::mustache> compiled_;
};

}  // namespace lexicon
