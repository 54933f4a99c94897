#pragma once
// The one schema shared by the indexer and every query path. Change it here only.
namespace lexicon::schema {

inline constexpr const char* stemmer_language = "kraaij_pohlmann";

// Term prefixes. Unprefixed terms are folded words (diacritics removed, lowercase), including the
// joined form of hyphenated words ("reflectioninaction") and the known parts of compounds
// ("bemoeizorg" also gives "bemoei" and "zorg"); the same holds for their stems under "Z".
inline constexpr const char* stemmed = "Z";       // "Z" + stem(folded word)
inline constexpr const char* exact = "E";         // "E" + lowercase word with diacritics, when it has any
inline constexpr const char* name_word = "N";     // folded word of a title or alias (field boost)
inline constexpr const char* name_stem = "XS";    // stem of a word of a title or alias (field boost)
inline constexpr const char* whole_name = "XN";   // whole folded title or alias, for exact-match ranking
                                                  // (words joined by ' ', and also written as one word)
inline constexpr const char* whole_stem = "XW";   // whole title or alias as stems joined by ' '
inline constexpr const char* theme = "XT";        // theme slug (boolean filter, facet)
inline constexpr const char* doc_type = "XY";     // "begrip", "pagina", "bron"
inline constexpr const char* unique_id = "Q";     // "Q" + type + ":" + slug

// Within-document frequencies: how much a word weighs by where it stands.
inline constexpr unsigned title_weight = 8;
inline constexpr unsigned alias_weight = 5;
inline constexpr unsigned summary_weight = 3;
inline constexpr unsigned body_weight = 1;

// Metadata keys.
inline constexpr const char* metadata_compound_parts = "compound_parts";  // known parts, '\n'-separated
inline constexpr const char* metadata_theme_table = "theme_table";  // themes per docid (facets.h)

// Value slots.
inline constexpr unsigned slot_themes = 0;  // themes joined by '\n', for facet counts
inline constexpr unsigned slot_type_rank = 1;  // "0" entry, "1" page, "2" source: entries first on ties
inline constexpr unsigned slot_unique_id = 2;  // the unique id term, read in one pass by an index update

// Names of the document types (also shown in the UI and JSON).
inline constexpr const char* type_entry = "begrip";
inline constexpr const char* type_page = "pagina";
inline constexpr const char* type_source = "bron";

}  // namespace lexicon::schema
