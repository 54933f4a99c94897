#include "collation.h"

#include "text.h"

namespace lexicon {

std::string collation_key(std::string_view title) {
  std::string folded = fold(title);
  for (const char* article : {"de ", "het ", "een ", "'t "}) {
    std::string_view a(article);
    if (folded.size() > a.size() && folded.compare(0, a.size(), a) == 0) {
      folded = folded.substr(a.size());
      break;
    }
  }
  // Letters and digits only, words separated by one space so "case-based" sorts like "case based".
  std::string key;
  bool space = false;
  for (std::size_t i = 0; i < folded.size();) {
    std::size_t start = i;
    char32_t cp = decode_utf8(folded, i);
    if (is_word_char(cp)) {
      if (space && !key.empty()) key += ' ';
      space = false;
      key.append(folded, start, i - start);
    } else {
      space = true;
    }
  }
  // Ties (same letters, different punctuation or case) are broken by the original text.
  key += '\x01';
  key += title;
  return key;
}

char az_letter_of_key(std::string_view key) { return !key.empty() && key[0] >= 'a' && key[0] <= 'z' ? key[0] : '#'; }

std::string az_letter(std::string_view title) { return std::string(1, az_letter_of_key(collation_key(title))); }

}  // namespace lexicon
