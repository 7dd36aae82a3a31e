// Regular expressions (--regex, JSON Schema "pattern"): compile to a grammar, match the rest.
#include "fuzz_support.h"
#include "grammar/compiled_grammar.h"
#include "grammar/matcher.h"
#include "grammar/regex.h"
#include "grammar/vocabulary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Named views, not a structured binding: clang 14 cannot capture those in a lambda.
    const auto parts = flash::fuzz::split_at_nul(flash::fuzz::as_text(data, size));
    const std::string_view pattern = parts.first, output = parts.second;
    flash::fuzz::expect_only_flash_errors([&] {
        const flash::grammar::Grammar g = flash::grammar::compile_regex(pattern);
        static const auto vocab = flash::grammar::TokenVocabulary::from_pieces({" "}, {});
        flash::grammar::Matcher m(flash::grammar::CompiledGrammar::compile(g), vocab);
        if (m.accept_bytes(output)) (void)m.is_complete();
    });
    return 0;
}
