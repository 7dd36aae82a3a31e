// language:response_language — the response's detected language (language_detect.h) must be
// the one asked for.
#include "instruct/language_detect.h"
#include "instruct/language_profiles.h"
#include "instruct/registry.h"

namespace flash::instruct {

namespace {

Checker response_language(ArgReader& args) {
    const std::string code = args.one_of("language", {"en", "fr", "es", "de", "it", "pt"});
    const std::string name(find_language_profile(code)->name);
    return [=](std::string_view response) {
        const LanguageGuess guess = detect_language(response);
        if (guess.code == code) return passed("written in " + guess.detail);
        if (guess.code.empty())
            return failed("language undetermined (" + guess.detail + "), expected " + name);
        return failed("written in " + guess.detail + ", expected " + name);
    };
}

}  // namespace

void register_language_checkers(Registry& registry) {
    registry.add("language:response_language", response_language, {{"language", "fr"}});
}

}  // namespace flash::instruct
