#include "data/tool_examples.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "core/error.h"
#include "data/random.h"
#include "tools/conversation.h"
#include "tools/tool_spec.h"

namespace flash::data {
namespace {

constexpr const char* kFamily = "tools";

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool leaves_grounded(const Json& v, const std::string& text, std::string* why) {
    std::string needle;
    if (v.is_string()) needle = v.get<std::string>();
    if (v.is_number()) needle = v.dump();
    if (!needle.empty() && text.find(lower(needle)) == std::string::npos) {
        if (why) *why = "the value '" + needle + "' is not in the request";
        return false;
    }
    if (v.is_structured())
        for (const Json& x : v)
            if (!leaves_grounded(x, text, why)) return false;
    return true;
}

struct Call {
    const CatalogFunction* function;
    Json arguments;
};

// The catalogue's functions as checked tool specs, by name.
class Checker {
  public:
    explicit Checker(const std::vector<CatalogFunction>& catalog) {
        for (const CatalogFunction& f : catalog)
            specs_.emplace(f.name(), tools::parse_tools(Json::array({f.tool()})).front());
    }
    // Schema, stub and grounding; false names the failed stage in `why`.
    bool check(const Call& call, const std::string& request, std::string* why) const {
        const auto it = specs_.find(call.function->name());
        std::string detail;
        if (it == specs_.end() || !tools::arguments_valid(it->second, call.arguments, &detail)) {
            *why = "arguments fail the schema";
            return false;
        }
        if (!arguments_grounded(call.arguments, request, &detail)) {
            *why = "an argument is not grounded in the request";
            return false;
        }
        return true;
    }
    const tools::ToolSpec& spec(const std::string& name) const { return specs_.at(name); }

  private:
    std::map<std::string, tools::ToolSpec> specs_;
};

struct Builder {
    const std::vector<CatalogFunction>& catalog;
    Tally& tally;
    Checker checker;
    std::map<std::string, std::vector<const CatalogFunction*>> by_domain;
    std::vector<Example> out;

    Builder(const std::vector<CatalogFunction>& c, Tally& t) : catalog(c), tally(t), checker(c) {
        for (const CatalogFunction& f : catalog) by_domain[f.domain].push_back(&f);
    }

    // `f` and up to n others from its domain, in a shuffled order.
    Json offered(const CatalogFunction& f, size_t n, Rng& rng, bool same_domain = true) {
        std::vector<const CatalogFunction*> pool;
        for (const CatalogFunction& g : catalog)
            if (&g != &f && (g.domain == f.domain) == same_domain) pool.push_back(&g);
        rng.shuffle(pool);
        std::vector<const CatalogFunction*> chosen;
        if (same_domain) chosen.push_back(&f);
        for (size_t i = 0; i < pool.size() && i < n; ++i) chosen.push_back(pool[i]);
        rng.shuffle(chosen);
        Json tools = Json::array();
        for (const CatalogFunction* g : chosen) tools.push_back(g->tool());
        return tools;
    }

    // Keeps the example when every call passes and the conversation is well formed.
    void emit(Example e, const std::vector<Call>& calls, const std::string& request) {
        std::string why;
        for (const Call& c : calls)
            if (!checker.check(c, lower(request), &why)) {
                tally.reject(kFamily, why);
                return;
            }
        try {
            tools::check_conversation(e.messages);
        } catch (const Error&) {
            tally.reject(kFamily, "the conversation is malformed");
            return;
        }
        e.checks = calls.empty() ? std::vector<std::string>{"conversation"}
                                 : std::vector<std::string>{"schema", "stub_executed",
                                                            "arguments_grounded", "conversation"};
        Json gold = Json::array();
        for (const Call& c : calls)
            gold.push_back(Json{{"name", c.function->name()}, {"arguments", c.arguments}});
        e.verifier = Json{{"calls", gold}};
        tally.keep(kFamily, e.kind);
        out.push_back(std::move(e));
    }

    Example start(const std::string& id, const std::string& kind, const CatalogFunction& f,
                  Json tools) {
        Example e = f.example(id, kFamily, kind);
        e.tools = std::move(tools);
        return e;
    }

    static Json user(const std::string& text) { return Json{{"role", "user"}, {"content", text}}; }
    static Json assistant_calls(const std::vector<Call>& calls) {
        Json list = Json::array();
        for (size_t i = 0; i < calls.size(); ++i)
            list.push_back(call_json(call_id(i), calls[i].function->name(), calls[i].arguments));
        return Json{{"role", "assistant"}, {"content", nullptr}, {"tool_calls", list}};
    }

    void single(const CatalogFunction& f, const std::string& base, Rng& rng) {
        const SourceRequest& r = rng.pick(f.requests);
        Example e = start(base + "-single", "single", f, Json::array({f.tool()}));
        const std::vector<Call> calls{{&f, r.arguments}};
        e.messages = Json::array({user(r.text), assistant_calls(calls)});
        emit(std::move(e), calls, r.text);
    }

    void multiple(const CatalogFunction& f, const std::string& base, Rng& rng) {
        const SourceRequest& r = rng.pick(f.requests);
        Example e = start(base + "-multiple", "multiple", f, offered(f, 2 + rng.below(3), rng));
        const std::vector<Call> calls{{&f, r.arguments}};
        e.messages = Json::array({user(r.text), assistant_calls(calls)});
        emit(std::move(e), calls, r.text);
    }

    void parallel(const CatalogFunction& f, const std::string& base, Rng& rng) {
        const auto& domain = by_domain[f.domain];
        const CatalogFunction* g = domain[rng.below(domain.size())];
        if (g == &f) g = &catalog[rng.below(catalog.size())];
        if (g == &f) return;
        const SourceRequest& a = rng.pick(f.requests);
        const SourceRequest& b = rng.pick(g->requests);
        static const std::vector<std::string> joins = {" Also, ", " And ", " Then ", " Next: "};
        std::string second = b.text;
        const std::string join = rng.pick(joins);
        if (join != " Next: " && !second.empty())
            second[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(second[0])));
        const std::string text = a.text + join + second;
        Json tools = Json::array({f.tool(), g->tool()});
        if (rng.below(2)) std::swap(tools[0], tools[1]);
        Example e = start(base + "-parallel", "parallel", f, tools);
        const std::vector<Call> calls{{&f, a.arguments}, {g, b.arguments}};
        e.messages = Json::array({user(text), assistant_calls(calls)});
        emit(std::move(e), calls, text);
    }

    void multi_turn(const CatalogFunction& f, const std::string& base, Rng& rng) {
        const SourceRequest& r = f.requests.front();  // the one `result` answers
        Example e = start(base + "-result", "multi_turn", f, offered(f, rng.below(3), rng));
        const std::vector<Call> calls{{&f, r.arguments}};
        e.messages = Json::array(
            {user(r.text), assistant_calls(calls),
             Json{{"role", "tool"}, {"tool_call_id", call_id(0)}, {"content", f.result.dump()}},
             Json{{"role", "assistant"}, {"content", f.answer}}});
        emit(std::move(e), calls, r.text);
    }

    void irrelevant(const CatalogFunction& f, const std::string& base, Rng& rng) {
        static const std::vector<std::string> replies = {
            "None of the tools I have can do that, so I can't help with this request here.",
            "I can't do that with the tools available to me.",
            "That is outside what my tools cover, so I can't carry it out.",
        };
        const SourceRequest& r = rng.pick(f.requests);
        Example e = start(base + "-irrelevant", "irrelevance", f, offered(f, 3, rng, false));
        e.messages = Json::array(
            {user(r.text), Json{{"role", "assistant"}, {"content", rng.pick(replies)}}});
        emit(std::move(e), {}, r.text);
    }

    void missing(const CatalogFunction& f, const std::string& base, Rng& rng) {
        const tools::ToolSpec& spec = checker.spec(f.name());
        const Json required = spec.parameters.value("required", Json::array());
        if (std::find(required.begin(), required.end(), f.missing.argument) == required.end()) {
            tally.reject(kFamily, "the missing argument is not required");
            return;
        }
        Example e = start(base + "-missing", "missing_argument", f, offered(f, rng.below(2), rng));
        e.messages = Json::array(
            {user(f.missing.text), Json{{"role", "assistant"}, {"content", f.missing.question}}});
        emit(std::move(e), {}, f.missing.text);
    }
};

}  // namespace

std::string call_id(size_t index) {
    std::string digits = std::to_string(index + 1);
    return "call" + std::string(5 - std::min<size_t>(5, digits.size()), '0') + digits;
}

Json call_json(const std::string& id, const std::string& name, const Json& arguments) {
    return Json{{"id", id},
                {"type", "function"},
                {"function", {{"name", name}, {"arguments", arguments.dump()}}}};
}

bool arguments_grounded(const Json& arguments, const std::string& text, std::string* why) {
    return leaves_grounded(arguments, lower(text), why);
}

std::vector<Example> tool_examples(const std::vector<CatalogFunction>& catalog,
                                   const ToolOptions& options, Tally& tally) {
    Builder b(catalog, tally);
    for (const CatalogFunction& f : catalog)
        for (int v = 0; v < options.variants; ++v) {
            const std::string base = "tools-" + f.name() + "-v" + std::to_string(v);
            Rng rng(options.seed, base);
            b.single(f, base, rng);
            b.multiple(f, base, rng);
            b.parallel(f, base, rng);
            if (v == 0) {  // one conversation per result, one clarifying question per function
                b.multi_turn(f, base, rng);
                b.missing(f, base, rng);
            }
            b.irrelevant(f, base, rng);
        }
    return std::move(b.out);
}

}  // namespace flash::data
