#pragma once
// `lexicon serve`: the built site plus the search API, on loopback by default.
#include <filesystem>
#include <string>

namespace lexicon {

struct ServeOptions {
  std::filesystem::path site_dir = "site";
  std::filesystem::path index_dir;  // empty: <site>/.xapian
  std::string host = "127.0.0.1";
  int port = 8080;
};

int run_server(const ServeOptions& options);

// Maps a request path to a file under site_dir, or "" when it must not be served
// (dotfiles, the index, traversal, symlinks leaving the tree).
std::filesystem::path resolve_request_path(const std::filesystem::path& site_dir, const std::string& request_path);

std::string content_type_for(const std::filesystem::path& file);

}  // namespace lexicon
