#include "grammar/constraint_spec.h"

#include "core/error.h"
#include "grammar/gbnf.h"
#include "grammar/json_schema.h"
#include "grammar/regex.h"

namespace flash::grammar {

Grammar compile_spec(const ConstraintSpec& spec, std::vector<std::string>* warnings) {
    const int given =
        !spec.json_schema.empty() + !spec.gbnf.empty() + !spec.regex.empty() + spec.any_json;
    if (given != 1)
        throw Error("give exactly one of a JSON schema, a GBNF grammar, a regex or any-JSON");
    JsonSchemaOptions json_options;
    json_options.pretty = spec.pretty;
    json_options.lenient = spec.lenient;
    if (!spec.gbnf.empty()) return parse_gbnf(spec.gbnf);
    if (!spec.regex.empty()) return compile_regex(spec.regex);
    if (spec.any_json) return json_any_grammar(json_options);
    JsonSchemaResult r = compile_json_schema_text(spec.json_schema, json_options);
    if (warnings) warnings->insert(warnings->end(), r.warnings.begin(), r.warnings.end());
    return std::move(r.grammar);
}

}  // namespace flash::grammar
