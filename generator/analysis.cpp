#include "analysis.h"

#include <algorithm>
#include <iterator>
#include <limits>

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

bool is_hyphen(char32_t c) { return c == '-' || c == 0x2010 || c == 0x2011; }
}  // namespace

namespace {
// ASCII letters and digits, decided without decoding (most of the text).
bool ascii_word_byte(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
}  // namespace

bool WordScanner::next(Word& word) {
  const std::string_view text = text_;
  std::size_t i = pos_;
  while (i < text.size()) {
    std::size_t start = i;
    char32_t cp = decode_utf8(text, i);
    if (!is_word_char(cp)) continue;
    std::size_t end = i;
    while (end < text.size()) {
      if (ascii_word_byte(text[end])) {
        ++end;
        continue;
      }
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
    word.start = start;
    word.end = end;
    word.hyphen_after = false;
    if (end < text.size()) {
      std::size_t next = end;
      if (is_hyphen(decode_utf8(text, next)) && next < text.size()) {
        std::size_t k = next;
        word.hyphen_after = is_word_char(decode_utf8(text, k));
      }
    }
    pos_ = end;
    return true;
  }
  pos_ = text.size();
  return false;
}

bool fold_word(std::string_view word, std::string& folded, std::string* lower) {
  if (std::all_of(word.begin(), word.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
    // Most words are plain ASCII: folding and lowercasing are then the same, and cheap.
    folded.assign(word);
    for (char& c : folded) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    }
    if (lower) *lower = folded;
  } else {
    folded = fold(word);
    if (lower) *lower = lowercase(word);
  }
  std::erase(folded, '\'');
  return !folded.empty() && folded.size() <= max_token_bytes;
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> tokens;
  tokens.reserve(text.size() / 7);  // about one word per seven bytes of prose
  WordScanner scanner(text);
  Word word;
  while (scanner.next(word)) {
    Token t;
    if (fold_word(text.substr(word.start, word.end - word.start), t.folded, &t.lower)) {
      t.start = word.start;
      t.end = word.end;
      t.hyphen_after = word.hyphen_after;
      tokens.push_back(std::move(t));
    } else if (!tokens.empty()) {
      tokens.back().hyphen_after = false;
    }
  }
  return tokens;
}

std::string joined(const std::vector<Token>& tokens, std::size_t from, std::size_t to) {
  std::string out;
  for (std::size_t i = from; i < to && i < tokens.size(); ++i) out += tokens[i].folded;
  return out;
}

std::vector<std::pair<std::size_t, std::size_t>> hyphen_groups(const std::vector<Token>& tokens) {
  std::vector<std::pair<std::size_t, std::size_t>> groups;
  for (std::size_t i = 0; i < tokens.size();) {
    std::size_t j = i;
    while (j + 1 < tokens.size() && tokens[j].hyphen_after) ++j;
    if (j > i) groups.emplace_back(i, j + 1);
    i = j + 1;
  }
  return groups;
}

void CompoundSplitter::add_part(const std::string& folded) {
  if (folded.size() >= min_part && folded.size() <= 40 &&
      std::all_of(folded.begin(), folded.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c & 0x80); })) {
    parts_.insert(folded);
  }
}

std::vector<std::string> CompoundSplitter::split(const std::string& word) const {
  const std::size_t n = word.size();
  if (n < min_word || parts_.empty() || n > 64) return {};
  // best[i]: fewest parts covering word[0..i) where a new part may start at i.
  constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
  std::vector<std::size_t> best(n + 1, none), from(n + 1, none), part_start(n + 1, none);
  best[0] = 0;
  std::size_t final_parts = none, final_start = none;
  for (std::size_t s = 0; s < n; ++s) {
    if (best[s] == none) continue;
    for (std::size_t e = s + min_part; e <= n; ++e) {
      if (s == 0 && e == n) continue;  // the word itself is not a split
      if (!parts_.count(word.substr(s, e - s))) continue;
      std::size_t count = best[s] + 1;
      if (e == n) {
        if (count < final_parts) final_parts = count, final_start = s;
        continue;
      }
      // The next part starts right away or after a linking sound.
      for (std::size_t link : {std::size_t{0}, std::size_t{1}, std::size_t{2}}) {
        std::size_t next = e + link;
        if (next >= n) break;
        if (link == 1 && word[e] != 's' && word[e] != 'e') continue;
        if (link == 2 && word.compare(e, 2, "en") != 0) continue;
        if (count < best[next]) best[next] = count, from[next] = e, part_start[next] = s;
      }
    }
  }
  if (final_parts == none) return {};
  std::vector<std::string> parts;
  std::size_t s = final_start, e = n;
  while (true) {
    parts.push_back(word.substr(s, e - s));
    if (s == 0) break;
    e = from[s];
    s = part_start[s];
  }
  std::reverse(parts.begin(), parts.end());
  return parts;
}

std::string CompoundSplitter::serialise() const {
  std::string out;
  for (const auto& p : parts_) out += (out.empty() ? "" : "\n") + p;
  return out;
}

CompoundSplitter CompoundSplitter::deserialise(const std::string& data) {
  CompoundSplitter splitter;
  for (const auto& part : split_lines(data)) splitter.add_part(part);
  return splitter;
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

bool is_query_stopword(std::string_view folded) {
  // Snowball's Dutch stop list (folded), plus question words and a few prepositions of questions.
  static constexpr std::string_view words[] = {
      "aan", "al", "alles", "als", "altijd", "andere", "ben", "bij", "daar", "dan", "dat", "de", "der", "deze",
      "die", "dit", "doch", "doen", "door", "dus", "een", "eens", "en", "er", "ge", "geen", "geweest", "haar",
      "had", "heb", "hebben", "heeft", "hem", "het", "hier", "hij", "hoe", "hun", "iemand", "iets", "ik", "in",
      "is", "ja", "je", "kan", "kon", "kunnen", "maar", "me", "meer", "men", "met", "mij", "mijn", "moet", "na",
      "naar", "niet", "niets", "nog", "nu", "of", "om", "omdat", "onder", "ons", "ook", "op", "over", "reeds",
      "te", "tegen", "toch", "toen", "tot", "tussen", "u", "uit", "uw", "van", "veel", "voor", "waar", "waarom",
      "wanneer", "want", "waren", "was", "wat", "we", "welk", "welke", "werd", "wezen", "wie", "wij", "wil",
      "worden", "wordt", "zal", "ze", "zelf", "zich", "zij", "zijn", "zo", "zonder", "zou"};
  static_assert(std::is_sorted(std::begin(words), std::end(words)));
  return std::binary_search(std::begin(words), std::end(words), folded);
}

std::size_t common_prefix(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  return i;
}

bool is_related_form(std::string_view word, std::string_view candidate) {
  if (word == candidate) return false;
  std::size_t cp = common_prefix(word, candidate);
  std::size_t rest_a = word.size() - cp, rest_b = candidate.size() - cp;
  std::size_t longest = std::max(word.size(), candidate.size());
  return cp >= 6 && 2 * cp >= longest && std::max(rest_a, rest_b) <= 5 && std::min(rest_a, rest_b) <= 3;
}

}  // namespace lexicon
