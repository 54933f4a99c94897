#include "az_index.h"

#include <algorithm>

#include "collation.h"

namespace lexicon {

namespace {

std::string letter_name(char letter) { return letter == '#' ? std::string("overig") : std::string(1, letter); }

}  // namespace

AzIndex az_index(const Corpus& corpus, const std::vector<std::string>& title_keys) {
  AzIndex az;
  for (std::size_t i = 0; i < corpus.entries.size(); ++i) {
    const Document& e = corpus.entries[i];
    az.rows.push_back({title_keys.at(i), az_letter_of_key(title_keys[i]), i, -1});
    for (std::size_t k = 0; k < e.aliases.size(); ++k) {
      std::string key = collation_key(e.aliases[k].text);
      const char letter = az_letter_of_key(key);
      az.rows.push_back({std::move(key), letter, i, static_cast<int>(k)});
    }
  }
  // '#' sorts before the letters, so digits and other scripts come first, as their own group.
  std::sort(az.rows.begin(), az.rows.end(), [](const AzRow& a, const AzRow& b) {
    return a.letter != b.letter ? a.letter < b.letter : a.key < b.key;
  });
  for (std::size_t k = 0; k < az.rows.size(); ++k) {
    const AzRow& row = az.rows[k];
    if (az.letters.empty() || az.letters.back().letter != row.letter) az.letters.push_back({row.letter, k, k, 0});
    az.letters.back().to = k + 1;
    az.letters.back().titles += row.alias < 0;
  }
  az.per_letter = corpus.entries.size() >= corpus.config.az_per_letter_from;
  return az;
}

const std::string& az_text(const Corpus& corpus, const AzRow& row) {
  const Document& e = corpus.entries[row.entry];
  return row.alias < 0 ? e.title : e.aliases[static_cast<std::size_t>(row.alias)].text;
}

const std::string& az_lang(const Corpus& corpus, const AzRow& row) {
  const Document& e = corpus.entries[row.entry];
  return row.alias < 0 ? e.title_lang : e.aliases[static_cast<std::size_t>(row.alias)].lang;
}

std::string az_letter_path(char letter) { return "a-z/" + letter_name(letter) + "/"; }
std::string az_letter_id(char letter) { return "letter-" + letter_name(letter); }
std::string az_letter_label(char letter) {
  return std::string(1, letter >= 'a' && letter <= 'z' ? static_cast<char>(letter - 'a' + 'A') : '#');
}

}  // namespace lexicon
