#include "ask/grounded.h"

#include <algorithm>

#include "ask/lexical.h"
#include "core/error.h"
#include "grammar/compiled_grammar.h"

namespace flash::ask {
namespace {

// The instructions, with an example line; the example cites [4], not [1], so that a small
// model does not learn "[1]" as the way every answer starts.
std::string instructions(const AnswerShape& shape) {
    const std::string lines = shape.max_claims <= 1
                                  ? "Answer in one short line that starts"
                                  : "Answer in one to " + std::to_string(shape.max_claims) +
                                        " short lines, each starting";
    return "You answer questions using only the numbered sentences the user gives you.\n" + lines +
           " with the number of the sentence that supports it, in square brackets, for example:\n"
           "[4] The office opens at 9 a.m.\n"
           "If the numbered sentences do not contain the answer, reply exactly: I don't know.";
}

Citation citation_of(const ContextSentence& s) {
    Citation c;
    c.document = s.document;
    c.document_index = s.document_index;
    c.sentence_index = s.sentence_index;
    c.start_char = s.start_char;
    c.end_char = s.end_char;
    c.start_byte = s.start_byte;
    c.end_byte = s.end_byte;
    c.cited_text = s.text;
    c.context_id = s.id;
    return c;
}

// Share of the question's content words (and numbers) found in the cited sentences.
double relevance(std::string_view question, const std::vector<std::string_view>& cited) {
    const LexicalTerms q = lexical_terms(question);
    const size_t total = q.words.size() + q.numbers.size();
    if (total == 0) return 1.0;  // nothing to judge by
    const LexicalTerms evidence = lexical_terms(cited);
    size_t found = 0;
    for (const std::string& w : q.words) found += contains(evidence.words, w);
    for (const std::string& n : q.numbers) found += contains(evidence.numbers, n);
    return static_cast<double>(found) / total;
}

// The context sentence about the question that best supports a claim on its own, if any does.
const ContextSentence* best_support(const std::string& claim, std::string_view question,
                                    const AskContext& context, const VerifyOptions& options,
                                    double* coverage) {
    const ContextSentence* best = nullptr;
    double best_coverage = 0;
    for (const ContextSentence& s : context.sentences) {
        if (relevance(question, {s.text}) < options.min_relevance) continue;
        const Support sup = support_of(claim, {s.text}, options.support, question);
        if (sup.supported && sup.coverage > best_coverage) {
            best = &s;
            best_coverage = sup.coverage;
        }
    }
    *coverage = best_coverage;
    return best;
}

std::string ids_text(const std::vector<int>& ids) {
    std::string out;
    for (int id : ids) out += "[" + std::to_string(id) + "]";
    return out;
}

}  // namespace

AskResult resolve_answer(const DraftAnswer& draft, const AskContext& context,
                         const VerifyOptions& options, std::string_view question) {
    AskResult r;
    r.documents = context.documents;
    if (draft.abstained) {
        r.abstained = true;
        r.abstain_reason = "the model does not know";
        return r;
    }
    for (const DraftClaim& d : draft.claims) {
        Claim claim;
        claim.text = d.text;
        std::vector<std::string_view> cited;
        for (int id : d.cited) {
            const ContextSentence* s = context.find(id);
            if (!s) continue;  // a number outside the context never becomes a citation
            if (std::any_of(claim.citations.begin(), claim.citations.end(),
                            [&](const Citation& c) { return c.context_id == id; }))
                continue;
            claim.citations.push_back(citation_of(*s));
            cited.push_back(s->text);
        }
        if (std::any_of(r.claims.begin(), r.claims.end(),
                        [&](const Claim& c) { return c.text == claim.text; }))
            continue;  // the same sentence twice says nothing new
        if (!options.verify) {
            r.claims.push_back(std::move(claim));
            continue;
        }
        const Support sup = support_of(claim.text, cited, options.support, question);
        const bool relevant = relevance(question, cited) >= options.min_relevance;
        if (sup.supported && relevant) {
            claim.coverage = sup.coverage;
            r.claims.push_back(std::move(claim));
            continue;
        }
        double coverage = 0;
        if (options.recite) {
            if (const ContextSentence* s =
                    best_support(claim.text, question, context, options, &coverage)) {
                claim.citations = {citation_of(*s)};
                claim.coverage = coverage;
                claim.recited = true;
                r.claims.push_back(std::move(claim));
                continue;
            }
        }
        std::string why = claim.citations.empty() ? "cites no sentence of the documents"
                          : !sup.supported        ? "not supported by " + ids_text(d.cited)
                                           : ids_text(d.cited) + " is not about the question";
        if (!claim.citations.empty() && !sup.supported && !sup.missing.empty())
            why += " ('" + sup.missing + "' is not there)";
        r.dropped.push_back({claim.text, why});
    }
    if (r.claims.empty()) {
        r.abstained = true;
        r.abstain_reason = draft.claims.empty() ? "the model gave no answer"
                                                : "no claim is supported by the documents";
    }
    return r;
}

std::string AskResult::answer_text() const {
    if (abstained) return std::string(k_abstain_text);
    std::string out;
    for (const Claim& c : claims) {
        if (!out.empty()) out += ' ';
        out += c.text;
    }
    return out;
}

std::string AskResult::to_text() const {
    if (abstained) return std::string(k_abstain_text) + " (" + abstain_reason + ")\n";
    // Footnotes numbered in order of first use.
    std::vector<const Citation*> notes;
    std::string out;
    for (const Claim& c : claims) {
        out += c.text;
        for (const Citation& cit : c.citations) {
            auto at = std::find_if(notes.begin(), notes.end(), [&](const Citation* n) {
                return n->document == cit.document && n->start_byte == cit.start_byte;
            });
            if (at == notes.end()) at = notes.insert(notes.end(), &cit);
            out += " [" + std::to_string(at - notes.begin() + 1) + "]";
        }
        out += '\n';
    }
    out += '\n';
    for (size_t i = 0; i < notes.size(); ++i)
        out += "[" + std::to_string(i + 1) + "] " + file_name(notes[i]->document) + ", sentence " +
               std::to_string(notes[i]->sentence_index + 1) + ": \"" + notes[i]->cited_text +
               "\"\n";
    return out;
}

Json AskResult::to_json() const {
    Json content = Json::array();
    for (const Claim& c : claims) {
        Json cites = Json::array();
        for (const Citation& cit : c.citations)
            cites.push_back({{"type", "char_location"},
                             {"cited_text", cit.cited_text},
                             {"document_index", cit.document_index},
                             {"document_title", file_name(cit.document)},
                             {"document", cit.document},
                             {"sentence_index", cit.sentence_index},
                             {"start_char_index", cit.start_char},
                             {"end_char_index", cit.end_char},
                             {"start_byte", cit.start_byte},
                             {"end_byte", cit.end_byte}});
        Json block{{"type", "text"}, {"text", c.text}, {"citations", std::move(cites)}};
        if (c.recited) block["recited"] = true;
        content.push_back(std::move(block));
    }
    Json dropped_json = Json::array();
    for (const DroppedClaim& d : dropped)
        dropped_json.push_back({{"text", d.text}, {"why", d.why}});
    Json j{{"abstained", abstained}, {"answer", answer_text()}, {"content", std::move(content)}};
    if (abstained) j["abstain_reason"] = abstain_reason;
    j["dropped"] = std::move(dropped_json);
    j["documents"] = documents;
    j["raw"] = raw;
    j["usage"] = {{"prompt_tokens", stats.prompt_tokens},
                  {"completion_tokens", stats.generated_tokens}};
    return j;
}

GroundedAnswerer::GroundedAnswerer(Session& session, ChatTemplate chat_template)
    : GroundedAnswerer(session, turn::Turn(std::move(chat_template), session.tokenizer())) {}

GroundedAnswerer::GroundedAnswerer(Session& session, turn::Turn turn)
    : session_(session), turn_(std::move(turn)) {
    if (turn_.chat_template().is_raw())
        throw Error(
            "grounded answers need a chat template, not raw text (try --chat-template chatml or "
            "gemma)");
}

Json GroundedAnswerer::messages(std::string_view question, const AskContext& context,
                                const AnswerShape& shape) {
    return Json::array(
        {Json{{"role", "system"}, {"content", instructions(shape)}},
         Json{{"role", "user"},
              {"content", context.numbered_text() + "\nQuestion: " + std::string(question)}}});
}

AskResult answer_without_context(const AskContext& context) {
    AskResult r;
    r.abstained = true;
    r.abstain_reason =
        context.passages_found == 0 ? "no passage matches the question" : "no relevant passages";
    r.documents = context.documents;
    return r;
}

AskResult GroundedAnswerer::ask(const retrieval::Index& index, std::string_view question,
                                const AskOptions& options, AskTrace* trace) {
    if (question.find_first_not_of(" \t\r\n") == std::string_view::npos)
        throw Error("the question is empty");
    AskTrace local;
    AskTrace& t = trace ? *trace : local;
    t = {};
    t.context = build_context(index, question, options.retrieval, options.document_order);
    const AskContext& context = t.context;
    if (context.sentences.empty()) return answer_without_context(context);
    turn::Prompt prompt;
    prompt.messages = messages(question, context, options.shape);
    std::shared_ptr<const grammar::CompiledGrammar> grammar;
    if (options.constrained)
        grammar = grammar::CompiledGrammar::compile(
            answer_grammar(static_cast<int>(context.sentences.size()), options.shape));
    const turn::PreparedTurn prepared = turn_.prepare(prompt, std::move(grammar));
    t.prompt = prepared.text;
    turn::TurnOutput out = turn_.run(session_, prepared, options.generation);
    std::string raw = std::move(out.text);
    const GenerationStats stats = out.stats;
    t.draft = parse_answer(raw);
    AskResult r = resolve_answer(t.draft, context, options.verify, question);
    r.raw = std::move(raw);
    r.stats = stats;
    return r;
}

}  // namespace flash::ask
