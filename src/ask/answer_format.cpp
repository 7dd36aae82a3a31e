#include "ask/answer_format.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"

namespace flash::ask {

using grammar::CodeRange;
using grammar::GrammarBuilder;
using grammar::Sequence;

grammar::Grammar answer_grammar(int n_sentences, const AnswerShape& shape) {
    if (n_sentences < 1) throw Error("an answer grammar needs at least one sentence to cite");
    GrammarBuilder b;
    std::vector<Sequence> ids;
    for (int i = 1; i <= n_sentences; ++i) ids.push_back(GrammarBuilder::literal(std::to_string(i)));
    const uint32_t id = b.add("id", std::move(ids));
    Sequence marker = GrammarBuilder::literal("[");
    marker.push_back(GrammarBuilder::ref(id));
    for (const auto& e : GrammarBuilder::literal("]")) marker.push_back(e);
    const uint32_t citation = b.add("citation", {marker});
    const uint32_t more_citations = b.repeat("more-citations", {GrammarBuilder::ref(citation)}, 0,
                                             std::max(0, shape.max_citations - 1));
    // Claim text: one sentence — anything but brackets and line breaks, starting with a
    // non-space; '.', '!' or '?' only inside a token ("$7.95"), before a lowercase word
    // ("9 a.m. to 5") or last, right before the citations. So a claim cannot run on into a
    // second sentence.
    const std::vector<CodeRange> never = {{'\n', '\n'}, {'\r', '\r'}, {'[', '['}, {']', ']'}};
    std::vector<CodeRange> not_plain = never, not_first = never, not_after_stop = never;
    for (const uint32_t stop : {'.', '!', '?'}) {
        not_plain.push_back({stop, stop});
        not_first.push_back({stop, stop});
    }
    not_first.push_back({' ', ' '});
    not_after_stop.push_back({' ', ' '});
    const auto stop_char = GrammarBuilder::chars({{'!', '!'}, {'.', '.'}, {'?', '?'}});
    const auto space = GrammarBuilder::chars({{' ', ' '}});
    const auto lowercase = GrammarBuilder::chars({{'a', 'z'}});
    const uint32_t unit = b.add("claim-char", {{GrammarBuilder::chars(not_plain, /*negated=*/true)},
                                               {stop_char, GrammarBuilder::chars(not_after_stop, true)},
                                               {stop_char, space, lowercase}});
    const uint32_t rest = b.repeat("claim-rest", {GrammarBuilder::ref(unit)}, 0, std::max(0, shape.max_claim_chars - 1));
    const uint32_t end_stop = b.optional("claim-stop", {stop_char});
    Sequence claim_body = {GrammarBuilder::chars(not_first, /*negated=*/true), GrammarBuilder::ref(rest),
                           GrammarBuilder::ref(end_stop)};
    for (const auto& e : GrammarBuilder::literal(" ")) claim_body.push_back(e);
    claim_body.push_back(GrammarBuilder::ref(citation));
    claim_body.push_back(GrammarBuilder::ref(more_citations));
    const uint32_t claim = b.add("claim", {claim_body});
    Sequence next = GrammarBuilder::literal("\n");
    next.push_back(GrammarBuilder::ref(claim));
    const uint32_t more_claims = b.repeat("more-claims", next, 0, std::max(0, shape.max_claims - 1));
    const uint32_t root = b.add("answer", {GrammarBuilder::literal(k_abstain_text),
                                           {GrammarBuilder::ref(claim), GrammarBuilder::ref(more_claims)}});
    return b.build(root);
}

namespace {

std::string trim(std::string_view s) {
    size_t a = 0, z = s.size();
    while (a < z && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
    while (z > a && std::isspace(static_cast<unsigned char>(s[z - 1]))) --z;
    return std::string(s.substr(a, z - a));
}

bool says_unknown(std::string_view text) {
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    for (const char* phrase : {"i don't know", "i do not know", "i don’t know"})
        if (lower.find(phrase) != std::string::npos) return true;
    return false;
}

// Reads "[12]" at s[i]; returns the characters used (0 when it is not a marker).
size_t read_marker(std::string_view s, size_t i, int& id) {
    if (i >= s.size() || s[i] != '[') return 0;
    size_t j = i + 1;
    long value = 0;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j])) && j - i <= 6)
        value = value * 10 + (s[j++] - '0');
    if (j == i + 1 || j >= s.size() || s[j] != ']') return 0;
    id = static_cast<int>(value);
    return j + 1 - i;
}

}  // namespace

DraftAnswer parse_answer(std::string_view text) {
    DraftAnswer answer;
    DraftClaim current;
    std::string pending;
    const auto flush = [&] {
        std::string t = trim(pending);
        if (!t.empty() || !current.cited.empty()) {
            current.text = std::move(t);
            answer.claims.push_back(std::move(current));
        }
        current = {};
        pending.clear();
    };
    for (size_t i = 0; i < text.size();) {
        int id = 0;
        if (const size_t used = read_marker(text, i, id)) {
            current.cited.push_back(id);
            i += used;
            // More markers may follow ("[2][5]", "[2], [5]"); a claim ends after the last.
            size_t j = i;
            while (j < text.size() && (text[j] == ' ' || text[j] == ',')) ++j;
            int next = 0;
            if (read_marker(text, j, next)) {
                i = j;
                continue;
            }
            // "… 30 days [3]." keeps the period with its claim.
            if (i < text.size() && (text[i] == '.' || text[i] == '!' || text[i] == '?')) {
                while (!pending.empty() && pending.back() == ' ') pending.pop_back();
                pending += text[i++];
            }
            flush();
            continue;
        }
        if (text[i] == '\n' && !trim(pending).empty() && current.cited.empty()) {
            flush();  // a line with no citation is a claim of its own
            ++i;
            continue;
        }
        pending += text[i++];
    }
    flush();
    const bool any_citation = std::any_of(answer.claims.begin(), answer.claims.end(),
                                          [](const DraftClaim& c) { return !c.cited.empty(); });
    if (!any_citation && says_unknown(text)) {
        answer.abstained = true;
        answer.claims.clear();
    }
    return answer;
}

}  // namespace flash::ask
