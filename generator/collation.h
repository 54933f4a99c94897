#pragma once
// Dutch A–Z order: diacritics ignored, "ij" as i + j, leading articles ignored
// ("De klik" sorts under K).
#include <string>
#include <string_view>

namespace lexicon {

std::string collation_key(std::string_view title);

// The A–Z letter of a title ("a".."z", or "#" for digits and other characters).
std::string az_letter(std::string_view title);
// The same from the title's collation_key, made already.
char az_letter_of_key(std::string_view key);

}  // namespace lexicon
