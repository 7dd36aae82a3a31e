#include "tools/call_grammar.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "tools/format_support.h"

namespace flash::tools {

using detail::lit;
using detail::ref;
using grammar::CodeRange;
using grammar::GrammarBuilder;
using grammar::Sequence;

uint32_t text_until_trigger(GrammarBuilder& b, std::string_view trigger, uint32_t after) {
    // Trigger bytes are ASCII in every format; the automaton runs over code points, so any
    // non-ASCII character simply resets it.
    const size_t m = trigger.size();
    std::vector<size_t> fail(m + 1, 0);  // KMP failure function over prefixes
    for (size_t i = 1, k = 0; i < m; ++i) {
        while (k > 0 && trigger[i] != trigger[k]) k = fail[k];
        if (trigger[i] == trigger[k]) ++k;
        fail[i + 1] = k;
    }
    const auto next_state = [&](size_t state, char c) {
        while (state > 0 && trigger[state] != c) state = fail[state];
        return trigger[state] == c ? state + 1 : 0;
    };
    const std::set<char> alphabet(trigger.begin(), trigger.end());
    std::vector<CodeRange> alphabet_ranges;
    for (const char c : alphabet) alphabet_ranges.push_back({uint32_t(uint8_t(c)), uint32_t(uint8_t(c))});
    std::vector<uint32_t> state(m);
    for (size_t k = 0; k < m; ++k) state[k] = b.declare(b.unique_name("text-" + std::to_string(k)));
    for (size_t k = 0; k < m; ++k) {
        std::vector<Sequence> alternatives = {{}};  // the text may end here
        for (const char c : alphabet) {
            const size_t to = next_state(k, c);
            const grammar::Element ch = GrammarBuilder::chars({{uint32_t(uint8_t(c)), uint32_t(uint8_t(c))}});
            alternatives.push_back({ch, ref(to == m ? after : state[to])});
        }
        alternatives.push_back({GrammarBuilder::chars(alphabet_ranges, /*negated=*/true), ref(state[0])});
        b.define(state[k], std::move(alternatives));
    }
    return state[0];
}

std::optional<grammar::Grammar> tool_call_grammar(const ToolFormat& format,
                                                  const std::vector<ToolSpec>& tools,
                                                  const ToolChoice& choice, bool parallel,
                                                  int max_calls) {
    using Mode = ToolChoice::Mode;
    if (choice.mode == Mode::None) return std::nullopt;
    std::vector<const ToolSpec*> offered;
    if (choice.mode == Mode::Named) {
        const ToolSpec* t = find_tool(tools, choice.name);
        if (!t) throw Error("tool_choice names '" + choice.name + "', which is not among the tools");
        offered.push_back(t);
    } else {
        for (const ToolSpec& t : tools) offered.push_back(&t);
    }
    if (offered.empty()) throw Error("tool_choice '" + choice.to_string() + "' needs at least one tool");

    GrammarBuilder b;
    CallCount count{1, parallel ? std::max(1, max_calls) : 1};
    // A JSON list may be empty in auto mode: SmolLM2 answers "[]" when no function fits.
    if (choice.mode == Mode::Auto && format.name() == "json-list") count.min = 0;
    const uint32_t calls = format.calls_after_trigger(b, offered, count);
    const std::string trigger = format.trigger();
    const uint32_t with_trigger = b.add(b.unique_name("tool-calls"), {detail::cat(lit(trigger), {ref(calls)})});
    if (choice.mode != Mode::Auto) return b.build(with_trigger);

    if (!format.trigger_at_start()) return b.build(text_until_trigger(b, trigger, calls));
    // The trigger only counts first: a reply is the calls, or text that starts otherwise.
    const uint32_t any_text = b.star("text", {GrammarBuilder::chars({}, /*negated=*/true)});
    const uint32_t c0 = uint8_t(trigger[0]);
    const grammar::Element other_start = GrammarBuilder::chars({{c0, c0}}, /*negated=*/true);
    return b.build(b.add("reply", {{ref(with_trigger)}, {other_start, ref(any_text)}, {}}));
}

}  // namespace flash::tools
