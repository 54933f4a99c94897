#include "binary_io.h"

#include <unistd.h>

#include <fstream>
#include <stdexcept>

namespace lexicon {

void write_file_in_pieces(const std::filesystem::path& file, const std::function<void(const ByteSink&)>& produce) {
  std::filesystem::path tmp = file;
  tmp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    produce([&](std::string_view bytes) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(tmp, ignored);
      throw std::runtime_error("kan " + file.string() + " niet schrijven");
    }
  }
  std::filesystem::rename(tmp, file);
}

std::optional<std::string> read_whole_file(const std::filesystem::path& file) {
  std::error_code ec;
  auto size = std::filesystem::file_size(file, ec);
  std::ifstream in(file, std::ios::binary);
  if (ec || !in) return std::nullopt;
  std::string bytes(size, '\0');
  if (!in.read(bytes.data(), static_cast<std::streamsize>(size))) return std::nullopt;
  return bytes;
}

}  // namespace lexicon
