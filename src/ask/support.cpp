#include "ask/support.h"

#include "ask/lexical.h"

namespace flash::ask {

Support support_of(std::string_view claim, const std::vector<std::string_view>& cited,
                   const SupportOptions& options, std::string_view question) {
    Support s;
    const LexicalTerms c = lexical_terms(claim);
    const LexicalTerms q = lexical_terms(question);
    const LexicalTerms evidence = lexical_terms(cited);
    s.numbers_found = true;
    for (const std::string& n : c.numbers) {
        if (!contains(evidence.numbers, n) && !contains(q.numbers, n)) {
            s.numbers_found = false;
            s.missing = n;
            break;
        }
    }
    // What the claim adds: words and numbers the question did not already say.
    std::vector<std::string> judged;
    size_t new_numbers = 0;
    for (const std::string& w : c.words)
        if (!contains(q.words, w)) judged.push_back(w);
    for (const std::string& n : c.numbers) new_numbers += !contains(q.numbers, n);
    if (judged.empty() && new_numbers == 0) judged = c.words;  // nothing new: must be on topic
    size_t found = 0;
    for (const std::string& w : judged) {
        if (contains(evidence.words, w))
            ++found;
        else if (s.missing.empty())
            s.missing = w;
    }
    // New numbers count as found when they are (all numbers were checked above).
    const size_t total = judged.size() + new_numbers;
    if (total > 0)
        s.coverage = static_cast<double>(found + (s.numbers_found ? new_numbers : 0)) / total;
    // A claim with no word or number to check ("Yes.") cannot be verified, so it is not
    // counted as supported.
    const bool has_terms = !c.words.empty() || !c.numbers.empty();
    s.supported =
        has_terms && !cited.empty() && s.numbers_found && s.coverage >= options.min_coverage;
    return s;
}

}  // namespace flash::ask
