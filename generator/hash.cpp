#include "hash.h"

#include <bit>
#include <cstring>

#include <git2.h>

namespace lexicon {

void Hasher::mix(std::uint64_t word) {
  h_ ^= word * 0x9e3779b97f4a7c15ull;
  h_ = std::rotl(h_, 29) * 0xbf58476d1ce4e5b9ull + 0x94d049bb133111ebull;
}

Hasher& Hasher::add(std::string_view bytes) {
  mix(bytes.size() ^ 0x5bd1e995ull);
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);
    mix(w);
  }
  std::uint64_t tail = 0;
  std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  mix(tail);
  return *this;
}

Hasher& Hasher::add(std::uint64_t value) {
  mix(value);
  mix(0xa0761d6478bd642full);
  return *this;
}

Hasher& Hasher::add(const std::vector<std::string>& list) {
  add(static_cast<std::uint64_t>(list.size()));
  for (const auto& s : list) add(s);
  return *this;
}

Fingerprint Hasher::value() const {
  std::uint64_t z = h_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string git_blob_id(std::string_view bytes) {
  // Pure computation with libgit2's built-in SHA-1: needs no git_libgit2_init.
  git_oid oid;
  if (git_odb_hash(&oid, bytes.data(), bytes.size(), GIT_OBJECT_BLOB) != 0) return "?";
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, &oid);
  return hex;
}

}  // namespace lexicon
