// Target "collation": the A-Z order (collation_key, az_letter) and the folding and slug functions
// it and name resolution rest on. The input is a list of titles, one per line; any bytes are
// allowed (the functions must not read out of bounds on invalid UTF-8), the stronger properties
// are checked for valid UTF-8, which is all the loader lets through.
#include <algorithm>
#include <string_view>
#include <vector>

#include "collation.h"
#include "targets.h"
#include "text.h"

namespace lexicon::fuzz {

namespace {
constexpr const char* name = "collation";

bool slug_shaped(const std::string& s) {
  if (s.empty()) return true;
  if (s.front() == '-' || s.back() == '-' || s.find("--") != std::string::npos) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}
}  // namespace

int collation(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> titles;
  for (std::size_t start = 0; start <= input.size() && titles.size() < 64;) {
    auto end = input.find('\n', start);
    if (end == std::string_view::npos) end = input.size();
    titles.emplace_back(input.substr(start, end - start));
    start = end + 1;
  }
  std::vector<std::string> keys;
  for (const auto& title : titles) {
    std::string key = collation_key(title);
    std::string letter = az_letter(title);
    FUZZ_CHECK(name, key.size() > title.size() && key.compare(key.size() - title.size() - 1, std::string::npos, "\x01" + title) == 0,
               title);
    FUZZ_CHECK(name, letter == "#" || (letter.size() == 1 && letter[0] >= 'a' && letter[0] <= 'z'), title);
    std::string folded = fold(title);
    std::string slug = slugify(title);
    FUZZ_CHECK(name, slug_shaped(slug), title + " -> " + slug);
    FUZZ_CHECK(name, slugify(slug) == slug, slug);
    count_code_points(title);
    count_words(title);
    if (valid_utf8(title)) {
      FUZZ_CHECK(name, valid_utf8(folded), title);
      FUZZ_CHECK(name, fold(folded) == folded, title + " -> " + folded);
      FUZZ_CHECK(name, slugify(folded) == slug, title);
      FUZZ_CHECK(name, valid_utf8(std::string_view(key).substr(0, key.size() - title.size() - 1)), title);
      // A title sorts under the letter its key starts with.
      FUZZ_CHECK(name, letter == "#" || key[0] == letter[0], title);
    }
    keys.push_back(std::move(key));
  }
  // The A-Z page sorts by key; sorting must be a total order over what we produce.
  std::vector<std::size_t> order(titles.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  for (std::size_t i = 1; i < order.size(); ++i) FUZZ_CHECK(name, !(keys[order[i]] < keys[order[i - 1]]), titles[order[i]]);
  if (titles.size() >= 2) {
    const auto& a = titles[0];
    const auto& b = titles[1];
    std::size_t d = edit_distance(a.substr(0, 256), b.substr(0, 256));
    FUZZ_CHECK(name, d == edit_distance(b.substr(0, 256), a.substr(0, 256)), a + " / " + b);
    std::vector<std::string> candidates;
    for (std::size_t i = 1; i < titles.size(); ++i) candidates.push_back(titles[i].substr(0, 64));
    std::string best = nearest(a.substr(0, 64), candidates, 3);
    FUZZ_CHECK(name, best.empty() || std::find(candidates.begin(), candidates.end(), best) != candidates.end(), best);
  }
  return 0;
}

}  // namespace lexicon::fuzz
