#include "escape.h"

#include <cctype>

#include <nlohmann/json.hpp>

#include "text.h"

namespace lexicon {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string json_string(std::string_view text) { return nlohmann::json(std::string(text)).dump(); }

std::string json_for_script(std::string_view json) {
  std::string out;
  out.reserve(json.size());
  for (char c : json) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

std::string url_encode(std::string_view text) {
  static const char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

bool is_safe_url(std::string_view url) {
  // No real link holds a control character. Browsers drop some ("java\tscript:" runs as javascript:),
  // while cmark-gfm writes others percent-encoded ("%08mailto:..."), so a URL that looked safe once
  // they were left out would leave the page as something else: refused outright.
  for (char c : url) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
  }
  // Spaces around or inside can still hide a scheme from naive checks (" javascript:").
  std::string cleaned;
  for (char c : url) {
    if (c != ' ') cleaned += c;
  }
  auto colon = cleaned.find(':');
  auto first_delim = cleaned.find_first_of("/?#");
  if (colon == std::string::npos || (first_delim != std::string::npos && first_delim < colon)) return true;
  std::string scheme = fold(cleaned.substr(0, colon));
  return scheme == "http" || scheme == "https" || scheme == "mailto";
}

}  // namespace lexicon
