// Tool-calling examples from the function catalogue, in the kinds an agent meets: one call,
// choosing among several tools, parallel calls, a call whose result the final answer rests on,
// no tool that fits (a plain answer), and a required value the user did not give (a
// clarifying question instead of an invented value). Every call passes the three checks of
// APIGen (xLAM): its arguments validate against the schema, it runs against the function's
// stub (which answers with the catalogue's result), and every argument value appears in the
// user's words. The conversation passes the same checks a request to the server does.
#pragma once

#include <cstdint>
#include <vector>

#include "data/example.h"
#include "data/sources.h"
#include "data/tally.h"

namespace flash::data {

struct ToolOptions {
    int variants = 1;  // how many times each kind is drawn per function, with other picks
    uint64_t seed = 0;
};

std::vector<Example> tool_examples(const std::vector<CatalogFunction>& catalog,
                                   const ToolOptions& options, Tally& tally);

// Every string and number in `arguments` appears in `text` (case-insensitively); false names
// the first that does not in `why`.
bool arguments_grounded(const Json& arguments, const std::string& text, std::string* why);

// Call ids are nine letters and digits ("call00001" for index 0): OpenAI takes any string, and
// Mistral's templates refuse anything else.
std::string call_id(size_t index);

// A call as OpenAI writes it in an assistant message (arguments as JSON text).
Json call_json(const std::string& id, const std::string& name, const Json& arguments);

}  // namespace flash::data
