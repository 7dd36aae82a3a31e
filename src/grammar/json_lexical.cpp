// JSON strings, numbers, keys, any value and layout as grammar rules (see json_lexical.h).
#include "grammar/json_lexical.h"

#include <map>

#include "core/utf8.h"
#include "grammar/expr.h"

namespace flash::grammar::detail {

namespace {

Element ch(uint32_t c) {
    return GrammarBuilder::chars({{c, c}});
}
Element hex() {
    return GrammarBuilder::chars({{'0', '9'}, {'a', 'f'}, {'A', 'F'}});
}
Sequence lit(std::string_view s) {
    return GrammarBuilder::literal(s);
}
Sequence cat(Sequence a, const Sequence& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

JsonLexicon::JsonLexicon(GrammarBuilder& b, RuleNamer& names, bool pretty, int indent)
    : b_(b), names_(names), pretty_(pretty), indent_(indent < 0 ? 0 : indent) {}

std::vector<CodeRange> JsonLexicon::raw_excluded() {
    return {{0, 0x1F}, {'"', '"'}, {'\\', '\\'}};
}

int JsonLexicon::layout_key(int depth) const {
    if (!pretty_) return 0;
    return depth < kMaxPrettyDepth ? depth : kMaxPrettyDepth;
}

std::string JsonLexicon::indentation(int depth) const {
    return std::string(static_cast<size_t>(depth) * static_cast<size_t>(indent_), ' ');
}

// prefix + indentation, built by appending (GCC 12 warns falsely on "literal" + string).
static std::string indented(std::string prefix, const std::string& pad) {
    prefix += pad;
    return prefix;
}

Sequence JsonLexicon::open(int depth) const {
    return pretty_at(depth) ? lit(indented("\n", indentation(depth + 1))) : Sequence{};
}

Sequence JsonLexicon::close(int depth) const {
    return pretty_at(depth) ? lit(indented("\n", indentation(depth))) : Sequence{};
}

Sequence JsonLexicon::separator(int depth) {
    if (pretty_at(depth)) return lit(indented(",\n", indentation(depth + 1)));
    return {ch(','), GrammarBuilder::ref(optional_space())};
}

Sequence JsonLexicon::colon(int depth) {
    if (pretty_at(depth)) return lit(": ");
    return {ch(':'), GrammarBuilder::ref(optional_space())};
}

uint32_t JsonLexicon::optional_space() {
    if (!space_) space_ = optional_rule(b_, names_, "sp", {ch(' ')});
    return *space_;
}

// One code point of string content: a raw character, a short escape, \uXXXX outside the
// surrogates, or a surrogate pair — so counting these counts code points exactly.
uint32_t JsonLexicon::string_char() {
    if (string_char_) return *string_char_;
    std::vector<Sequence> alts;
    alts.push_back({GrammarBuilder::chars(raw_excluded(), true)});
    alts.push_back({ch('\\'), GrammarBuilder::chars({{'"', '"'},
                                                     {'\\', '\\'},
                                                     {'/', '/'},
                                                     {'b', 'b'},
                                                     {'f', 'f'},
                                                     {'n', 'n'},
                                                     {'r', 'r'},
                                                     {'t', 't'}})});
    alts.push_back(
        {ch('\\'), ch('u'),
         GrammarBuilder::chars({{'0', '9'}, {'a', 'c'}, {'A', 'C'}, {'e', 'f'}, {'E', 'F'}}), hex(),
         hex(), hex()});
    alts.push_back({ch('\\'), ch('u'), GrammarBuilder::chars({{'d', 'd'}, {'D', 'D'}}),
                    GrammarBuilder::chars({{'0', '7'}}), hex(), hex()});
    alts.push_back({ch('\\'), ch('u'), GrammarBuilder::chars({{'d', 'd'}, {'D', 'D'}}),
                    GrammarBuilder::chars({{'8', '9'}, {'a', 'b'}, {'A', 'B'}}), hex(), hex(),
                    ch('\\'), ch('u'), GrammarBuilder::chars({{'d', 'd'}, {'D', 'D'}}),
                    GrammarBuilder::chars({{'c', 'f'}, {'C', 'F'}}), hex(), hex()});
    string_char_ = b_.add(names_("string-char"), std::move(alts));
    return *string_char_;
}

uint32_t JsonLexicon::string() {
    if (!string_) {
        const uint32_t body =
            star_rule(b_, names_, "string-chars", {GrammarBuilder::ref(string_char())});
        string_ = b_.add(names_("string"), {{ch('"'), GrammarBuilder::ref(body), ch('"')}});
    }
    return *string_;
}

uint32_t JsonLexicon::string_length(int64_t min, int64_t max) {
    if (min == 0 && max < 0) return string();
    const auto key = std::make_pair(min, max);
    if (const auto it = lengths_.find(key); it != lengths_.end()) return it->second;
    const uint32_t body =
        repeat_rule(b_, names_, "string-chars", {GrammarBuilder::ref(string_char())}, min, max);
    const uint32_t r = b_.add(names_("string"), {{ch('"'), GrammarBuilder::ref(body), ch('"')}});
    lengths_.emplace(key, r);
    return r;
}

uint32_t JsonLexicon::key_except(const std::vector<std::string>& names) {
    // A trie of the names that could be typed without escapes; each node's rule matches the
    // suffixes that do not complete a name.
    CharSet raw = CharSet::all();
    for (const CodeRange& r : raw_excluded()) raw.subtract(CharSet::range(r.lo, r.hi));
    struct Node {
        std::map<uint32_t, size_t> kids;
        bool terminal = false;
    };
    std::vector<Node> trie(1);
    for (const std::string& name : names) {
        std::vector<uint32_t> cps;
        bool typeable = true;
        for (size_t pos = 0; pos < name.size();) {
            const uint32_t cp = decode_utf8(name, pos);
            typeable = typeable && raw.contains(cp);
            cps.push_back(cp);
        }
        if (!typeable) continue;
        size_t at = 0;
        for (uint32_t cp : cps) {
            auto it = trie[at].kids.find(cp);
            if (it == trie[at].kids.end()) {
                trie.push_back({});
                it = trie[at].kids.emplace(cp, trie.size() - 1).first;
            }
            at = it->second;
        }
        trie[at].terminal = true;
    }
    if (!raw_star_)
        raw_star_ = star_rule(b_, names_, "key-chars", {GrammarBuilder::chars(raw.ranges())});
    std::vector<uint32_t> rules(trie.size());
    for (size_t i = trie.size(); i-- > 0;) {  // children were pushed after their parents
        std::vector<Sequence> alts;
        if (!trie[i].terminal) alts.push_back({});
        CharSet others = raw;
        for (const auto& [cp, kid] : trie[i].kids) {
            alts.push_back({ch(cp), GrammarBuilder::ref(rules[kid])});
            others.subtract(CharSet::of(cp));
        }
        if (!others.empty()) {
            alts.push_back(
                {GrammarBuilder::chars(others.ranges()), GrammarBuilder::ref(*raw_star_)});
        }
        rules[i] = b_.add(names_("key-other"), std::move(alts));
    }
    return b_.add(names_("key"), {{ch('"'), GrammarBuilder::ref(rules[0]), ch('"')}});
}

uint32_t JsonLexicon::number() {
    if (number_) return *number_;
    // Digit runs are bounded (see kMaxMoreDigits in json_lexical.h): a model that loops on
    // digits must still reach the end of the number.
    const uint32_t digits =
        repeat_rule(b_, names_, "digits", {GrammarBuilder::chars({{'0', '9'}})}, 0, kMaxMoreDigits);
    const uint32_t exp_digits =
        repeat_rule(b_, names_, "exp-digits", {GrammarBuilder::chars({{'0', '9'}})}, 0, 2);
    const Element digit = GrammarBuilder::chars({{'0', '9'}});
    const uint32_t int_part =
        b_.add(names_("int-part"),
               {{ch('0')}, {GrammarBuilder::chars({{'1', '9'}}), GrammarBuilder::ref(digits)}});
    const uint32_t frac =
        optional_rule(b_, names_, "frac", {ch('.'), digit, GrammarBuilder::ref(digits)});
    const uint32_t exp = optional_rule(
        b_, names_, "exp",
        {GrammarBuilder::chars({{'e', 'e'}, {'E', 'E'}}),
         GrammarBuilder::ref(optional_rule(b_, names_, "exp-sign",
                                           {GrammarBuilder::chars({{'+', '+'}, {'-', '-'}})})),
         digit, GrammarBuilder::ref(exp_digits)});
    const uint32_t sign = optional_rule(b_, names_, "minus", {ch('-')});
    number_ = b_.add(names_("number"), {{GrammarBuilder::ref(sign), GrammarBuilder::ref(int_part),
                                         GrammarBuilder::ref(frac), GrammarBuilder::ref(exp)}});
    return *number_;
}

uint32_t JsonLexicon::integer() {
    if (integer_) return *integer_;
    const uint32_t digits =
        repeat_rule(b_, names_, "digits", {GrammarBuilder::chars({{'0', '9'}})}, 0, kMaxMoreDigits);
    const uint32_t sign = optional_rule(b_, names_, "minus", {ch('-')});
    integer_ =
        b_.add(names_("integer"), {{ch('0')},
                                   {GrammarBuilder::ref(sign), GrammarBuilder::chars({{'1', '9'}}),
                                    GrammarBuilder::ref(digits)}});
    return *integer_;
}

uint32_t JsonLexicon::any_value(int depth) {
    const int key = layout_key(depth);
    if (const auto it = any_.find(key); it != any_.end()) return it->second;
    const uint32_t value = b_.declare(names_("value"));
    any_.emplace(key, value);
    const uint32_t inner = any_value(depth + 1);  // the same rule once layouts repeat

    const Sequence member =
        cat({GrammarBuilder::ref(string())}, cat(colon(depth), {GrammarBuilder::ref(inner)}));
    const uint32_t members = star_rule(b_, names_, "members", cat(separator(depth), member));
    const uint32_t object =
        b_.add(names_("object"), {lit("{}"), cat(cat(cat({ch('{')}, open(depth)),
                                                     cat(member, {GrammarBuilder::ref(members)})),
                                                 cat(close(depth), {ch('}')}))});
    const uint32_t items =
        star_rule(b_, names_, "items", cat(separator(depth), {GrammarBuilder::ref(inner)}));
    const uint32_t array =
        b_.add(names_("array"),
               {lit("[]"), cat(cat(cat({ch('[')}, open(depth)),
                                   {GrammarBuilder::ref(inner), GrammarBuilder::ref(items)}),
                               cat(close(depth), {ch(']')}))});
    b_.define(value, {{GrammarBuilder::ref(object)},
                      {GrammarBuilder::ref(array)},
                      {GrammarBuilder::ref(string())},
                      {GrammarBuilder::ref(number())},
                      lit("true"),
                      lit("false"),
                      lit("null")});
    return value;
}

Sequence JsonLexicon::literal(const nlohmann::ordered_json& value, int depth) const {
    if (!pretty_at(depth)) return lit(value.dump());
    const std::string text = value.dump(indent_);
    std::string out;
    const std::string pad = indentation(depth);
    for (char c : text) {
        out += c;
        if (c == '\n') out += pad;
    }
    return lit(out);
}

}  // namespace flash::grammar::detail
