#pragma once
// `lexicon new`: writes a new entry file with complete front matter and a short Dutch skeleton.
// The one command that writes into content/, and only a file that does not exist yet.
#include <filesystem>
#include <string>

namespace lexicon {

struct NewEntry {
  int exit_code = 0;     // 0 created, 1 file exists (or title clashes), 2 usage/environment
  std::string path;      // the file written (display form: <content>/begrippen/<slug>.md)
  std::string message;   // Dutch, for stderr when exit_code != 0
};

// The text of a new entry; `theme` may be empty.
std::string entry_skeleton(const std::string& title, const std::string& theme);

// Quotes a YAML scalar only when plain style would change its meaning.
std::string yaml_scalar(const std::string& text);

// Validates the title and theme (against themas.yaml) and creates begrippen/<slug>.md.
NewEntry create_entry(const std::filesystem::path& content_dir, const std::string& title, const std::string& theme);

}  // namespace lexicon
