#include "instruct/unicode_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "core/error.h"

namespace flash::instruct {

struct UnicodeRegex::Compiled {
    pcre2_code* code = nullptr;
    ~Compiled() { pcre2_code_free(code); }
};

UnicodeRegex::UnicodeRegex(std::string_view pattern, Case match_case)
    : compiled_(std::make_unique<Compiled>()) {
    uint32_t options = PCRE2_UTF | PCRE2_UCP;
    if (match_case == Case::Insensitive) options |= PCRE2_CASELESS;
    int error = 0;
    PCRE2_SIZE error_offset = 0;
    compiled_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                    options, &error, &error_offset, nullptr);
    if (!compiled_->code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(error, message, sizeof message);
        throw Error("instruct: regex '" + std::string(pattern) + "' does not compile at offset " +
                    std::to_string(error_offset) + ": " + reinterpret_cast<const char*>(message));
    }
    // JIT only speeds matching up; without it everything still works.
    pcre2_jit_compile(compiled_->code, PCRE2_JIT_COMPLETE);
}

UnicodeRegex::~UnicodeRegex() = default;
UnicodeRegex::UnicodeRegex(UnicodeRegex&&) noexcept = default;
UnicodeRegex& UnicodeRegex::operator=(UnicodeRegex&&) noexcept = default;

std::optional<Span> UnicodeRegex::find(std::string_view text, size_t from) const {
    if (from > text.size()) return std::nullopt;
    std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> match(
        pcre2_match_data_create_from_pattern(compiled_->code, nullptr), &pcre2_match_data_free);
    const int rc = pcre2_match(compiled_->code, reinterpret_cast<PCRE2_SPTR>(text.data()),
                               text.size(), from, 0, match.get(), nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) return std::nullopt;
    if (rc < 0) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(rc, message, sizeof message);
        throw Error(std::string("instruct: regex match failed: ") +
                    reinterpret_cast<const char*>(message));
    }
    const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(match.get());
    return Span{ovector[0], ovector[1]};
}

std::vector<Span> UnicodeRegex::find_all(std::string_view text) const {
    std::vector<Span> spans;
    size_t from = 0;
    while (auto span = find(text, from)) {
        spans.push_back(*span);
        if (span->end > span->begin) {
            from = span->end;
            continue;
        }
        // Empty match: step over one whole UTF-8 character.
        from = span->end + 1;
        while (from < text.size() && (static_cast<unsigned char>(text[from]) & 0xC0) == 0x80) {
            ++from;
        }
    }
    return spans;
}

std::string escape_regex(std::string_view literal) {
    std::string out;
    for (const char c : literal) {
        const auto byte = static_cast<unsigned char>(c);
        const bool ascii_punctuation = byte < 0x80 && !(byte >= '0' && byte <= '9') &&
                                       !(byte >= 'A' && byte <= 'Z') &&
                                       !(byte >= 'a' && byte <= 'z') && byte > ' ';
        if (ascii_punctuation) out += '\\';
        out += c;
    }
    return out;
}

}  // namespace flash::instruct
