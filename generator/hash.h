#pragma once
// A fast 64-bit hash over length-prefixed fields: change detection (build fingerprints) and HTTP
// validators, not security.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lexicon {

using Fingerprint = std::uint64_t;

class Hasher {
 public:
  Hasher& add(std::string_view bytes);
  Hasher& add(std::uint64_t value);
  Hasher& add(const std::vector<std::string>& list);
  Fingerprint value() const;

 private:
  std::uint64_t h_ = 0x6a09e667f3bcc908ull;
  void mix(std::uint64_t word);
};

// Git's blob id (hex SHA-1 of "blob <size>\0" + bytes), as `git hash-object` gives it: what the input
// scan records per file, so a parsed file can be matched to a scanned one without reading it again.
std::string git_blob_id(std::string_view bytes);

}  // namespace lexicon
