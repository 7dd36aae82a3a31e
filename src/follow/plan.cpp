#include "follow/plan.h"

#include "core/error.h"
#include "grammar/compose.h"
#include "grammar/json_schema.h"
#include "grammar/regex.h"
#include "instruct/check.h"

namespace flash::follow {

namespace {

using instruct::Instruction;

std::shared_ptr<const grammar::Grammar> regex_grammar(const std::string& pattern) {
    return std::make_shared<const grammar::Grammar>(grammar::compile_regex(pattern));
}

// Exactly n lines "* item" (an item starts with neither a marker nor a space, so no line is a
// rule such as "* * *"), then at most one newline. After other text it starts on a new line.
// Items are capped at 200 characters so that a rambling line cannot use up the token budget
// before the last bullet.
std::shared_ptr<const grammar::Grammar> bullets_grammar(size_t n, bool after_text) {
    const std::string item = R"(\* [^\n*\- \t][^\n]{0,199})";
    std::string pattern = after_text ? "\\n" : "";
    if (n > 1) pattern += "(" + item + "\\n){" + std::to_string(n - 1) + "}";
    return regex_grammar(pattern + item + "\\n?");
}

// A compiled schema's rules copied into `b`; returns its root there.
uint32_t schema_rule(grammar::GrammarBuilder& b, const char* schema, const char* prefix) {
    const auto compiled = grammar::compile_json_schema(nlohmann::ordered_json::parse(schema));
    return grammar::embed(b, compiled.grammar, prefix);
}

// A JSON object whose sizes are all capped — keys 40 characters, strings 120, 12 members or
// items per container — so that a model looping inside a value or a key ("🍢🍢🍢…") must still
// close it within the token budget. Compact: at most one space after ':' and ','.
std::shared_ptr<const grammar::Grammar> json_grammar() {
    using B = grammar::GrammarBuilder;
    B b;
    const uint32_t key =
        schema_rule(b, R"({"type": "string", "minLength": 1, "maxLength": 40})", "key");
    const uint32_t text = schema_rule(b, R"({"type": "string", "maxLength": 120})", "text");
    const uint32_t number = schema_rule(b, R"({"type": "number"})", "number");
    const uint32_t value = b.declare("value");
    const uint32_t space = b.optional("space", B::literal(" "));
    auto seq = [](std::initializer_list<grammar::Sequence> parts) {
        grammar::Sequence out;
        for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
        return out;
    };
    const grammar::Sequence comma = seq({B::literal(","), {B::ref(space)}});
    const uint32_t member =
        b.add("member", {seq({{B::ref(key)}, B::literal(":"), {B::ref(space)}, {B::ref(value)}})});
    const uint32_t more_members = b.repeat("more-members", seq({comma, {B::ref(member)}}), 0, 11);
    const uint32_t members = b.optional("members", {B::ref(member), B::ref(more_members)});
    const uint32_t object =
        b.add("object", {seq({B::literal("{"), {B::ref(members)}, B::literal("}")})});
    const uint32_t more_items = b.repeat("more-items", seq({comma, {B::ref(value)}}), 0, 11);
    const uint32_t items = b.optional("items", {B::ref(value), B::ref(more_items)});
    const uint32_t array =
        b.add("array", {seq({B::literal("["), {B::ref(items)}, B::literal("]")})});
    b.define(value, {{B::ref(text)},
                     {B::ref(number)},
                     B::literal("true"),
                     B::literal("false"),
                     B::literal("null"),
                     {B::ref(array)},
                     {B::ref(object)}});
    return std::make_shared<const grammar::Grammar>(b.build(object));
}

Segment forced(std::string text) {
    Segment s;
    s.text = std::move(text);
    return s;
}

Segment generated(std::shared_ptr<const grammar::Grammar> g = nullptr, std::string key = "") {
    Segment s;
    s.generated = true;
    s.grammar = std::move(g);
    s.grammar_key = std::move(key);
    return s;
}

// Builds the plan while recording, per instruction, whether it is enforced and how.
class Planner {
  public:
    explicit Planner(const std::vector<Instruction>& instructions)
        : instructions_(instructions),
          enforced_(instructions.size(), false),
          how_(instructions.size(), "checked only: no way to enforce it while generating") {}

    ResponsePlan plan() {
        read_text_rules();
        const std::string opening = plan_opening();
        const std::optional<size_t> body =
            first_of({"format:json", "format:constrained_response", "format:bullet_count"});
        const bool json = body && type(*body) == "format:json";
        ResponsePlan plan;
        if (json) {
            leave_to_checks({"combination:repeat_prompt", "startend:start_checker",
                             "startend:quotation", "format:title", "combination:two_responses",
                             "content:postscript", "startend:end_checker"},
                            "conflicts with format:json (JSON must be the whole response)");
            if (const auto i = find("punctuation:no_comma"); i && enforced_[*i]) {
                plan_rules_.no_commas = false;
                leave(*i, "conflicts with format:json (JSON separates members with commas)");
            }
        } else if (!opening.empty()) {
            plan.segments.push_back(forced(opening));
        }
        if (!json) add_title(plan);
        add_body(plan, body, !plan.segments.empty());
        if (!json) add_endings(plan);
        plan.rules = plan_rules_;
        plan.enforced = enforced_;
        plan.how = how_;
        return plan;
    }

  private:
    const std::string& type(size_t i) const { return instructions_[i].type; }
    const nlohmann::json& args(size_t i) const { return instructions_[i].args; }

    std::optional<size_t> find(const std::string& t) const {
        for (size_t i = 0; i < instructions_.size(); ++i)
            if (type(i) == t) return i;
        return std::nullopt;
    }
    std::optional<size_t> first_of(std::initializer_list<const char*> types) {
        std::optional<size_t> first;
        for (size_t i = 0; i < instructions_.size(); ++i)
            for (const char* t : types)
                if (type(i) == t) {
                    if (!first)
                        first = i;
                    else
                        leave(i, "conflicts with " + type(*first));
                }
        return first;
    }
    void enforce(size_t i, std::string how) {
        enforced_[i] = true;
        how_[i] = std::move(how);
    }
    void leave(size_t i, std::string why) {
        enforced_[i] = false;
        how_[i] = "checked only: " + std::move(why);
    }
    void leave_to_checks(std::initializer_list<const char*> types, const std::string& why) {
        for (size_t i = 0; i < instructions_.size(); ++i)
            for (const char* t : types)
                if (type(i) == t) leave(i, why);
    }

    void read_text_rules() {
        for (size_t i = 0; i < instructions_.size(); ++i) {
            const std::string& t = type(i);
            if ((t == "case:lowercase" || t == "case:uppercase") &&
                plan_rules_.letter_case != LetterCase::Any) {
                leave(i, "conflicts with the other case instruction");
            } else if (t == "case:lowercase") {
                plan_rules_.letter_case = LetterCase::Lower;
                enforce(i, "tokens with capital letters masked");
            } else if (t == "case:uppercase") {
                plan_rules_.letter_case = LetterCase::Upper;
                enforce(i, "tokens with lowercase letters masked (English is checked)");
            } else if (t == "punctuation:no_comma") {
                plan_rules_.no_commas = true;
                enforce(i, "tokens with commas masked");
            } else if (t == "length:words" && args(i).at("relation") == "less than") {
                plan_rules_.max_words = args(i).at("num_words").get<size_t>() - 1;
                enforce(i, "words counted while generating; none may start past the limit");
            }
        }
    }

    // The text the response must start with: the repeated request, a start phrase or an
    // opening quote (the first of them; the others cannot also be first).
    std::string plan_opening() {
        const auto i =
            first_of({"combination:repeat_prompt", "startend:start_checker", "startend:quotation"});
        if (!i) return "";
        const LetterCase c = plan_rules_.letter_case;
        if (type(*i) == "combination:repeat_prompt") {
            enforce(*i, "the request is written first");
            return in_case(c, args(*i).at("prompt_to_repeat").get<std::string>()) + "\n\n";
        }
        if (type(*i) == "startend:start_checker") {
            enforce(*i, "the phrase is written first");
            return in_case(c, args(*i).at("start_phrase").get<std::string>()) + " ";
        }
        enforce(*i, "opening and closing quotes written around the generated text");
        quoted_ = true;
        if (const auto end = find("startend:end_checker"))
            leave(*end, "conflicts with startend:quotation (both need the last word)");
        return "\"";
    }

    void add_title(ResponsePlan& plan) {
        const auto i = find("format:title");
        if (!i) return;
        // At most 43 characters, so it closes within its 48 tokens whatever they are.
        Segment title = generated(regex_grammar(R"(<<[^<>\n \t][^<>\n]{0,38}>>)"), "title");
        title.max_tokens = 48;
        plan.segments.push_back(std::move(title));
        plan.segments.push_back(forced("\n\n"));
        enforce(*i, "a <<title>> line generated under a grammar first");
    }

    void add_body(ResponsePlan& plan, std::optional<size_t> body, bool after_text) {
        Segment s = generated();
        if (body && type(*body) == "format:json") {
            s = generated(json_grammar(), "json");
            s.closing_chars = "\"}]";  // the ":" after a key is forced
            enforce(*body, "a JSON object, generated under a grammar");
        } else if (body && type(*body) == "format:constrained_response") {
            s = generated(regex_grammar(R"(My answer is (yes|no|maybe)\.)"), "choice");
            enforce(*body, "one of the three answers, under a grammar");
        } else if (body) {
            const size_t n = args(*body).at("num_bullets").get<size_t>();
            s = generated(bullets_grammar(n, after_text),
                          "bullets:" + std::to_string(n) + (after_text ? ":nl" : ""));
            s.closing_chars = "\n";
            enforce(*body, "exactly " + std::to_string(n) + " \"* \" lines, under a grammar");
        }
        s.require_text = true;
        plan.segments.push_back(s);
        if (const auto i = find("combination:two_responses")) {
            plan.segments.push_back(forced("\n******\n"));
            plan.segments.push_back(s);
            enforce(*i, "a second response generated after the ****** separator");
        }
    }

    void add_endings(ResponsePlan& plan) {
        const LetterCase c = plan_rules_.letter_case;
        if (const auto i = find("content:postscript")) {
            const std::string marker = args(*i).at("postscript_marker").get<std::string>();
            plan.segments.push_back(forced("\n\n" + in_case(c, marker) + " "));
            Segment ps = generated();
            ps.require_text = true;
            ps.max_tokens = 60;
            plan.segments.push_back(ps);
            enforce(*i, "the marker written after the body, its text generated");
        }
        if (const auto i = find("startend:end_checker"); i && !quoted_) {
            const std::string phrase = args(*i).at("end_phrase").get<std::string>();
            plan.segments.push_back(forced("\n\n" + in_case(c, phrase)));
            enforce(*i, "the phrase written last");
        }
        if (quoted_) plan.segments.push_back(forced("\""));
    }

    const std::vector<Instruction>& instructions_;
    std::vector<bool> enforced_;
    std::vector<std::string> how_;
    TextRules plan_rules_;
    bool quoted_ = false;
};

}  // namespace

bool ResponsePlan::enforces_anything() const {
    for (const bool e : enforced)
        if (e) return true;
    return false;
}

ResponsePlan plan_response(const std::vector<instruct::Instruction>& instructions) {
    for (const auto& instruction : instructions) instruct::validate(instruction);
    return Planner(instructions).plan();
}

ResponsePlan unconstrained_plan(size_t n_instructions) {
    ResponsePlan plan;
    plan.segments.push_back(generated());
    plan.enforced.assign(n_instructions, false);
    plan.how.assign(n_instructions, "checked only: enforcement off");
    return plan;
}

}  // namespace flash::follow
