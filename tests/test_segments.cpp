// Outputs written in segments (segments.h): the SKOS export and the suggestions list copy the segments
// whose fingerprint is unchanged from the current file, and write only the others.
#include <doctest/doctest.h>

#include <algorithm>

#include "build_helpers.h"
#include "content.h"
#include "resolve.h"
#include "segments.h"
#include "skos.h"

using namespace lexicon;
using namespace testutil;

namespace {

PreviousOutput previous_of(std::string bytes, SegmentTable table) { return PreviousOutput{FileBytes(std::move(bytes)), std::move(table)}; }

struct Lexicon {
  Diagnostics diagnostics;
  ParsedCorpus parsed = parse_corpus(load_corpus(fixtures_dir() / "good/content", diagnostics), 2, diagnostics);
  LinkGraph graph = resolve(parsed, diagnostics);
  void again() { graph = resolve(parsed, diagnostics); }
  std::size_t entry(const std::string& slug) const {
    const auto& entries = parsed.corpus.entries;
    auto it = std::find_if(entries.begin(), entries.end(), [&](const Document& d) { return d.slug == slug; });
    REQUIRE(it != entries.end());
    return static_cast<std::size_t>(it - entries.begin());
  }
};

// The segment holding `needle`, found through the table.
const Segment* segment_with(const OutputFile& file, const std::string& needle) {
  for (const Segment& s : file.segments->segments) {
    if (file.content.substr(s.offset, s.length).find(needle) != std::string::npos) return &s;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a segment with a known print is copied from the previous bytes, the others are written") {
  SegmentedText first(7, nullptr);
  first.text = "[";
  first.segment(1, [](std::string& out) { out += "een"; });
  first.text += ",";
  first.segment(2, [](std::string& out) { out += "twee"; });
  first.text += "]";
  const SegmentTable table = first.table();
  CHECK(first.text == "[een,twee]");
  CHECK(table.size == first.text.size());
  REQUIRE(table.segments.size() == 2);
  CHECK(table.segments[1] == Segment{2, 5, 4});

  // The previous file says "TWEE" where segment 2 was: what is copied comes from there, not from write.
  const PreviousOutput previous = previous_of("[een,TWEE]", table);
  SegmentedText second(7, &previous);
  int written = 0;
  second.segment(3, [&](std::string& out) { ++written, out += "drie"; });
  second.segment(2, [&](std::string& out) { ++written, out += "twee"; });
  CHECK(second.text == "drieTWEE");
  CHECK(written == 1);
  CHECK(second.copied() == 1);
  CHECK(second.table().segments == std::vector<Segment>{{3, 0, 4}, {2, 4, 4}});

  SUBCASE("another context, or a file of another size, lends nothing") {
    for (const auto& [context, bytes] : {std::pair<Fingerprint, std::string>{8, "[een,TWEE]"}, {7, "[een,TWEE]\n"}}) {
      auto previous = previous_of(bytes, table);
      SegmentedText third(context, &previous);
      third.segment(2, [](std::string& out) { out += "twee"; });
      CHECK(third.text == "twee");
      CHECK(third.copied() == 0);
    }
  }
  SUBCASE("a segment outside the file is not copied") {
    SegmentTable damaged = table;
    damaged.segments[1].offset = 100;
    auto previous = previous_of("[een,TWEE]", damaged);
    SegmentedText third(7, &previous);
    third.segment(2, [](std::string& out) { out += "twee"; });
    CHECK(third.text == "twee");
  }
}

TEST_CASE("segment tables survive a round trip, and another binary's or a damaged file gives none") {
  SegmentTables tables;
  tables["skos.ttl"] = SegmentTable{11, 300, {{1, 0, 10}, {2, 10, 290}}};
  tables["zoeken/index.json"] = SegmentTable{12, 5, {}};
  const std::string bytes = serialise_segment_tables(tables, "binary-a");
  CHECK(decode_segment_tables(bytes, "binary-a") == tables);
  CHECK(decode_segment_tables(bytes, "binary-b").empty());
  CHECK(decode_segment_tables(bytes.substr(0, bytes.size() - 3), "binary-a").empty());
  CHECK(decode_segment_tables(bytes + "x", "binary-a").empty());
  CHECK(decode_segment_tables("", "binary-a").empty());
}

TEST_CASE("the SKOS export after a title edit copies the other entries' nodes and equals a fresh export") {
  Lexicon lexicon;
  REQUIRE_FALSE(lexicon.diagnostics.has_errors());
  const OutputFile ttl = skos_turtle(lexicon.parsed, lexicon.graph);
  const OutputFile jsonld = skos_jsonld(lexicon.parsed, lexicon.graph);
  REQUIRE(ttl.segments);
  REQUIRE(jsonld.segments);
  // A node per entry and per theme.
  const std::size_t nodes = lexicon.parsed.corpus.entries.size() + lexicon.parsed.corpus.themes.size();
  CHECK(ttl.segments->segments.size() == nodes);
  CHECK(jsonld.segments->segments.size() == nodes);

  // Marks an unchanged node in the "current" files (same length): the export after the edit must carry
  // the mark, so that node was copied; the edited entry's node is written anew.
  const std::string unchanged = "skos:prefLabel \"Leefwereld\"@nl";
  const Segment* mark = segment_with(ttl, unchanged);
  REQUIRE(mark);
  std::string marked = ttl.content;
  auto at = marked.find(unchanged, mark->offset);
  marked.replace(at, unchanged.size(), "skos:prefLabel \"LEEFWERELD\"@nl");

  lexicon.parsed.corpus.entries[lexicon.entry("client")].title = "Cliënt of bewoner";
  lexicon.again();
  auto previous_ttl = previous_of(marked, *ttl.segments);
  const OutputFile ttl_after = skos_turtle(lexicon.parsed, lexicon.graph, &previous_ttl);
  CHECK(contains(ttl_after.content, "\"LEEFWERELD\"@nl"));
  CHECK(contains(ttl_after.content, "\"Cliënt of bewoner\"@nl"));

  // Unmarked, it is the fresh export byte for byte (and its table too).
  auto previous_clean = previous_of(ttl.content, *ttl.segments);
  const OutputFile ttl_copied = skos_turtle(lexicon.parsed, lexicon.graph, &previous_clean);
  const OutputFile ttl_fresh = skos_turtle(lexicon.parsed, lexicon.graph);
  CHECK(ttl_copied.content == ttl_fresh.content);
  CHECK(*ttl_copied.segments == *ttl_fresh.segments);
  auto previous_jsonld = previous_of(jsonld.content, *jsonld.segments);
  const OutputFile jsonld_copied = skos_jsonld(lexicon.parsed, lexicon.graph, &previous_jsonld);
  const OutputFile jsonld_fresh = skos_jsonld(lexicon.parsed, lexicon.graph);
  CHECK(jsonld_copied.content == jsonld_fresh.content);
  CHECK(contains(jsonld_fresh.content, "\"skos:prefLabel\":\"Cliënt of bewoner\""));

  // A new base URL changes every IRI: nothing is copied.
  lexicon.parsed.corpus.config.base_url = "https://elders.example.org/";
  auto previous_marked = previous_of(marked, *ttl.segments);
  const OutputFile moved = skos_turtle(lexicon.parsed, lexicon.graph, &previous_marked);
  CHECK_FALSE(contains(moved.content, "LEEFWERELD"));
  CHECK(contains(moved.content, "<https://elders.example.org/begrippen/leefwereld/>"));
}
