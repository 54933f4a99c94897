#pragma once
// Splits a Markdown file into its YAML front matter and body, keeping line numbers.
#include <string>

namespace lexicon {

struct FrontMatterSplit {
  bool ok = false;
  std::string yaml;       // text between the --- fences
  std::string body;       // everything after the closing fence
  int yaml_first_line = 0;  // 1-based file line of the first YAML line
  int body_first_line = 0;  // 1-based file line of the first body line
  std::string error;      // Dutch message when !ok
  int error_line = 0;
};

// Expects text already normalised (no BOM, LF line ends). The front matter must open on line 1
// with "---" and close with a line "---" or "...".
FrontMatterSplit split_front_matter(const std::string& text);

// Strips a UTF-8 BOM and turns CRLF/CR into LF; line numbers stay those the editor sees.
std::string normalise_newlines(std::string text);

}  // namespace lexicon
