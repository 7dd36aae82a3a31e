// JSON Schema → grammar: the schema text as a request or --json-schema file would carry it,
// then the compiled grammar checking the rest of the input as a candidate output.
#include "fuzz_support.h"
#include "grammar/compiled_grammar.h"
#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "grammar/vocabulary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Named views, not a structured binding: clang 14 cannot capture those in a lambda.
    const auto parts = flash::fuzz::split_at_nul(flash::fuzz::as_text(data, size));
    const std::string_view schema = parts.first, output = parts.second;
    flash::fuzz::expect_only_flash_errors([&] {
        flash::grammar::JsonSchemaOptions options;
        options.lenient = (size % 2) == 1;
        const auto result = flash::grammar::compile_json_schema_text(schema, options);
        static const auto vocab = flash::grammar::TokenVocabulary::from_pieces({" "}, {});
        flash::grammar::Matcher m(flash::grammar::CompiledGrammar::compile(result.grammar), vocab);
        if (m.accept_bytes(output)) (void)m.is_complete();
    });
    return 0;
}
