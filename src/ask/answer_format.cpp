#include "ask/answer_format.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "retrieval/sentences.h"

namespace flash::ask {

using grammar::CodeRange;
using grammar::GrammarBuilder;
using grammar::Sequence;

grammar::Grammar answer_grammar(int n_sentences, const AnswerShape& shape) {
    if (n_sentences < 1) throw Error("an answer grammar needs at least one sentence to cite");
    GrammarBuilder b;
    std::vector<Sequence> ids;
    for (int i = 1; i <= n_sentences; ++i)
        ids.push_back(GrammarBuilder::literal(std::to_string(i)));
    const uint32_t id = b.add("id", std::move(ids));
    Sequence marker = GrammarBuilder::literal("[");
    marker.push_back(GrammarBuilder::ref(id));
    for (const auto& e : GrammarBuilder::literal("]")) marker.push_back(e);
    const uint32_t citation = b.add("citation", {marker});
    const uint32_t more_citations = b.repeat("more-citations", {GrammarBuilder::ref(citation)}, 0,
                                             std::max(0, shape.max_citations - 1));
    // Claim text: anything but brackets and line breaks, starting with a non-space; it ends
    // where the model ends its line (or the answer).
    const std::vector<CodeRange> never = {{'\n', '\n'}, {'\r', '\r'}, {'[', '['}, {']', ']'}};
    std::vector<CodeRange> not_first = never;
    not_first.push_back({' ', ' '});
    const uint32_t rest = b.repeat("claim-rest", {GrammarBuilder::chars(never, /*negated=*/true)},
                                   0, std::max(0, shape.max_claim_chars - 1));
    Sequence claim_body = {GrammarBuilder::ref(citation), GrammarBuilder::ref(more_citations)};
    for (const auto& e : GrammarBuilder::literal(" ")) claim_body.push_back(e);
    claim_body.push_back(GrammarBuilder::chars(not_first, /*negated=*/true));
    claim_body.push_back(GrammarBuilder::ref(rest));
    const uint32_t claim = b.add("claim", {claim_body});
    Sequence next = GrammarBuilder::literal("\n");
    next.push_back(GrammarBuilder::ref(claim));
    const uint32_t more_claims =
        b.repeat("more-claims", next, 0, std::max(0, shape.max_claims - 1));
    const uint32_t root =
        b.add("answer", {GrammarBuilder::literal(k_abstain_text),
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

// One line: its markers (wherever they are) and its text without them.
DraftClaim read_line(std::string_view line) {
    DraftClaim claim;
    std::string text;
    for (size_t i = 0; i < line.size();) {
        int id = 0;
        if (const size_t used = read_marker(line, i, id)) {
            if (std::find(claim.cited.begin(), claim.cited.end(), id) == claim.cited.end())
                claim.cited.push_back(id);
            i += used;
            continue;
        }
        text += line[i++];
    }
    // Joining text around removed markers leaves " ." and doubled spaces.
    std::string tidy;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' && (tidy.empty() || tidy.back() == ' ')) continue;
        if ((c == '.' || c == ',' || c == '!' || c == '?' || c == ';' || c == ':') &&
            !tidy.empty() && tidy.back() == ' ')
            tidy.pop_back();
        if ((c == '.' || c == '!' || c == '?') && !tidy.empty() &&
            (tidy.back() == ',' || tidy.back() == ';'))
            tidy.pop_back();  // "blue [2], [5]." leaves "blue,."
        tidy += c;
    }
    claim.text = trim(tidy);
    while (!claim.text.empty() && (claim.text.back() == ',' || claim.text.back() == ';'))
        claim.text.pop_back();
    while (claim.text.size() > 1 && claim.text[0] == ',') claim.text = trim(claim.text.substr(1));
    return claim;
}

}  // namespace

DraftAnswer parse_answer(std::string_view text) {
    DraftAnswer answer;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        DraftClaim line = read_line(text.substr(start, end - start));
        if (!line.text.empty() || !line.cited.empty()) {
            const std::vector<retrieval::Sentence> sentences =
                retrieval::split_sentences(line.text);
            if (sentences.size() <= 1) {
                answer.claims.push_back(std::move(line));
            } else {
                for (const retrieval::Sentence& s : sentences)
                    answer.claims.push_back(
                        {line.text.substr(s.start, s.end - s.start), line.cited});
            }
        }
        start = end + 1;
    }
    const bool any_citation = std::any_of(answer.claims.begin(), answer.claims.end(),
                                          [](const DraftClaim& c) { return !c.cited.empty(); });
    if (!any_citation && says_unknown(text)) {
        answer.abstained = true;
        answer.claims.clear();
    }
    return answer;
}

}  // namespace flash::ask
