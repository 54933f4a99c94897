#pragma once
// `lexicon deploy nginx|systemd`: production configuration for the built site, printed to stdout.
#include <filesystem>
#include <string>

namespace lexicon {

struct DeployOptions {
  std::filesystem::path site_dir = "site";  // made absolute in the output
  std::filesystem::path binary;             // lexicon executable (systemd ExecStart)
  std::string prefix;                       // URL path prefix; "" = base_path from <site>/.lexicon/site.json
  std::string server_name = "_";            // nginx server_name
  std::string listen = "80";                // nginx listen
  std::string upstream = "127.0.0.1:8080";  // where `lexicon serve` listens
  std::string user = "lexicon";             // systemd User=
};

// An nginx `upstream` + `server` block for the http context (e.g. /etc/nginx/sites-available/lexicon):
// pages and assets straight from site/, /zoeken/ and /api/ proxied to `lexicon serve`, dotfiles and the
// index denied, caching headers set.
std::string nginx_config(const DeployOptions& options);

// A systemd service unit running `lexicon serve` on the upstream address, sandboxed and read-only.
std::string systemd_unit(const DeployOptions& options);

}  // namespace lexicon
