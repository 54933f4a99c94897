#pragma once
// The one analysis path for index and query: tokenising, folding, stemming and compounds.
#include <set>
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
  bool hyphen_after = false;  // joined to the next token by a hyphen ("reflection-in-action")
};

// The words of a text as byte ranges, one at a time, without allocating: tokenize's word boundaries,
// for passes that only need to look at each word once (snippets).
struct Word {
  std::size_t start = 0;
  std::size_t end = 0;
  bool hyphen_after = false;  // a hyphen and another word follow
};
class WordScanner {
 public:
  explicit WordScanner(std::string_view text) : text_(text) {}
  bool next(Word& word);  // false when no word is left

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// Longer words are not terms (and the folded form of a word is bounded for Xapian's term limit).
constexpr std::size_t max_token_bytes = 64;

// The folded form of one word into `folded` (and its lowercase spelling into `lower` when given);
// false when the word is no token (empty once folded, or longer than max_token_bytes).
bool fold_word(std::string_view word, std::string& folded, std::string* lower = nullptr);

// Splits on non-word characters; hyphenated words give their parts as separate tokens
// (marked with hyphen_after), see hyphen_groups for the joined forms.
std::vector<Token> tokenize(std::string_view text);

// Folded forms of tokens[from..to) written as one word: "reflection-in-action" -> "reflectioninaction".
std::string joined(const std::vector<Token>& tokens, std::size_t from, std::size_t to);

// The [from, to) ranges of hyphenated groups of two or more tokens.
std::vector<std::pair<std::size_t, std::size_t>> hyphen_groups(const std::vector<Token>& tokens);

// Splits Dutch compounds into parts known from the lexicon itself (headwords and aliases),
// with the linking sounds -s-, -e- and -en- between parts: "bemoeizorg" -> {"bemoei", "zorg"},
// "handelingsverlegenheid" -> {"handeling", "verlegenheid"}. The vocabulary is built at index time
// and stored in the database metadata, so the query side splits with exactly the same list.
class CompoundSplitter {
 public:
  static constexpr std::size_t min_part = 4;   // shorter parts split too eagerly ("ie", "van")
  static constexpr std::size_t min_word = 8;   // only longer words are split

  CompoundSplitter() = default;
  explicit CompoundSplitter(std::set<std::string> parts) : parts_(std::move(parts)) {}

  void add_part(const std::string& folded);
  // The parts of `folded`, fewest parts first; empty when it is not a compound of known parts.
  std::vector<std::string> split(const std::string& folded) const;

  std::string serialise() const;  // '\n'-separated, for Xapian metadata
  static CompoundSplitter deserialise(const std::string& data);
  bool empty() const { return parts_.empty(); }
  const std::set<std::string>& parts() const { return parts_; }

 private:
  std::set<std::string> parts_;
};

// Stemming with Xapian's Kraaij-Pohlmann Dutch stemmer. Not thread-safe: one per thread.
class Analyzer {
 public:
  Analyzer();
  std::string stem(const std::string& folded) const;
  // All index terms for one word (folded, stemmed, and exact spelling when it differs).
  std::vector<std::string> terms(const Token& token) const;

 private:
  Xapian::Stem stemmer_;
};

// Dutch function and question words ("wat", "is", "het", "hoe", "tussen"), folded. Query side only:
// a question such as "wat is presentie" should be about "presentie". The index keeps every word, so
// titles and phrases made of such words are still found (as whole names).
bool is_query_stopword(std::string_view folded);

// Common prefix of two strings, in bytes.
std::size_t common_prefix(std::string_view a, std::string_view b);

// Whether `candidate` looks like a derived or inflected form of the same word as `word`
// (zorgmijders ~ zorgmijding, gelijkwaardig ~ gelijkwaardigheid): a long shared beginning and
// only a short differing ending on either side.
bool is_related_form(std::string_view word, std::string_view candidate);

}  // namespace lexicon
