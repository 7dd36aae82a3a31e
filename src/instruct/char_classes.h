// Per-byte Unicode classes of one text (letter/digit, lowercase, uppercase, space), computed
// once with PCRE2's properties so that hand-written scanners (sentences, markdown) can walk
// bytes and still treat "É", "ß" or "日" correctly. Every byte of a character gets its class.
#pragma once

#include <string_view>
#include <vector>

namespace flash::instruct {

class CharClasses {
  public:
    explicit CharClasses(std::string_view text);

    bool is_word(size_t byte) const { return word_[byte]; }  // \p{L}, \p{M}, \p{N}
    bool is_lower(size_t byte) const { return lower_[byte]; }
    bool is_upper(size_t byte) const { return upper_[byte]; }  // \p{Lu} or \p{Lt}
    bool is_space(size_t byte) const { return space_[byte]; }  // \s, Unicode spaces included

  private:
    std::vector<bool> word_, lower_, upper_, space_;
};

}  // namespace flash::instruct
