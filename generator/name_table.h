#pragma once
// Resolve's table of names: folded slugs, titles and aliases -> the entry they name.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace lexicon {

// Open addressing over one block of key bytes. At 10,000 entries (40,000 names, ~100,000 lookups per
// build) a node-based map's allocation per name and its pointer chases were a third of resolving.
struct NameSlot {
  std::uint64_t hash = 0;
  std::uint32_t offset = 0;
  std::uint32_t length = 0;
  int owner = -1;  // -1: empty slot
};

struct NameTable {
  std::vector<NameSlot> slots;  // a power of two in size, at most half full
  std::string keys;             // every key's bytes, one after another
  std::size_t count = 0;
};

void reserve_names(NameTable& table, std::size_t names);

// Adds `name` for `owner` unless it is there already; gives the owner it has after the call.
int claim_name(NameTable& table, std::string_view name, int owner);

// The owner of `name`, or -1.
int find_name(const NameTable& table, std::string_view name);

}  // namespace lexicon
