#include "ask/support.h"

#include <algorithm>

#include "ask/lexical.h"

namespace flash::ask {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

Support support_of(std::string_view claim, const std::vector<std::string_view>& cited,
                   const SupportOptions& options) {
    Support s;
    const LexicalTerms c = lexical_terms(claim);
    LexicalTerms evidence;
    for (std::string_view text : cited) {
        LexicalTerms t = lexical_terms(text);
        evidence.words.insert(evidence.words.end(), t.words.begin(), t.words.end());
        evidence.numbers.insert(evidence.numbers.end(), t.numbers.begin(), t.numbers.end());
    }
    s.numbers_found = true;
    for (const std::string& n : c.numbers) {
        if (!contains(evidence.numbers, n)) {
            s.numbers_found = false;
            s.missing = n;
            break;
        }
    }
    size_t found = 0;
    for (const std::string& w : c.words) {
        if (contains(evidence.words, w))
            ++found;
        else if (s.missing.empty())
            s.missing = w;
    }
    if (!c.words.empty()) s.coverage = static_cast<double>(found) / c.words.size();
    else if (!c.numbers.empty()) s.coverage = s.numbers_found ? 1.0 : 0.0;
    // A claim with no word or number to check ("Yes.") cannot be verified, so it is not
    // counted as supported.
    const bool has_terms = !c.words.empty() || !c.numbers.empty();
    s.supported = has_terms && s.numbers_found && s.coverage >= options.min_coverage;
    return s;
}

}  // namespace flash::ask
