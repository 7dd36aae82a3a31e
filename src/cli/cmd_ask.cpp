// `flash ask`: a question answered from documents — given with --doc (indexed in memory for
// this question) or from an index built with `flash index add` — with each answer sentence
// citing the sentences that support it, or "I don't know".
#include <cstdio>
#include <filesystem>
#include <memory>

#include "ask/grounded.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/device_choice.h"
#include "cli/option_checks.h"
#include "core/error.h"

namespace flash::cli {
namespace {

struct AskCliOptions {
    ModelOptions model;
    GenerateOptions gen;
    SamplingOverrides sampling;
    std::string question;
    std::vector<std::string> docs;
    std::string index_dir;
    std::string chat_template;
    ask::AskOptions ask;
    bool json = false;
    bool no_verify = false;
    bool no_recite = false;
    bool no_constrain = false;
    bool show_prompt = false;
};

// Documents named with --doc, in the order given (a directory: every file under it).
retrieval::Index index_documents(const std::vector<std::string>& paths,
                                 std::vector<std::string>& order) {
    retrieval::Index index = retrieval::Index::in_memory();
    for (const std::string& p : paths) {
        if (std::filesystem::is_directory(p)) {
            const auto result = index.add_directory(p, [&](const retrieval::FileReport& f) {
                if (f.result)
                    order.push_back(f.result->path);
                else
                    std::fprintf(stderr, "flash: warning: %s\n", f.error.c_str());
            });
            if (result.added + result.updated + result.unchanged == 0)
                throw Error(p + ": no readable documents in this directory");
            continue;
        }
        order.push_back(index.add(p).path);  // a DocumentError names the file
    }
    return index;
}

void run_ask(AskCliOptions& o) {
    if (o.question.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error("the question is empty");
    if (!o.docs.empty() && !o.index_dir.empty())
        throw Error("give --doc files or --index DIR, not both");
    // Documents first: a bad file fails before the model is loaded.
    std::vector<std::string> order;
    retrieval::Index index =
        o.docs.empty()
            ? retrieval::Index::open(o.index_dir.empty() ? default_index_dir() : o.index_dir)
            : index_documents(o.docs, order);
    if (o.docs.empty() && index.documents().empty())
        throw Error(index.file() +
                    ": the index holds no documents; add some with `flash index add PATH`");
    o.ask.document_order = order;
    o.ask.verify.verify = !o.no_verify;
    o.ask.verify.recite = !o.no_recite;
    o.ask.constrained = !o.no_constrain;
    o.ask.generation = o.gen;
    o.ask.generation.sampling = o.sampling.over(greedy_sampling());

    LoadedModel lm = load_model(o.model);
    attach_device(lm, o.model);
    Session session(*lm.model, lm.tokenizer.get(), session_options(o.model, lm));
    ask::GroundedAnswerer answerer(session,
                                   ChatTemplate::from_gguf(lm.model->gguf(), o.chat_template));
    ask::AskTrace trace;
    const ask::AskResult r = answerer.ask(index, o.question, o.ask, &trace);
    if (o.show_prompt)
        std::fprintf(stderr, "%s\n",
                     trace.prompt.empty() ? "(the model was not asked)" : trace.prompt.c_str());
    for (const ask::DroppedClaim& d : r.dropped)
        std::fprintf(stderr, "flash: dropped \"%s\": %s\n", d.text.c_str(), d.why.c_str());
    if (o.json) {
        std::printf("%s\n", r.to_json().dump(2, ' ', false).c_str());
    } else {
        std::fputs(r.to_text().c_str(), stdout);
    }
    if (r.stats.generated_tokens > 0)
        std::fprintf(stderr, "[%lld prompt tokens, %lld generated, %.0f ms]\n",
                     static_cast<long long>(r.stats.prompt_tokens),
                     static_cast<long long>(r.stats.generated_tokens),
                     r.stats.prefill_ms + r.stats.decode_ms);
}

}  // namespace

void add_ask_command(CLI::App& app) {
    auto o = std::make_shared<AskCliOptions>();
    CLI::App* cmd = app.add_subcommand(
        "ask", "Answer a question from documents, citing the sentences that support each claim");
    cmd->footer(
        "Each answer sentence cites context sentences; a claim its citations do not support is\n"
        "re-cited to the sentence that does, or dropped; with nothing left the answer is\n"
        "\"I don't know.\" (also when retrieval finds nothing relevant).\n"
        "Examples:\n"
        "  flash ask --doc policy.md --doc faq.html \"How long is the return window?\"\n"
        "  flash index add ~/docs && flash ask --json \"Who approves travel over $500?\"");
    add_model_options(*cmd, o->model);
    add_device_option(*cmd, o->model.device);
    cmd->add_option("question", o->question, "The question")->required();
    cmd->add_option("--doc", o->docs,
                    "A document (text, Markdown, HTML, PDF) or directory; repeatable")
        ->allow_extra_args(false);
    cmd->add_option(
        "--index", o->index_dir,
        "Index directory (default without --doc: $FLASH_INDEX or ~/.cache/flash/index)");
    cmd->add_option("-k,--passages", o->ask.retrieval.passages, "Passages retrieved")
        ->check(in_range({1, 1000}, true))
        ->capture_default_str();
    cmd->add_option("--max-context-words", o->ask.retrieval.max_words, "Context budget in words")
        ->check(in_range({1, 1 << 20}, true))
        ->capture_default_str();
    cmd->add_option("--max-claims", o->ask.shape.max_claims, "Answer lines at most")
        ->check(in_range({1, 1000}, true))
        ->capture_default_str();
    cmd->add_option("--min-support", o->ask.verify.support.min_coverage,
                    "Share of a claim's content words its citations must hold")
        ->check(in_range({0, 1}))
        ->capture_default_str();
    cmd->add_option("--min-relevance", o->ask.verify.min_relevance,
                    "Share of the question's content words a claim's citations must hold")
        ->check(in_range({0, 1}))
        ->capture_default_str();
    cmd->add_flag("--json", o->json,
                  "Print the answer with citations as JSON (document, sentence, offsets, text)");
    cmd->add_flag("--no-verify", o->no_verify, "Keep claims as the model cited them (to compare)");
    cmd->add_flag("--no-recite", o->no_recite, "Drop unsupported claims instead of re-citing them");
    cmd->add_flag("--no-constrain", o->no_constrain,
                  "Generate without the citation grammar (to compare)");
    cmd->add_option("--chat-template", o->chat_template,
                    "chatml, gemma, llama3, or a .jinja file (default: the model's own)");
    cmd->add_flag("--show-prompt", o->show_prompt, "Print the prompt to stderr");
    o->gen.max_tokens = 200;
    cmd->add_option("-n,--n-predict", o->gen.max_tokens, "Maximum tokens in the answer")
        ->check(in_range(sampling_range::kMaxTokens, true))
        ->capture_default_str();
    add_sampling_options(*cmd, o->sampling, kGreedyPresetText);
    cmd->callback([o] { run_ask(*o); });
}

}  // namespace flash::cli
