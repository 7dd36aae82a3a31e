#include "data/grounded_examples.h"

#include "ask/answer_format.h"
#include "ask/context.h"
#include "ask/grounded.h"
#include "data/random.h"
#include "retrieval/index.h"

namespace flash::data {
namespace {

constexpr const char* kFamily = "grounded";

// The source document and `n` others, in a shuffled order, indexed in memory.
struct Library {
    retrieval::Index index = retrieval::Index::in_memory();
    std::vector<std::string> order;  // paths as stored: the order the documents were given
};

Library library(const std::vector<SourceDocument>& documents, size_t source, int n, Rng& rng) {
    std::vector<size_t> chosen{source};
    std::vector<size_t> others;
    for (size_t i = 0; i < documents.size(); ++i)
        if (i != source) others.push_back(i);
    rng.shuffle(others);
    for (size_t i = 0; i < others.size() && static_cast<int>(i) < n; ++i)
        chosen.push_back(others[i]);
    rng.shuffle(chosen);
    Library lib;
    for (const size_t i : chosen) {
        const SourceDocument& d = documents[i];
        lib.index.add_document(retrieval::Document{d.file_name(), d.text(), "text"});
        lib.order.push_back(d.file_name());
    }
    return lib;
}

// The context's numbered sentence that is `text` of document `d`, if retrieval gave it.
const ask::ContextSentence* find_sentence(const ask::AskContext& context, const SourceDocument& d,
                                          const std::string& text) {
    for (const ask::ContextSentence& c : context.sentences)
        if (c.document == d.file_name() && c.text == text) return &c;
    return nullptr;
}

Example make(const std::string& id, const std::string& kind, const SourceDocument& d,
             const Json& prompt, const std::string& answer, std::vector<std::string> checks,
             Json context) {
    Example e = d.example(id, kFamily, kind);
    e.context = std::move(context);
    e.messages = prompt;
    e.messages.push_back(Json{{"role", "assistant"}, {"content", answer}});
    e.checks = std::move(checks);
    return e;
}

}  // namespace

Json context_json(const std::string& question, const ask::AskContext& context,
                  const std::vector<int>& support) {
    Json sentences = Json::array();
    for (const ask::ContextSentence& c : context.sentences)
        sentences.push_back(Json{{"id", c.id},
                                 {"document", c.document},
                                 {"document_index", c.document_index},
                                 {"sentence_index", c.sentence_index},
                                 {"bytes", {c.start_byte, c.end_byte}},
                                 {"chars", {c.start_char, c.end_char}},
                                 {"text", c.text}});
    return Json{{"question", question},
                {"documents", context.documents},
                {"sentences", sentences},
                {"support", support}};
}

ask::AskContext context_from_json(const Json& json) {
    ask::AskContext context;
    context.documents = json.at("documents").get<std::vector<std::string>>();
    for (const Json& s : json.at("sentences")) {
        ask::ContextSentence c;
        c.id = s.at("id").get<int>();
        c.document = s.at("document").get<std::string>();
        c.document_index = s.at("document_index").get<size_t>();
        c.sentence_index = s.at("sentence_index").get<size_t>();
        c.start_byte = s.at("bytes").at(0).get<size_t>();
        c.end_byte = s.at("bytes").at(1).get<size_t>();
        c.start_char = s.at("chars").at(0).get<size_t>();
        c.end_char = s.at("chars").at(1).get<size_t>();
        c.text = s.at("text").get<std::string>();
        context.sentences.push_back(std::move(c));
    }
    return context;
}

std::vector<Example> grounded_examples(const std::vector<SourceDocument>& documents,
                                       const GroundedOptions& options, Tally& tally) {
    std::vector<Example> out;
    const ask::AskOptions ask_defaults;  // what `flash ask` uses
    for (size_t di = 0; di < documents.size(); ++di) {
        const SourceDocument& d = documents[di];
        for (int v = 0; v < options.variants; ++v) {
            const std::string base = "grounded-" + d.id + "-v" + std::to_string(v);
            Rng rng(options.seed, base);
            // More distractors in later variants: retrieval then ranks among more passages,
            // so the contexts differ and are not just reshuffled copies.
            Library lib = library(documents, di, options.distractors * (v + 1), rng);
            for (size_t si = 0; si < d.sentences.size(); ++si) {
                const SourceSentence& s = d.sentences[si];
                const ask::AskContext context =
                    ask::build_context(lib.index, s.question, ask_defaults.retrieval, lib.order);
                const ask::ContextSentence* support = find_sentence(context, d, s.text);
                if (!support) {
                    tally.reject(kFamily, "retrieval missed the supporting sentence");
                    continue;
                }
                std::string answer(1, '[');  // in steps: GCC 12 warns falsely on "[" + to_string()
                answer += std::to_string(support->id) + "] " + s.text;
                const ask::AskResult checked = ask::resolve_answer(
                    ask::parse_answer(answer), context, ask_defaults.verify, s.question);
                if (checked.abstained || checked.claims.size() != 1 || checked.claims[0].recited) {
                    tally.reject(kFamily, "verification did not accept the cited sentence");
                    continue;
                }
                out.push_back(
                    make(base + "-s" + std::to_string(si), s.kind, d,
                         ask::GroundedAnswerer::messages(s.question, context, ask_defaults.shape),
                         answer, {"context_as_flash_ask", "citation_verified"},
                         context_json(s.question, context, {support->id})));
                tally.keep(kFamily, s.kind);
            }
            // Two questions at once: two claims, each citing its own sentence.
            for (int pair = 0; pair < 2 && d.sentences.size() >= 2; ++pair) {
                const size_t n = d.sentences.size();
                const size_t ia = rng.below(n);
                const size_t ib = (ia + 1 + rng.below(n - 1)) % n;
                const SourceSentence& a = d.sentences[ia];
                const SourceSentence& b = d.sentences[ib];
                const std::string question = a.question + " Also: " + b.question;
                const ask::AskContext context =
                    ask::build_context(lib.index, question, ask_defaults.retrieval, lib.order);
                const ask::ContextSentence* sa = find_sentence(context, d, a.text);
                const ask::ContextSentence* sb = find_sentence(context, d, b.text);
                if (!sa || !sb) {
                    tally.reject(kFamily, "retrieval missed a supporting sentence of two");
                    continue;
                }
                std::string answer(1, '[');
                answer += std::to_string(sa->id) + "] " + a.text + "\n[" + std::to_string(sb->id) +
                          "] " + b.text;
                const ask::AskResult checked = ask::resolve_answer(
                    ask::parse_answer(answer), context, ask_defaults.verify, question);
                if (checked.abstained || checked.claims.size() != 2 || !checked.dropped.empty() ||
                    checked.claims[0].recited || checked.claims[1].recited) {
                    tally.reject(kFamily, "verification did not accept both cited sentences");
                    continue;
                }
                out.push_back(
                    make(base + "-m" + std::to_string(pair), "multi_sentence", d,
                         ask::GroundedAnswerer::messages(question, context, ask_defaults.shape),
                         answer, {"context_as_flash_ask", "citation_verified"},
                         context_json(question, context, {sa->id, sb->id})));
                tally.keep(kFamily, "multi_sentence");
            }
            for (size_t ui = 0; ui < d.unanswerable.size(); ++ui) {
                const auto& u = d.unanswerable[ui];
                const ask::AskContext context =
                    ask::build_context(lib.index, u.question, ask_defaults.retrieval, lib.order);
                if (context.sentences.empty()) {  // flash ask would not ask the model at all
                    tally.reject(kFamily, "retrieval found nothing for an unanswerable question");
                    continue;
                }
                const std::string kind = "unanswerable_" + u.kind;
                out.push_back(
                    make(base + "-u" + std::to_string(ui), kind, d,
                         ask::GroundedAnswerer::messages(u.question, context, ask_defaults.shape),
                         std::string(ask::k_abstain_text),
                         {"context_as_flash_ask", "unanswerable_by_construction"},
                         context_json(u.question, context, {})));
                tally.keep(kFamily, kind);
            }
        }
    }
    return out;
}

}  // namespace flash::data
