#pragma once
// A strict checker for the HTML our Markdown renderer produces from an entry body. Text is always
// escaped, so every '<' must open a tag we expect: known names, known attributes, quoted values,
// and href/src that pass is_safe_url. Anything else (a script, an on* handler, a javascript: URL,
// a tag cut in half) is reported.
#include <string>
#include <string_view>

namespace lexicon::fuzz {

// "" when the body HTML is fine, else what is wrong and where.
std::string html_problem(std::string_view html);

}  // namespace lexicon::fuzz
