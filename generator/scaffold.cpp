#include "scaffold.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "text.h"

namespace fs = std::filesystem;

namespace lexicon {

std::string yaml_scalar(const std::string& text) {
  bool plain = !text.empty() && text.front() != ' ' && text.back() != ' ';
  static const std::string bad_first = "-?:,[]{}#&*!|>'\"%@`";
  if (plain && bad_first.find(text.front()) != std::string::npos) plain = false;
  if (plain && (text.find(": ") != std::string::npos || text.find(" #") != std::string::npos || text.back() == ':')) plain = false;
  // Words YAML would read as booleans, null or numbers.
  static const std::vector<std::string> special = {"true", "false", "yes", "no", "on", "off", "null", "~"};
  std::string lower = fold(text);
  for (const auto& s : special) plain = plain && lower != s;
  if (plain && text.find_first_not_of("0123456789.+-eE") == std::string::npos) plain = false;
  if (plain) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string entry_skeleton(const std::string& title, const std::string& theme) {
  std::string themes = theme.empty() ? "[]" : "[" + theme + "]";
  return fmt::format(R"(---
title: {}
aliases: []
themes: {}
summary: ""
related: []
sources: []
---
Vervang deze aanwijzingen door je eigen tekst; `lexicon check` laat zien wat nog ontbreekt.
Begin met een korte omschrijving van het begrip in gewone taal: wat betekent het, en waarom
doet het ertoe in het werk?

## Herkomst

Waar komt het begrip vandaan? Verwijs naar een bron met `[@sleutel]` (de sleutels staan in
bronnen.yaml) en zet die sleutel ook onder `sources`.

## In de praktijk

Geef een voorbeeld uit de praktijk. Verwijs naar verwante begrippen met `[[begrip]]` en noem de
belangrijkste onder `related`.
)",
                     yaml_scalar(title), themes);
}

NewEntry create_entry(const fs::path& content_dir, const std::string& raw_title, const std::string& theme) {
  NewEntry r;
  std::string title = trim(raw_title);
  std::string display_root = content_dir.generic_string();
  while (display_root.size() > 1 && display_root.back() == '/') display_root.pop_back();
  if (title.empty() || find_invalid_utf8(title) != std::string::npos || title.find('\n') != std::string::npos) {
    r.exit_code = 2;
    r.message = "geef de titel van het begrip, bijvoorbeeld: lexicon new \"Aansluiten en afstemmen\"";
    return r;
  }
  std::string slug = slugify(title);
  if (slug.empty()) {
    r.exit_code = 2;
    r.message = fmt::format("van de titel '{}' kan geen bestandsnaam worden gemaakt; gebruik letters of cijfers", title);
    return r;
  }
  std::error_code ec;
  if (!fs::is_directory(content_dir, ec)) {
    r.exit_code = 2;
    r.message = fmt::format("{}: map bestaat niet (geef de inhoudsmap met --content)", display_root);
    return r;
  }
  if (!theme.empty()) {
    std::vector<std::string> slugs;
    try {
      YAML::Node themes = YAML::LoadFile((content_dir / "themas.yaml").string());
      if (themes.IsMap()) {
        for (const auto& kv : themes) {
          if (kv.first.IsScalar()) slugs.push_back(kv.first.Scalar());
        }
      }
    } catch (const YAML::Exception&) {
      // A missing or broken themas.yaml leaves no valid themes; `lexicon check` reports why.
    }
    if (std::find(slugs.begin(), slugs.end(), theme) == slugs.end()) {
      std::string guess = nearest(theme, slugs, 3);
      r.exit_code = 2;
      r.message = guess.empty() ? fmt::format("onbekend thema '{}' (zie {}/themas.yaml)", theme, display_root)
                                : fmt::format("onbekend thema '{}'; bedoeld: '{}'?", theme, guess);
      return r;
    }
  }
  fs::path dir = content_dir / "begrippen";
  fs::create_directories(dir, ec);
  fs::path file = dir / (slug + ".md");
  r.path = display_root + "/begrippen/" + slug + ".md";
  // O_EXCL: never overwrite, even if the file appears between a check and the write.
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    int err = errno;
    r.exit_code = err == EEXIST ? 1 : 2;
    r.message = err == EEXIST ? fmt::format("{} bestaat al; er is niets overschreven. Kies een andere titel of bewerk dat bestand.", r.path)
                              : fmt::format("{}: kan niet schrijven: {}", r.path, std::strerror(err));
    return r;
  }
  std::string text = entry_skeleton(title, theme);
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      fs::remove(file, ec);
      r.exit_code = 2;
      r.message = fmt::format("{}: kan niet schrijven: {}", r.path, std::strerror(err));
      return r;
    }
    done += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return r;
}

}  // namespace lexicon
