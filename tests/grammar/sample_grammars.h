// Grammars written directly with GrammarBuilder for the matcher tests and the benchmark: a
// generic JSON value, and a tool-call object with typed fields (strings, numbers, booleans, a
// nested object, an array of enums, a patterned string), shaped as a JSON Schema front end
// would emit them.
#pragma once

#include <string>
#include <vector>

#include "grammar/grammar.h"

namespace flash::grammar::testing {

using B = GrammarBuilder;

inline Element ch(uint32_t c) {
    return B::chars({{c, c}});
}
inline Element range(uint32_t lo, uint32_t hi) {
    return B::chars({{lo, hi}});
}

inline Sequence cat(std::vector<Sequence> parts) {
    Sequence out;
    for (auto& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

// Shared JSON lexical rules.
struct JsonLex {
    uint32_t ws, string, number, integer, boolean, null;
};

inline JsonLex add_json_lex(GrammarBuilder& b) {
    JsonLex j{};
    j.ws = b.repeat("ws", {B::chars({{' ', ' '}, {'\t', '\t'}, {'\n', '\n'}})}, 0, 20);
    const uint32_t hex = b.add("hex", {{B::chars({{'0', '9'}, {'a', 'f'}, {'A', 'F'}})}});
    const uint32_t esc =
        b.add("escape", {{B::chars({{'"', '"'},
                                    {'\\', '\\'},
                                    {'/', '/'},
                                    {'b', 'b'},
                                    {'f', 'f'},
                                    {'n', 'n'},
                                    {'r', 'r'},
                                    {'t', 't'}})},
                         {ch('u'), B::ref(hex), B::ref(hex), B::ref(hex), B::ref(hex)}});
    const uint32_t chr = b.add(
        "char", {{B::chars({{'"', '"'}, {'\\', '\\'}, {0, 0x1F}}, true)}, {ch('\\'), B::ref(esc)}});
    const uint32_t chars = b.star("chars", {B::ref(chr)});
    j.string = b.add("string", {{ch('"'), B::ref(chars), ch('"')}});
    const uint32_t digits = b.star("digits", {range('0', '9')});
    const uint32_t intpart = b.add("int-part", {{ch('0')}, {range('1', '9'), B::ref(digits)}});
    const uint32_t minus = b.optional("minus", {ch('-')});
    j.integer = b.add("integer", {{B::ref(minus), B::ref(intpart)}});
    const uint32_t frac = b.optional("frac", {ch('.'), range('0', '9'), B::ref(digits)});
    const uint32_t sign = b.optional("sign", {B::chars({{'+', '+'}, {'-', '-'}})});
    const uint32_t exp = b.optional(
        "exp", {B::chars({{'e', 'e'}, {'E', 'E'}}), B::ref(sign), range('0', '9'), B::ref(digits)});
    j.number = b.add("number", {{B::ref(j.integer), B::ref(frac), B::ref(exp)}});
    j.boolean = b.add("boolean", {B::literal("true"), B::literal("false")});
    j.null = b.add("null", {B::literal("null")});
    return j;
}

// Any JSON value (recursive: objects and arrays nest).
inline Grammar json_value_grammar() {
    GrammarBuilder b;
    const JsonLex j = add_json_lex(b);
    const uint32_t value = b.declare("value");
    const Element ws = B::ref(j.ws);
    const uint32_t member = b.add("member", {{B::ref(j.string), ws, ch(':'), ws, B::ref(value)}});
    const uint32_t more_members = b.star("more-members", {ws, ch(','), ws, B::ref(member)});
    const uint32_t members = b.optional("members", {B::ref(member), B::ref(more_members), ws});
    const uint32_t object = b.add("object", {{ch('{'), ws, B::ref(members), ch('}')}});
    const uint32_t more_items = b.star("more-items", {ws, ch(','), ws, B::ref(value)});
    const uint32_t items = b.optional("items", {B::ref(value), B::ref(more_items), ws});
    const uint32_t array = b.add("array", {{ch('['), ws, B::ref(items), ch(']')}});
    b.define(value, {{B::ref(object)},
                     {B::ref(array)},
                     {B::ref(j.string)},
                     {B::ref(j.number)},
                     {B::ref(j.boolean)},
                     {B::ref(j.null)}});
    const uint32_t root = b.add("root", {{ws, B::ref(value), ws}});
    return b.build(root);
}

// "key": value pairs in a fixed order, as a JSON Schema object with all fields required.
inline Sequence object_of(const JsonLex& j,
                          const std::vector<std::pair<std::string, Sequence>>& fields) {
    const Element ws = B::ref(j.ws);
    Sequence s = {ch('{'), ws};
    for (size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) s.insert(s.end(), {ws, ch(','), ws});
        s = cat(
            {s, B::literal("\"" + fields[i].first + "\""), {ws, ch(':'), ws}, fields[i].second});
    }
    s.insert(s.end(), {ws, ch('}')});
    return s;
}

inline uint32_t enum_of(GrammarBuilder& b, const std::string& name,
                        const std::vector<std::string>& values) {
    std::vector<Sequence> alts;
    for (const std::string& v : values) alts.push_back(B::literal("\"" + v + "\""));
    return b.add(name, std::move(alts));
}

// A get_weather tool call: typed fields, a nested object, an array of enums, a pattern.
inline Grammar tool_call_grammar() {
    GrammarBuilder b;
    const JsonLex j = add_json_lex(b);
    const Element ws = B::ref(j.ws);
    const uint32_t unit = enum_of(b, "unit", {"celsius", "fahrenheit", "kelvin"});
    const uint32_t tag = enum_of(b, "tag", {"rain", "wind", "uv", "pollen", "humidity"});
    const uint32_t more_tags = b.star("more-tags", {ws, ch(','), ws, B::ref(tag)});
    const uint32_t tag_list = b.optional("tag-list", {B::ref(tag), B::ref(more_tags), ws});
    const uint32_t tags = b.add("tags", {{ch('['), ws, B::ref(tag_list), ch(']')}});
    const uint32_t coords =
        b.add("coords", {object_of(j, {{"lat", {B::ref(j.number)}}, {"lon", {B::ref(j.number)}}})});
    // "zip": "^[0-9]{5}(-[0-9]{4})?$"
    const uint32_t zip4 = b.optional("zip4", cat({{ch('-')}, Sequence(4, range('0', '9'))}));
    const uint32_t zip =
        b.add("zip", {cat({{ch('"')}, Sequence(5, range('0', '9')), {B::ref(zip4), ch('"')}})});
    const uint32_t args = b.add("arguments", {object_of(j, {{"location", {B::ref(j.string)}},
                                                            {"unit", {B::ref(unit)}},
                                                            {"days", {B::ref(j.integer)}},
                                                            {"include_hourly", {B::ref(j.boolean)}},
                                                            {"coords", {B::ref(coords)}},
                                                            {"tags", {B::ref(tags)}},
                                                            {"zip", {B::ref(zip)}},
                                                            {"note", {B::ref(j.string)}}})});
    const uint32_t call = b.add(
        "call",
        {object_of(j, {{"name", B::literal("\"get_weather\"")}, {"arguments", {B::ref(args)}}})});
    const uint32_t root = b.add("root", {{B::ref(call)}});
    return b.build(root);
}

// Realistic outputs for tool_call_grammar().
inline std::vector<std::string> tool_call_samples() {
    return {
        R"({"name": "get_weather", "arguments": {"location": "San Francisco, California, United States", "unit": "celsius", "days": 5, "include_hourly": true, "coords": {"lat": 37.7749, "lon": -122.4194}, "tags": ["rain", "wind", "uv"], "zip": "94103", "note": "User is planning a weekend hiking trip in the Marin headlands and wants to know about fog and wind conditions in the morning."}})",
        R"({"name":"get_weather","arguments":{"location":"Zürich, Schweiz","unit":"kelvin","days":14,"include_hourly":false,"coords":{"lat":47.3769,"lon":8.5417},"tags":["pollen","humidity"],"zip":"80010-1234","note":"Bitte auf Deutsch antworten \u00e4\u00f6\u00fc; the user mentioned \"allergies\" twice."}})",
        R"({
  "name": "get_weather",
  "arguments": {
    "location": "東京都渋谷区",
    "unit": "fahrenheit",
    "days": 3,
    "include_hourly": true,
    "coords": {
      "lat": 35.6619,
      "lon": 139.704
    },
    "tags": [],
    "zip": "15000",
    "note": "Traveller arriving at Haneda at 6am; needs to know whether to pack an umbrella 🌂 and a light jacket."
  }
})",
    };
}

}  // namespace flash::grammar::testing
