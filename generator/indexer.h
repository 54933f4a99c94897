#pragma once
// Builds the Xapian index from the parsed corpus (not from HTML). Single writer thread.
#include <filesystem>

#include "render.h"
#include "resolve.h"

namespace lexicon {

void build_index(const ParsedCorpus& parsed, const LinkGraph& graph, const std::filesystem::path& index_dir);

}  // namespace lexicon
