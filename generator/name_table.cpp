#include "name_table.h"

#include <algorithm>
#include <bit>
#include <functional>

namespace lexicon {

namespace {

std::uint64_t hash_of(std::string_view name) { return std::hash<std::string_view>{}(name); }

std::string_view key_at(const NameTable& table, const NameSlot& slot) {
  return std::string_view(table.keys).substr(slot.offset, slot.length);
}

// The slot holding `name`, or the empty slot where it would go.
std::size_t slot_for(const NameTable& table, std::string_view name, std::uint64_t hash) {
  const std::size_t mask = table.slots.size() - 1;
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const NameSlot& slot = table.slots[i];
    if (slot.owner < 0 || (slot.hash == hash && key_at(table, slot) == name)) return i;
  }
}

void rehash(NameTable& table, std::size_t slot_count) {
  std::vector<NameSlot> old = std::move(table.slots);
  table.slots.assign(slot_count, NameSlot{});
  const std::size_t mask = slot_count - 1;
  for (const NameSlot& slot : old) {
    if (slot.owner < 0) continue;
    std::size_t i = slot.hash & mask;
    while (table.slots[i].owner >= 0) i = (i + 1) & mask;
    table.slots[i] = slot;
  }
}

}  // namespace

void reserve_names(NameTable& table, std::size_t names) {
  std::size_t wanted = std::bit_ceil(std::max<std::size_t>(16, names * 2));
  if (wanted > table.slots.size()) rehash(table, wanted);
}

int claim_name(NameTable& table, std::string_view name, int owner) {
  if ((table.count + 1) * 2 > table.slots.size()) reserve_names(table, table.count + 1);
  const std::uint64_t hash = hash_of(name);
  NameSlot& slot = table.slots[slot_for(table, name, hash)];
  if (slot.owner >= 0) return slot.owner;
  slot = NameSlot{hash, static_cast<std::uint32_t>(table.keys.size()), static_cast<std::uint32_t>(name.size()), owner};
  table.keys.append(name);
  ++table.count;
  return owner;
}

int find_name(const NameTable& table, std::string_view name) {
  if (table.slots.empty()) return -1;
  return table.slots[slot_for(table, name, hash_of(name))].owner;
}

}  // namespace lexicon
