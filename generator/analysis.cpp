#include "analysis.h"

#include "search_schema.h"
#include "text.h"

namespace lexicon {

namespace {
std::string lowercase(std::string_view word) {
  // Lowercase without removing diacritics: ASCII plus the Latin-1/Extended-A capitals.
  std::string out;
  for (std::size_t i = 0; i < word.size();) {
    char32_t cp = decode_utf8(word, i);
    if (cp >= 'A' && cp <= 'Z') cp += 32;
    else if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) cp += 32;
    else if (cp >= 0x100 && cp <= 0x17F && (cp % 2 == 0) && cp != 0x138) cp += 1;
    append_utf8(out, cp);
  }
  return out;
}
}  // namespace

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    char32_t cp = decode_utf8(text, i);
    if (!is_word_char(cp)) continue;
    std::size_t end = i;
    while (end < text.size()) {
      std::size_t next = end;
      char32_t c = decode_utf8(text, next);
      // Apostrophes inside words ("auto's") stay in the word.
      if (is_word_char(c) || ((c == '\'' || c == 0x2019) && next < text.size() && [&] {
            std::size_t k = next;
            return is_word_char(decode_utf8(text, k));
          }())) {
        end = next;
      } else {
        break;
      }
    }
    std::string_view word = text.substr(start, end - start);
    Token t;
    t.folded = fold(word);
    std::erase(t.folded, '\'');
    t.lower = lowercase(word);
    t.start = start;
    t.end = end;
    if (!t.folded.empty() && t.folded.size() <= 64) tokens.push_back(std::move(t));
    i = end;
  }
  return tokens;
}

Analyzer::Analyzer() : stemmer_(schema::stemmer_language) {}

std::string Analyzer::stem(const std::string& folded) const { return stemmer_(folded); }

std::vector<std::string> Analyzer::terms(const Token& token) const {
  std::vector<std::string> out;
  out.push_back(token.folded);
  out.push_back(std::string(schema::stemmed) + stem(token.folded));
  if (token.lower != token.folded) out.push_back(std::string(schema::exact) + token.lower);
  return out;
}

}  // namespace lexicon
