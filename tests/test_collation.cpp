#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "collation.h"

using namespace lexicon;

namespace {
std::vector<std::string> sorted(std::vector<std::string> titles) {
  std::sort(titles.begin(), titles.end(),
            [](const std::string& a, const std::string& b) { return collation_key(a) < collation_key(b); });
  return titles;
}
}  // namespace

TEST_CASE("Dutch A-Z order ignores diacritics and case") {
  CHECK(sorted({"Cultuur", "Cliënt", "casuïstiek", "Client-systeem", "Context"}) ==
        std::vector<std::string>{"casuïstiek", "Cliënt", "Client-systeem", "Context", "Cultuur"});
  CHECK(sorted({"Schön", "Schon", "Scholing", "schoonmaak"}) ==
        std::vector<std::string>{"Scholing", "Schon", "Schön", "schoonmaak"});
  CHECK(sorted({"Zorgethiek", "Émancipatie", "Ethiek", "Echtheid"}) ==
        std::vector<std::string>{"Echtheid", "Émancipatie", "Ethiek", "Zorgethiek"});
}

TEST_CASE("ij sorts as i followed by j") {
  auto order = sorted({"Ikigai", "IJsland", "Ideaal", "Iglo", "ijver", "Illusie", "Ĳzer", "Yoga", "Ii-test"});
  CHECK(order == std::vector<std::string>{"Ideaal", "Iglo", "Ii-test", "IJsland", "ijver", "Ĳzer", "Ikigai",
                                          "Illusie", "Yoga"});
  CHECK(az_letter("IJsland") == "i");
  CHECK(az_letter("Ĳzer") == "i");
}

TEST_CASE("leading articles are ignored") {
  auto order = sorted({"De klik", "Kennis", "Het gesprek", "Keuze", "Een ander", "Deken", "'t Hoofd", "Hoop"});
  CHECK(order == std::vector<std::string>{"Een ander", "Deken", "Het gesprek", "'t Hoofd", "Hoop", "Kennis",
                                          "Keuze", "De klik"});
  CHECK(az_letter("De klik") == "k");
  CHECK(az_letter("Het gesprek") == "g");
  CHECK(az_letter("Een ander") == "a");
  CHECK(az_letter("Deken") == "d");
  // The article alone is not stripped.
  CHECK(az_letter("De") == "d");
}

TEST_CASE("punctuation separates words, ties broken by the original text") {
  CHECK(collation_key("case-based").substr(0, 11) == "case based\x01");
  CHECK(collation_key("Case based") < collation_key("case-based"));
  CHECK(sorted({"Zorg", "zorg"}) == std::vector<std::string>{"Zorg", "zorg"});
  CHECK(collation_key("zorg") != collation_key("Zorg"));
}

TEST_CASE("az_letter for digits, symbols and other scripts") {
  CHECK(az_letter("40-30-15-15") == "#");
  CHECK(az_letter("'s-Hertogenbosch") == "s");
  CHECK(az_letter("Émile") == "e");
  CHECK(az_letter("φρόνησις") == "#");
  CHECK(az_letter("") == "#");
  CHECK(az_letter("presentie") == "p");
  CHECK(az_letter("Zorgmijding") == "z");
  // Digits sort before letters.
  CHECK(collation_key("40-30-15-15") < collation_key("Aandacht"));
}
