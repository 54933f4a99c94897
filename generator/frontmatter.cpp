#include "frontmatter.h"

namespace lexicon {

std::string normalise_newlines(std::string text) {
  if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  if (text.find('\r') == std::string::npos) return text;  // the usual case: nothing to copy
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

namespace {
bool is_fence(const std::string& text, std::size_t pos, std::size_t end, bool closing) {
  std::string line = text.substr(pos, end - pos);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
  return line == "---" || (closing && line == "...");
}
}  // namespace

FrontMatterSplit split_front_matter(const std::string& text) {
  FrontMatterSplit result;
  std::size_t first_end = text.find('\n');
  if (first_end == std::string::npos) first_end = text.size();
  if (!is_fence(text, 0, first_end, false)) {
    result.error = "front matter ontbreekt: het bestand moet beginnen met een regel '---'";
    result.error_line = 1;
    return result;
  }
  std::size_t pos = first_end + 1;
  int line = 2;
  while (pos <= text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (pos < text.size() && is_fence(text, pos, end, true)) {
      result.ok = true;
      result.yaml = text.substr(first_end + 1, pos - (first_end + 1));
      result.yaml_first_line = 2;
      result.body = end < text.size() ? text.substr(end + 1) : std::string();
      result.body_first_line = line + 1;
      return result;
    }
    if (end >= text.size()) break;
    pos = end + 1;
    ++line;
  }
  result.error = "front matter is niet afgesloten: voeg een regel '---' toe na de velden";
  result.error_line = 1;
  return result;
}

}  // namespace lexicon
