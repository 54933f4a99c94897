#include "text.h"

#include <algorithm>
#include <numeric>

namespace lexicon {

std::size_t find_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    char32_t min;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { len = 2; min = 0x80; }
    else if ((c & 0xF0) == 0xE0) { len = 3; min = 0x800; }
    else if ((c & 0xF8) == 0xF0) { len = 4; min = 0x10000; }
    else return i;
    if (i + len > s.size()) return i;
    char32_t cp = c & (0x7F >> len);
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::string to_valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t bad; (bad = find_invalid_utf8(s)) != std::string_view::npos; s.remove_prefix(bad + 1)) {
    out.append(s.substr(0, bad));
    out += "\xEF\xBF\xBD";  // U+FFFD for the offending byte; the scan resumes after it
  }
  out.append(s);
  return out;
}

char32_t decode_utf8(std::string_view s, std::size_t& pos) {
  auto c = static_cast<unsigned char>(s[pos]);
  std::size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || pos + len > s.size()) { ++pos; return 0xFFFD; }
  if (len == 1) { ++pos; return c; }
  char32_t cp = c & (0x7F >> len);
  for (std::size_t k = 1; k < len; ++k) {
    auto cc = static_cast<unsigned char>(s[pos + k]);
    if ((cc & 0xC0) != 0x80) { ++pos; return 0xFFFD; }
    cp = (cp << 6) | (cc & 0x3F);
  }
  pos += len;
  return cp;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) out += static_cast<char>(cp);
  else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::size_t count_code_points(std::string_view s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size();) { decode_utf8(s, i); ++n; }
  return n;
}

namespace {

// Base letters for U+00C0..U+017F (Latin-1 Supplement letters and Latin Extended-A), lowercase.
// A multi-letter base (æ, œ, ß, ĳ) is written in full.
const char* const latin_base[] = {
    // C0-DF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
    // E0-FF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
    // 100-17F
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

bool is_combining_mark(char32_t cp) {
  return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
         (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0xFE20 && cp <= 0xFE2F);
}

// Greek with tonos/accents folds to the unaccented lowercase letter (phronèsis is Latin script;
// φρόνησις may appear too).
char32_t fold_greek(char32_t cp) {
  switch (cp) {
    case 0x386: case 0x3AC: return 0x3B1;
    case 0x388: case 0x3AD: return 0x3B5;
    case 0x389: case 0x3AE: return 0x3B7;
    case 0x38A: case 0x3AF: case 0x3CA: case 0x390: case 0x3AA: return 0x3B9;
    case 0x38C: case 0x3CC: return 0x3BF;
    case 0x38E: case 0x3CD: case 0x3CB: case 0x3B0: case 0x3AB: return 0x3C5;
    case 0x38F: case 0x3CE: return 0x3C9;
    case 0x3C2: return 0x3C3;
    default:
      // U+03A2 is unassigned; +0x20 would give final sigma, which folds on to σ: fold must be idempotent.
      if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 0x20;
      return cp;
  }
}

}  // namespace

std::string fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = decode_utf8(text, i);
    if (cp < 0x80) {
      out += static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    } else if (cp >= 0xC0 && cp <= 0x17F) {
      out += latin_base[cp - 0xC0];
    } else if (is_combining_mark(cp)) {
      continue;
    } else if (cp >= 0x370 && cp <= 0x3FF) {
      append_utf8(out, fold_greek(cp));
    } else if (cp >= 0x1F00 && cp <= 0x1FFF) {
      // Polytonic Greek: approximate by the base vowel row; rare in this lexicon.
      static const char32_t rows[] = {0x3B1, 0x3B1, 0x3B5, 0x3B5, 0x3B7, 0x3B7, 0x3B9, 0x3B9,
                                      0x3BF, 0x3BF, 0x3C5, 0x3C5, 0x3C9, 0x3C9, 0x3B1, 0x3B1};
      append_utf8(out, rows[(cp - 0x1F00) >> 4]);
    } else if (cp == 0x2019 || cp == 0x2018) {
      out += '\'';
    } else if (cp == 0x2010 || cp == 0x2011 || cp == 0x2013) {
      out += '-';
    } else if (cp == 0xA0) {
      out += ' ';
    } else {
      append_utf8(out, cp);
    }
  }
  return out;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool is_word_char(char32_t cp) {
  if (cp < 0x80) return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0xC0 && cp <= 0x24F) return true;
  if (is_combining_mark(cp)) return true;
  if (cp >= 0x370 && cp <= 0x3FF && cp != 0x37E && cp != 0x387) return true;
  if (cp >= 0x1F00 && cp <= 0x1FFF) return true;
  if (cp >= 0x400 && cp <= 0x52F) return true;
  return false;
}

std::string slugify(std::string_view text) {
  std::string folded = fold(text);
  std::string out;
  bool pending_dash = false;
  for (char c : folded) {
    bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (keep) {
      if (pending_dash && !out.empty()) out += '-';
      pending_dash = false;
      out += c;
    } else {
      pending_dash = true;
    }
  }
  return out;
}

namespace {

std::u32string code_points(std::string_view s) {
  std::u32string out;
  for (std::size_t i = 0; i < s.size();) out.push_back(decode_utf8(s, i));
  return out;
}

// Levenshtein distance, or limit + 1 as soon as it is certain to exceed `limit`: a length difference
// beyond it, or a row whose every cell is beyond it (cells never decrease along a diagonal).
std::size_t distance_within(const std::u32string& x, const std::u32string& y, std::size_t limit,
                            std::vector<std::size_t>& prev, std::vector<std::size_t>& cur) {
  if ((x.size() > y.size() ? x.size() - y.size() : y.size() - x.size()) > limit) return limit + 1;
  prev.resize(y.size() + 1);
  cur.resize(y.size() + 1);
  std::iota(prev.begin(), prev.end(), 0);
  for (std::size_t i = 1; i <= x.size(); ++i) {
    cur[0] = i;
    std::size_t row_min = i;
    for (std::size_t j = 1; j <= y.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1)});
      row_min = std::min(row_min, cur[j]);
    }
    if (row_min > limit) return limit + 1;
    std::swap(prev, cur);
  }
  return std::min(prev[y.size()], limit + 1);
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev, cur;
  auto x = code_points(a), y = code_points(b);
  return distance_within(x, y, std::max(x.size(), y.size()), prev, cur);
}

std::string nearest(std::string_view word, const std::vector<std::string>& candidates,
                    std::size_t max_distance) {
  // Each unknown link is compared with every name of the lexicon (20,000 at 10,000 entries), so a
  // candidate is given up as soon as it cannot be closer than the best so far (or tie with it).
  const std::u32string x = code_points(word);
  std::vector<std::size_t> prev, cur;
  std::string best;
  std::size_t best_distance = max_distance + 1;
  for (const auto& c : candidates) {
    const std::size_t limit = std::min(best_distance, max_distance);
    if (c.size() + limit < x.size()) continue;  // fewer code points than bytes: too short to be within reach
    std::size_t d = distance_within(x, code_points(c), limit, prev, cur);
    if (d < best_distance || (d == best_distance && c < best)) {
      best_distance = d;
      best = c;
    }
  }
  return best_distance <= max_distance ? best : std::string();
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::size_t count_words(std::string_view s) {
  std::size_t n = 0;
  bool in_word = false;
  for (std::size_t i = 0; i < s.size();) {
    char32_t cp = decode_utf8(s, i);
    bool w = is_word_char(cp);
    if (w && !in_word) ++n;
    in_word = w;
  }
  return n;
}

}  // namespace lexicon
