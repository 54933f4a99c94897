#pragma once
// Unicode-aware text helpers shared by every stage: validation, folding, slugs.
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace lexicon {

// Returns the byte offset of the first invalid UTF-8 sequence, or npos if valid.
std::size_t find_invalid_utf8(std::string_view text);

// The text with every invalid UTF-8 sequence replaced by U+FFFD (unchanged when already valid).
std::string to_valid_utf8(std::string_view text);

// Decodes one code point at `pos` and advances `pos`; invalid bytes decode as U+FFFD.
char32_t decode_utf8(std::string_view text, std::size_t& pos);
void append_utf8(std::string& out, char32_t cp);

// Number of code points in text (the column unit of diagnostics).
std::size_t count_code_points(std::string_view text);

// Lowercases and removes diacritics (cliënt -> client, Schön -> schon, ĳ -> ij).
// This is the single folding function used by name resolution, sorting and search.
std::string fold(std::string_view text);

// The lines of a '\n'-separated list (no empty last item for a trailing '\n').
std::vector<std::string> split_lines(std::string_view text);

// True for code points that belong inside a word (letters, digits).
bool is_word_char(char32_t cp);

// Folded, ASCII-only, hyphen-separated slug ("Benadering, geen methode" -> "benadering-geen-methode").
std::string slugify(std::string_view text);

// Levenshtein distance on code points, for "bedoeld: ...?" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` within max_distance, or "" when none is close enough.
std::string nearest(std::string_view word, const std::vector<std::string>& candidates,
                    std::size_t max_distance);

std::string trim(std::string_view text);
std::size_t count_words(std::string_view text);

// Lets an unordered_map keyed by std::string be searched with a string_view, without a copy
// (with std::equal_to<> as its key equality).
struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace lexicon
