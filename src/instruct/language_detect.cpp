#include "instruct/language_detect.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "instruct/language_profiles.h"
#include "instruct/unicode_regex.h"

namespace flash::instruct {

namespace {

// ASCII and Latin-1 letters to lowercase; enough for matching the profiles' words, which
// only use those letters. Byte lengths are unchanged.
std::string fold_case(std::string_view word) {
    std::string out(word);
    for (size_t i = 0; i < out.size(); ++i) {
        const auto byte = static_cast<unsigned char>(out[i]);
        if (byte >= 'A' && byte <= 'Z') {
            out[i] = static_cast<char>(byte + 32);
        } else if (byte == 0xC3 && i + 1 < out.size()) {
            const auto next = static_cast<unsigned char>(out[i + 1]);
            if (next >= 0x80 && next <= 0x9E && next != 0x97)
                out[i + 1] = static_cast<char>(next + 32);
            ++i;
        }
    }
    return out;
}

// Common word → the profiles (indices) that list it.
const std::map<std::string, std::vector<size_t>>& profiles_listing_each_word() {
    static const auto listing = [] {
        std::map<std::string, std::vector<size_t>> words;
        const auto& profiles = language_profiles();
        for (size_t p = 0; p < profiles.size(); ++p) {
            for (std::string_view word : profiles[p].common_words) {
                words[std::string(word)].push_back(p);
            }
        }
        return words;
    }();
    return listing;
}

std::string format_score(double score) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.1f", score);
    return buffer;
}

}  // namespace

LanguageGuess detect_language(std::string_view text) {
    static const UnicodeRegex letter(R"(\p{L})");
    static const UnicodeRegex latin_letter(R"(\p{Latin})");
    static const UnicodeRegex letter_run(R"(\p{L}+)");
    const size_t letters = letter.count(text);
    if (letters == 0) return {"", "no letters"};
    const size_t latin = latin_letter.count(text);
    if (latin * 2 < letters) {
        return {"", "mostly non-Latin letters (" + std::to_string(letters - latin) + " of " +
                        std::to_string(letters) + ")"};
    }

    const auto& profiles = language_profiles();
    const auto& listing = profiles_listing_each_word();
    std::vector<double> scores(profiles.size(), 0.0);
    for (const Span& span : letter_run.find_all(text)) {
        const auto found = listing.find(fold_case(text.substr(span.begin, span.end - span.begin)));
        if (found == listing.end()) continue;
        for (size_t p : found->second) scores[p] += 1.0 / static_cast<double>(found->second.size());
    }
    const std::string folded = fold_case(text);
    for (size_t p = 0; p < profiles.size(); ++p) {
        for (std::string_view mark : profiles[p].distinctive_letters) {
            for (size_t at = folded.find(mark); at != std::string::npos;
                 at = folded.find(mark, at + 1)) {
                scores[p] += 1.0;
            }
        }
    }

    std::vector<size_t> order(profiles.size());
    for (size_t p = 0; p < order.size(); ++p) order[p] = p;
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return scores[a] > scores[b]; });
    const size_t best = order[0], second = order[1];
    if (scores[best] == 0.0) return {"", "no common words of en, fr, es, de, it or pt"};
    const std::string detail =
        std::string(profiles[best].name) + " (score " + format_score(scores[best]) + "; next " +
        std::string(profiles[second].name) + " " + format_score(scores[second]) + ")";
    if (scores[best] == scores[second]) return {"", "a tie: " + detail};
    return {std::string(profiles[best].code), detail};
}

}  // namespace flash::instruct
