#pragma once
// The one analysis path for index and query: tokenising, folding and stemming.
#include <string>
#include <string_view>
#include <vector>

#include <xapian.h>

namespace lexicon {

struct Token {
  std::string folded;  // lowercase, without diacritics
  std::string lower;   // lowercase with diacritics as written
  std::size_t start = 0;  // byte offsets into the analysed text
  std::size_t end = 0;
};

// Splits on non-word characters; hyphenated words give their parts as separate tokens.
std::vector<Token> tokenize(std::string_view text);

// Stemming with Xapian's Kraaij-Pohlmann Dutch stemmer. Not thread-safe: one per thread.
class Analyzer {
 public:
  Analyzer();
  std::string stem(const std::string& folded) const;
  // All index terms for one token (folded, stemmed, and exact spelling when it differs).
  std::vector<std::string> terms(const Token& token) const;

 private:
  Xapian::Stem stemmer_;
};

}  // namespace lexicon
