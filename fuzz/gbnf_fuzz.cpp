// GBNF (llama.cpp's grammar format, as --grammar reads it): parse, compile, match the rest.
#include "fuzz_support.h"
#include "grammar/compiled_grammar.h"
#include "grammar/gbnf.h"
#include "grammar/matcher.h"
#include "grammar/vocabulary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Named views, not a structured binding: clang 14 cannot capture those in a lambda.
    const auto parts = flash::fuzz::split_at_nul(flash::fuzz::as_text(data, size));
    const std::string_view text = parts.first, output = parts.second;
    flash::fuzz::expect_only_flash_errors([&] {
        const flash::grammar::Grammar g = flash::grammar::parse_gbnf(text);
        (void)g.to_string();
        static const auto vocab = flash::grammar::TokenVocabulary::from_pieces({" "}, {});
        flash::grammar::Matcher m(flash::grammar::CompiledGrammar::compile(g), vocab);
        if (m.accept_bytes(output)) (void)m.is_complete();
    });
    return 0;
}
