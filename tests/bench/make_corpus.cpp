// Deterministic generator of synthetic lexicons for benchmarks:
//   make_corpus N OUT_DIR
// writes OUT_DIR/lexicon/ (our content format) and OUT_DIR/hugo/ (the same corpus for Hugo:
// links as ordinary Markdown links, aliases as Hugo aliases, themes as a taxonomy).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

const char* const words[] = {
    "zorg", "relatie", "aandacht", "cliënt", "professional", "begeleiding", "praktijk", "kennis", "leren",
    "nabijheid", "vertrouwen", "afstemming", "leefwereld", "team", "organisatie", "reflectie", "wijsheid",
    "presentie", "contact", "tijd", "geduld", "houding", "ervaring", "situatie", "wijk", "netwerk", "trouw",
    "ruimte", "afstand", "moed", "twijfel", "routine", "protocol", "gesprek", "huisbezoek", "vraag", "antwoord",
    "mens", "leven", "verhaal", "samenwerking", "onderzoek", "casus", "werker", "hulp", "zorgmijder", "bemoeizorg"};
constexpr std::size_t word_count = sizeof(words) / sizeof(words[0]);
const char* const themes[] = {"presentie", "praktijkleren", "bemoeizorg", "relatie", "identiteit", "organisatie",
                              "personen", "modellen"};

std::string slug_of(std::size_t i) { return "begrip-" + std::to_string(i); }
std::string title_of(std::size_t i, std::mt19937& rng) {
  std::string t = words[rng() % word_count];
  t[0] = static_cast<char>(t[0] - 32);
  return t + " " + words[rng() % word_count] + " " + std::to_string(i);
}

// A vocabulary as real text has one: 20,000 made-up words used with Zipf's law (the word of rank r
// about 1/r as often as the most used), so most words are rare and some are in every entry. With the 47
// words above alone, every word was in every entry: no entry had a key term for "Verwant", which then
// cost nothing, unlike in a real lexicon.
struct Vocabulary {
  std::vector<std::string> words;
  std::vector<double> cumulative;  // of 1/(rank + 1)

  explicit Vocabulary(std::mt19937& rng) {
    const char* const syllables[] = {"ka", "lo", "me", "ni", "ru", "sa", "te", "vo", "wi", "ze", "bra", "dri",
                                     "gel", "hor", "jun", "kle", "mar", "nop", "pri", "stu", "tor", "vla", "wer", "zin"};
    std::set<std::string> seen;
    while (words.size() < 20000) {
      std::string w;
      for (std::size_t k = 0, n = 2 + rng() % 3; k < n; ++k) w += syllables[rng() % 24];
      if (seen.insert(w).second) words.push_back(w);
    }
    double total = 0;
    for (std::size_t r = 0; r < words.size(); ++r) cumulative.push_back(total += 1.0 / static_cast<double>(r + 1));
  }
  const std::string& zipf(std::mt19937& rng) const {
    const double x = std::uniform_real_distribution<double>(0, cumulative.back())(rng);
    return words[static_cast<std::size_t>(std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin()) %
                 words.size()];
  }
};

// About 24 words of the vocabulary, with the entry's topic words among them.
std::string vocabulary_sentence(const Vocabulary& v, const std::vector<std::string>& topic, std::mt19937& rng) {
  std::vector<std::string> w;
  for (int k = 0; k < 24; ++k) w.push_back(v.zipf(rng));
  for (const auto& t : topic) if (rng() % 5 < 3) w.push_back(t);
  std::shuffle(w.begin(), w.end(), rng);
  std::string s;
  for (const auto& x : w) s += (s.empty() ? "" : " ") + x;
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s + ".";
}

std::string sentence(std::mt19937& rng) {
  std::string s;
  std::size_t n = 8 + rng() % 12;
  for (std::size_t k = 0; k < n; ++k) s += (k ? " " : "") + std::string(words[rng() % word_count]);
  s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s + ".";
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "gebruik: make_corpus N UITVOERMAP\n");
    return 2;
  }
  std::size_t n = std::strtoul(argv[1], nullptr, 10);
  fs::path out = argv[2];
  std::mt19937 rng(12345);
  std::mt19937 words_rng(54321);  // its own sequence: the rest of the corpus stays as it was
  const Vocabulary vocabulary(words_rng);
  std::vector<std::string> titles;
  for (std::size_t i = 0; i < n; ++i) titles.push_back(title_of(i, rng));

  fs::path ours = out / "lexicon", hugo = out / "hugo";
  write(ours / "lexicon.yaml", "title: Synthetisch lexicon\nsubtitle: Benchmark\nbase_url: https://example.org/\nlanguage: nl\nlicence: CC0\neditors: [Bench]\n");
  std::string themas;
  for (std::size_t t = 0; t < 8; ++t) {
    themas += std::string(themes[t]) + ":\n  name: Thema " + themes[t] + "\n  description: Beschrijving van " + themes[t] +
              ".\n  order: " + std::to_string(t + 1) + "\n";
  }
  write(ours / "themas.yaml", themas);
  write(ours / "bronnen.yaml", "bron1:\n  authors: [\"Auteur, A.\"]\n  year: 2020\n  title: Een boek\n  publisher: Uitgever\n");
  write(hugo / "hugo.toml", "baseURL = 'https://example.org/'\nlanguageCode = 'nl'\ntitle = 'Synthetisch lexicon'\n[taxonomies]\n  thema = 'themas'\n");

  for (std::size_t i = 0; i < n; ++i) {
    std::string theme1 = themes[i % 8], theme2 = themes[(i / 8 + 3) % 8];
    // Spread over the alphabet as synonyms are ("alias <i>" put all 10,000 under A, on one letter page).
    std::string alias = std::string(words[(i * 7 + 3) % word_count]) + " " + std::to_string(i);
    std::vector<std::size_t> links;
    for (int k = 0; k < 4; ++k) links.push_back((i + 1 + rng() % (n > 1 ? n - 1 : 1)) % n);
    std::string ours_body, hugo_body;
    std::vector<std::string> topic;  // words this entry is about: rarer ones, each used several times
    for (int k = 0; k < 5; ++k) topic.push_back(vocabulary.words[200 + words_rng() % 7800]);
    for (int p = 0; p < 5; ++p) {
      std::string para, hpara;
      for (int s = 0; s < 4; ++s) {
        std::string sen = sentence(rng);
        para += sen + " ";
        hpara += sen + " ";
      }
      const std::string extra = vocabulary_sentence(vocabulary, topic, words_rng);
      para += extra + " ";
      hpara += extra + " ";
      std::size_t target = links[static_cast<std::size_t>(p) % links.size()];
      para += "Zie [[" + slug_of(target) + "]] en [@bron1].";
      hpara += "Zie [" + titles[target] + "](/begrippen/" + slug_of(target) + "/) en (Auteur, 2020).";
      ours_body += para + "\n\n";
      hugo_body += hpara + "\n\n";
    }
    std::string summary = sentence(rng);
    write(ours / "begrippen" / (slug_of(i) + ".md"),
          "---\ntitle: " + titles[i] + "\naliases: [\"" + alias + "\"]\nthemes: [" + theme1 + ", " + theme2 +
              "]\nsummary: " + summary + "\nrelated: [" + slug_of(links[0]) + "]\nsources: [bron1]\n---\n" + ours_body);
    write(hugo / "content" / "begrippen" / (slug_of(i) + ".md"),
          "---\ntitle: \"" + titles[i] + "\"\naliases: [\"/begrippen/alias-" + std::to_string(i) + "/\"]\nthemas: [\"" +
              theme1 + "\", \"" + theme2 + "\"]\nsummary: \"" + summary + "\"\n---\n" + hugo_body);
  }
  std::printf("%zu begrippen geschreven naar %s\n", n, out.c_str());
  return 0;
}
