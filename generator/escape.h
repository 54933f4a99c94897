#pragma once
// The one escaping layer. Template variables are escaped here (installed as Mustache's escaper);
// values that already hold HTML are named *_html and rendered unescaped.
#include <string>
#include <string_view>

namespace lexicon {

// Escapes & < > " ' for HTML text and attribute values.
std::string html_escape(std::string_view text);

// A JSON string literal, quotes included, escaped as nlohmann's dump escapes strings: for JSON files put
// together piece by piece, byte for byte what dumping the whole document would give.
std::string json_string(std::string_view text);

// Serialised JSON made safe inside <script type="application/ld+json"> ("</script>" cannot close it).
std::string json_for_script(std::string_view json);

// Percent-encodes a query-string value.
std::string url_encode(std::string_view text);

// True for URLs safe to put in href/src: relative, http(s), mailto. Blocks javascript:, data:, etc.
bool is_safe_url(std::string_view url);

}  // namespace lexicon
