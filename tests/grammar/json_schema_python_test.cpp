// JSON Schema soundness against an independent validator: random texts sampled from each
// compiled grammar must parse as JSON and validate with Python's `jsonschema` (Draft 2020-12,
// formats checked). Skipped when python3 with jsonschema is not installed.
#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "grammar/json_schema.h"
#include "reference_recognizer.h"

namespace flash::grammar {
namespace {

const char* const kSchemas[] = {
    R"({"type":"string"})",
    R"({"type":"integer","minimum":-37,"exclusiveMaximum":55})",
    R"({"type":"number","minimum":-1.5,"maximum":12.25})",
    R"({"type":"number","exclusiveMinimum":0,"exclusiveMaximum":0.1})",
    R"({"type":"number","minimum":0.1,"maximum":0.3})",
    R"({"type":"number","exclusiveMinimum":-1e-7})",
    R"({"type":"integer","exclusiveMinimum":2.5,"maximum":1e4})",
    R"({"type":"number"})",
    R"({"type":"string","minLength":2,"maxLength":4})",
    R"({"type":"string","pattern":"^[A-Z][a-z]+( [A-Z][a-z]+)?$"})",
    R"({"type":"string","pattern":"\\d{3}-\\d{4}"})",
    R"({"type":"string","pattern":"^\\S+\\s\\W\\w$"})",
    R"({"type":"string","format":"date"})",
    R"({"type":"string","format":"time"})",
    R"({"type":"string","format":"date-time"})",
    R"({"type":"string","format":"email"})",
    R"({"type":"string","format":"uuid"})",
    R"({"type":"string","format":"ipv4"})",
    R"({"enum":["a","c d",1,2.5,true,null,"é","x\"y",{"k":[1]}]})",
    R"({"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string","maxLength":5},
        "tags":{"type":"array","items":{"enum":["x","y"]},"maxItems":3}},
        "required":["id","tags"],"additionalProperties":false})",
    R"({"type":"object","properties":{"a":{"type":"boolean"},"b":{"type":"null"}},"required":["b"]})",
    R"({"type":"object","additionalProperties":{"type":"integer","maximum":3}})",
    R"({"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],"items":{"type":"boolean"},
        "minItems":1,"maxItems":4})",
    R"({"anyOf":[{"type":"string","maxLength":2},{"type":"integer","minimum":100}]})",
    R"({"oneOf":[{"type":"object","properties":{"kind":{"const":"a"},"x":{"type":"integer"}},"required":["kind"]},
                 {"type":"object","properties":{"kind":{"const":"b"}},"required":["kind"]}]})",
    R"({"allOf":[{"properties":{"a":{"type":"integer"}},"required":["a"]},
                 {"type":"object","properties":{"a":{"maximum":5},"b":{}},"additionalProperties":false}]})",
    R"({"type":["string","null","integer"],"minLength":1,"maximum":0})",
    R"({"$defs":{"node":{"type":"object","properties":{"value":{"type":"integer","minimum":0,"maximum":9},
        "children":{"type":"array","items":{"$ref":"#/$defs/node"},"maxItems":2}},
        "required":["value"],"additionalProperties":false}},"$ref":"#/$defs/node"})",
    R"({})",
};

bool python_jsonschema_available() {
    return std::system("python3 -c 'import jsonschema' > /dev/null 2>&1") == 0;
}

TEST(JsonSchemaPythonTest, SampledOutputsValidate) {
    if (!python_jsonschema_available()) GTEST_SKIP() << "python3 with jsonschema not installed";
    nlohmann::json cases = nlohmann::json::array();
    for (bool pretty : {false, true}) {
        JsonSchemaOptions options;
        options.pretty = pretty;
        uint32_t seed = 1;
        for (const char* text : kSchemas) {
            SCOPED_TRACE(text);
            const JsonSchemaResult r = compile_json_schema_text(text, options);
            testing::Sampler sampler(r.grammar, seed++);
            testing::ReferenceRecognizer rr(r.grammar);
            nlohmann::json samples = nlohmann::json::array();
            for (int i = 0; i < 40; ++i) {
                const std::string s = sampler.sample();
                ASSERT_TRUE(rr.accepts(s)) << "sampler and recognizer disagree on " << s;
                samples.push_back(s);
            }
            cases.push_back({{"schema", nlohmann::json::parse(text)}, {"samples", samples}});
        }
    }
    char dir[] = "/tmp/flash_jsonschema_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    const std::string input = std::string(dir) + "/cases.json";
    const std::string script = std::string(dir) + "/check.py";
    const std::string output = std::string(dir) + "/out.txt";
    std::ofstream(input) << cases.dump();
    std::ofstream(script) << R"(import json, sys
from jsonschema import Draft202012Validator
bad = 0
for case in json.load(open(sys.argv[1])):
    v = Draft202012Validator(case["schema"], format_checker=Draft202012Validator.FORMAT_CHECKER)
    for s in case["samples"]:
        try:
            errors = list(v.iter_errors(json.loads(s)))
        except ValueError as e:
            errors = [e]
        if errors:
            bad += 1
            print("INVALID", json.dumps(case["schema"]), repr(s), str(errors[0]).splitlines()[0])
print("bad", bad)
)";
    const std::string cmd = "python3 " + script + " " + input + " > " + output + " 2>&1";
    const int rc = std::system(cmd.c_str());
    std::ifstream in(output);
    const std::string report((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
    EXPECT_EQ(rc, 0) << report;
    EXPECT_NE(report.find("bad 0"), std::string::npos) << report;
    std::remove(input.c_str());
    std::remove(script.c_str());
    std::remove(output.c_str());
    rmdir(dir);
}

}  // namespace
}  // namespace flash::grammar
