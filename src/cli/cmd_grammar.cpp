// `flash grammar`: look at a constraint without a model — print the compiled grammar, check a
// text against it, or sample random outputs under its token masks (what a model could say).
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "core/gguf.h"
#include "grammar/matcher.h"
#include "store/store.h"

namespace flash::cli {
namespace {

struct GrammarOptions {
    ConstraintOptions constraint;
    std::string vocab = "default";  // GGUF whose vocabulary the masks are computed over
    int samples = 5;
    uint64_t seed = 1;
    int budget = 64;  // tokens chosen at random before steering towards an end
    int max_tokens = 4096;
};

grammar::Grammar compile(const GrammarOptions& o) {
    const grammar::ConstraintSpec spec = constraint_spec(o.constraint);
    if (spec.empty()) throw Error("give a constraint: --json-schema, --grammar, --regex or --json");
    std::vector<std::string> warnings;
    grammar::Grammar g = grammar::compile_spec(spec, &warnings);
    for (const std::string& w : warnings) std::fprintf(stderr, "flash: warning: %s\n", w.c_str());
    return g;
}

void print_grammar(const GrammarOptions& o) {
    std::printf("%s", compile(o).to_string().c_str());
}

void check(const GrammarOptions& o) {
    const std::string text((std::istreambuf_iterator<char>(std::cin)),
                           std::istreambuf_iterator<char>());
    const auto compiled = grammar::CompiledGrammar::compile(compile(o));
    grammar::Matcher m(compiled, grammar::TokenVocabulary::from_pieces({}, {}));
    // `echo` and editors end a file with a newline the grammar may not allow after the value:
    // trailing whitespace is checked like the rest, but accepted when what precedes it is a
    // complete output. Everything before it is checked exactly.
    const size_t body = text.find_last_not_of(" \t\r\n") + 1;  // npos + 1 == 0: all blank
    bool body_complete = false;
    for (size_t i = 0; i < text.size(); ++i) {
        if (i == body) body_complete = m.is_complete();
        if (!m.accept_bytes(std::string_view(text).substr(i, 1))) {
            if (body_complete) break;
            if (i >= body) throw Error("invalid: the text is a valid beginning but ends too early");
            throw Error("invalid: byte " + std::to_string(i) + " ('" + text.substr(i, 1) +
                        "') cannot continue " + "a valid output after \"" +
                        text.substr(i > 40 ? i - 40 : 0, std::min<size_t>(i, 40)) + "\"");
        }
    }
    if (!m.is_complete() && !body_complete)
        throw Error("invalid: the text is a valid beginning but ends too early");
    std::printf("valid\n");
}

// Random walks under the masks: uniform over the allowed tokens for `budget` steps, then
// steering towards an end: half the time the first allowed closer ("]}, in that order), else
// a random allowed one-byte token (short steps satisfy formats such as emails quickly), else any.
std::optional<int32_t> steer(const grammar::TokenMask& mask, const std::vector<int32_t>& closers,
                             const std::vector<int32_t>& single_bytes, std::mt19937_64& rng) {
    if (rng() % 2 == 0)
        for (int32_t c : closers)
            if (mask.allowed(c)) return c;
    std::vector<int32_t> short_ones;
    for (int32_t id : single_bytes)
        if (mask.allowed(id)) short_ones.push_back(id);
    if (short_ones.empty()) return std::nullopt;
    return short_ones[rng() % short_ones.size()];
}

void sample(const GrammarOptions& o) {
    const GgufFile gguf(resolve_model(o.vocab));
    const Tokenizer tok = Tokenizer::from_gguf(gguf);
    const auto vocab = grammar::TokenVocabulary::from_tokenizer(tok);
    const auto compiled = grammar::CompiledGrammar::compile(compile(o));
    std::vector<int32_t> closers;
    std::vector<int32_t> single_bytes;
    for (const char* s : {"\"", "]", "}", ","})
        if (auto id = tok.find_token(s)) closers.push_back(*id);
    for (int32_t id = 0; id < tok.n_vocab(); ++id)
        if (!tok.is_control(id) && tok.token_piece(id).size() == 1) single_bytes.push_back(id);

    grammar::TokenMask mask;
    for (int k = 0; k < o.samples; ++k) {
        std::mt19937_64 rng(o.seed + static_cast<uint64_t>(k));
        grammar::Matcher m(compiled, vocab);
        std::string out;
        std::vector<int32_t> allowed;
        bool dead_end = false;
        int steps = 0;
        for (; steps < o.max_tokens; ++steps) {
            if (m.is_complete() && (!m.can_continue() || rng() % 4 == 0)) break;
            m.compute_mask(mask);
            allowed.clear();
            for (int32_t id = 0; id < tok.n_vocab(); ++id)
                if (mask.allowed(id) && !tok.is_end_of_generation(id)) allowed.push_back(id);
            if (allowed.empty()) {
                dead_end = !m.is_complete();
                break;
            }
            int32_t pick = allowed[rng() % allowed.size()];
            if (steps >= o.budget) pick = steer(mask, closers, single_bytes, rng).value_or(pick);
            if (!m.accept_token(pick))
                throw Error("grammar: a token from the mask was refused (matcher bug)");
            out += tok.token_piece(pick);
        }
        nlohmann::json line = {{"output", out}, {"complete", m.is_complete()}, {"tokens", steps}};
        if (dead_end) line["dead_end"] = true;
        std::printf("%s\n",
                    line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    }
}

}  // namespace

void add_grammar_command(CLI::App& app) {
    auto o = std::make_shared<GrammarOptions>();
    CLI::App* cmd =
        app.add_subcommand("grammar", "Print, check or sample a structured-output constraint");
    cmd->require_subcommand(1);
    CLI::App* print = cmd->add_subcommand("print", "Print the compiled grammar (GBNF-like)");
    CLI::App* check_cmd =
        cmd->add_subcommand("check",
                            "Check the text on stdin: exit 0 if valid, 1 with the reason "
                            "(trailing whitespace and newlines after a complete output are "
                            "ignored)");
    CLI::App* sample_cmd =
        cmd->add_subcommand("sample", "Random outputs under the token masks, one JSON line each");
    for (CLI::App* sub : {print, check_cmd, sample_cmd})
        add_constraint_options(*sub, o->constraint);
    sample_cmd
        ->add_option("-m,--model", o->vocab,
                     "GGUF whose vocabulary to use (model or vocab-only file)")
        ->capture_default_str();
    sample_cmd->add_option("-n,--samples", o->samples, "How many outputs")
        ->check(in_range({1, 100000}, true))
        ->capture_default_str();
    sample_cmd->add_option("-s,--seed", o->seed, "Seed of the first output")->capture_default_str();
    sample_cmd->add_option("--budget", o->budget, "Random tokens before steering to an end")
        ->check(in_range({0, 1 << 20}, true))
        ->capture_default_str();
    print->callback([o] { print_grammar(*o); });
    check_cmd->callback([o] { check(*o); });
    sample_cmd->callback([o] { sample(*o); });
}

}  // namespace flash::cli
