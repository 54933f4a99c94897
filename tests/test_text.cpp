#include <doctest/doctest.h>

#include "text.h"

using namespace lexicon;

TEST_CASE("fold removes diacritics and lowercases") {
  CHECK(fold("Cliënt") == "client");
  CHECK(fold("Casuïstiek") == "casuistiek");
  CHECK(fold("Schön") == "schon");
  CHECK(fold("phronèsis") == "phronesis");
  CHECK(fold("ĳs") == "ijs");
}
