#include "eval/grounded_eval.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "ask/lexical.h"
#include "core/error.h"

namespace flash::eval {
namespace {

bool is_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}
bool is_digit(unsigned char c) {
    return c >= '0' && c <= '9';
}

// Lowercased word tokens; numbers keep inner ',' and '.' and are normalised.
std::vector<std::string> answer_tokens(std::string_view s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (!is_alnum(c)) {
            ++i;
            continue;
        }
        size_t j = i;
        std::string token;
        bool number = is_digit(c);
        while (j < s.size()) {
            const auto d = static_cast<unsigned char>(s[j]);
            const bool inner = number && (d == ',' || d == '.') && j + 1 < s.size() &&
                               is_digit(static_cast<unsigned char>(s[j + 1]));
            if (!is_alnum(d) && !inner) break;
            if (!is_digit(d) && !inner) number = false;
            token +=
                (d >= 'A' && d <= 'Z') ? static_cast<char>(d - 'A' + 'a') : static_cast<char>(d);
            ++j;
        }
        out.push_back(number ? ask::normalise_number(token) : token);
        i = j;
    }
    return out;
}

std::string normalised_sentence(std::string_view s) {
    std::string out;
    for (const std::string& t : answer_tokens(s)) out += (out.empty() ? "" : " ") + t;
    return out;
}

bool same_sentence(const std::string& cited, const std::string& gold) {
    const std::string a = normalised_sentence(cited), b = normalised_sentence(gold);
    if (a.empty() || b.empty()) return false;
    return a == b || a.find(b) != std::string::npos || b.find(a) != std::string::npos;
}

// The code points [start, end) of `text`.
std::string char_slice(std::string_view text, size_t start, size_t end) {
    std::string out;
    size_t index = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        const bool lead = (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
        if (lead && i > 0) ++index;
        if (index >= start && index < end) out += text[i];
        if (index >= end) break;
    }
    return out;
}

bool numbers_grounded(const std::string& answer, const GroundedCase& c) {
    std::string known = c.question;
    for (const std::string& a : c.answers) known += " " + a;
    for (const GroundedCase::Quote& q : c.support) known += " " + q.quote;
    const std::vector<std::string> allowed = ask::lexical_terms(known).numbers;
    for (const std::string& n : ask::lexical_terms(answer).numbers)
        if (std::find(allowed.begin(), allowed.end(), n) == allowed.end()) return false;
    return true;
}

GroundedScore score(const GroundedCase& c, const ask::AskResult& r, const retrieval::Index& index,
                    const std::vector<std::string>& given) {
    GroundedScore s;
    s.abstained = r.abstained;
    s.answer = r.answer_text();
    s.content = r.to_json()["content"];
    s.gold = static_cast<int>(c.support.size());
    std::vector<bool> gold_hit(c.support.size(), false);
    for (const ask::Claim& claim : r.claims) {
        for (const ask::Citation& cit : claim.citations) {
            ++s.citations;
            // Independently of how it was made: the citation must be text of a given document.
            const std::optional<std::string> text = index.document_text(cit.document);
            const bool inside =
                std::find(given.begin(), given.end(), cit.document) != given.end() && text &&
                cit.end_byte <= text->size() && cit.start_byte <= cit.end_byte &&
                text->compare(cit.start_byte, cit.end_byte - cit.start_byte, cit.cited_text) == 0 &&
                char_slice(*text, cit.start_char, cit.end_char) == cit.cited_text;
            if (!inside) ++s.outside;
            bool gold = false;
            for (size_t g = 0; g < c.support.size(); ++g) {
                if (c.support[g].document == ask::file_name(cit.document) &&
                    same_sentence(cit.cited_text, c.support[g].quote)) {
                    gold = true;
                    gold_hit[g] = true;
                }
            }
            s.citations_gold += gold;
        }
    }
    s.gold_cited = static_cast<int>(std::count(gold_hit.begin(), gold_hit.end(), true));
    s.answer_right = !r.abstained && answer_is_right(s.answer, c);
    return s;
}

Json score_json(const GroundedScore& s) {
    return {{"abstained", s.abstained},
            {"answer_right", s.answer_right},
            {"answer", s.answer},
            {"citations", s.citations},
            {"citations_gold", s.citations_gold},
            {"gold", s.gold},
            {"gold_cited", s.gold_cited},
            {"outside", s.outside},
            {"content", s.content}};
}

Json rate_json(const GroundedRates::Rate& r) {
    return {{"value", r.value()}, {"hits", r.hits}, {"total", r.total}};
}

}  // namespace

bool answer_is_right(const std::string& answer, const GroundedCase& c) {
    return c.answerable && answer_matches(answer, c.answers) && numbers_grounded(answer, c);
}

bool answer_matches(const std::string& answer, const std::vector<std::string>& golds) {
    const std::vector<std::string> a = answer_tokens(answer);
    for (const std::string& gold : golds) {
        const std::vector<std::string> g = answer_tokens(gold);
        if (g.empty() || g.size() > a.size()) continue;
        for (size_t i = 0; i + g.size() <= a.size(); ++i)
            if (std::equal(g.begin(), g.end(), a.begin() + static_cast<std::ptrdiff_t>(i)))
                return true;
    }
    return false;
}

std::vector<GroundedCase> load_grounded_suite(const std::string& dir) {
    const std::string file = dir + "/questions.jsonl";
    std::ifstream in(file);
    if (!in) throw Error("cannot read " + file);
    std::vector<GroundedCase> cases;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::string where = file + ":" + std::to_string(n);
        try {
            const Json j = Json::parse(line);
            GroundedCase c;
            c.id = j.at("id").get<std::string>();
            c.question = j.at("question").get<std::string>();
            c.documents = j.at("documents").get<std::vector<std::string>>();
            c.answerable = j.at("answerable").get<bool>();
            c.computed = j.value("computed", false);
            c.answers = j.at("answers").get<std::vector<std::string>>();
            for (const Json& q : j.at("support"))
                c.support.push_back(
                    {q.at("document").get<std::string>(), q.at("quote").get<std::string>()});
            if (c.documents.empty()) throw Error("no documents");
            cases.push_back(std::move(c));
        } catch (const Json::exception& e) {
            throw Error(where + ": " + e.what());
        } catch (const Error& e) {
            throw Error(where + ": " + e.what());
        }
    }
    if (cases.empty()) throw Error(file + ": no questions");
    return cases;
}

GroundedRates GroundedEvalReport::rates(bool verified) const {
    GroundedRates r;
    for (const GroundedCaseResult& c : results) {
        const GroundedScore& s = verified ? c.verified : c.unverified;
        r.outside += s.outside;
        ++r.overall.total;
        if (c.answerable) {
            ++r.answer_accuracy.total;
            r.answer_accuracy.hits += s.answer_right;
            ++r.false_abstention.total;
            r.false_abstention.hits += s.abstained;
            r.citation_precision.total += s.citations;
            r.citation_precision.hits += s.citations_gold;
            r.citation_recall.total += s.gold;
            r.citation_recall.hits += s.gold_cited;
            r.overall.hits += s.answer_right;
        } else {
            ++r.abstention.total;
            r.abstention.hits += s.abstained;
            r.overall.hits += s.abstained;
        }
    }
    return r;
}

Json GroundedEvalReport::to_json() const {
    Json j;
    for (const bool verified : {true, false}) {
        const GroundedRates r = rates(verified);
        j[verified ? "verified" : "unverified"] = {
            {"answer_accuracy", rate_json(r.answer_accuracy)},
            {"citation_precision", rate_json(r.citation_precision)},
            {"citation_recall", rate_json(r.citation_recall)},
            {"abstention", rate_json(r.abstention)},
            {"false_abstention", rate_json(r.false_abstention)},
            {"overall", rate_json(r.overall)},
            {"citations_outside_documents", r.outside}};
    }
    Json cases = Json::array();
    for (const GroundedCaseResult& c : results)
        cases.push_back({{"id", c.id},
                         {"answerable", c.answerable},
                         {"raw", c.raw},
                         {"abstain_reason", c.abstain_reason},
                         {"dropped", c.dropped},
                         {"ms", c.ms},
                         {"verified", score_json(c.verified)},
                         {"unverified", score_json(c.unverified)}});
    j["cases"] = std::move(cases);
    return j;
}

std::string GroundedEvalReport::summary() const {
    const GroundedRates on = rates(true), off = rates(false);
    std::string out;
    char buf[256];
    std::snprintf(buf, sizeof buf, "%-34s %16s %16s\n", "", "verification on", "verification off");
    out += buf;
    const auto row = [&](const char* name, const GroundedRates::Rate& a,
                         const GroundedRates::Rate& b) {
        std::snprintf(buf, sizeof buf, "%-34s %6.1f%% %4d/%-4d %6.1f%% %4d/%-4d\n", name,
                      100 * a.value(), a.hits, a.total, 100 * b.value(), b.hits, b.total);
        out += buf;
    };
    row("answer accuracy (answerable)", on.answer_accuracy, off.answer_accuracy);
    row("citation precision", on.citation_precision, off.citation_precision);
    row("citation recall", on.citation_recall, off.citation_recall);
    row("abstention (unanswerable)", on.abstention, off.abstention);
    row("false abstention (answerable)", on.false_abstention, off.false_abstention);
    row("overall (right or rightly abstained)", on.overall, off.overall);
    std::snprintf(buf, sizeof buf, "%-34s %16d %16d\n", "citations outside the documents",
                  on.outside, off.outside);
    out += buf;
    return out;
}

std::map<std::string, std::string> load_grounded_outputs(const std::string& file) {
    std::ifstream in(file);
    if (!in) throw Error("cannot read " + file);
    std::map<std::string, std::string> outputs;
    try {
        const Json j = Json::parse(in);
        for (const Json& c : j.at("cases"))
            outputs[c.at("id").get<std::string>()] = c.at("raw").get<std::string>();
    } catch (const Json::exception& e) {
        throw Error(file + ": not a `flash eval grounded --out` file: " + e.what());
    }
    return outputs;
}

GroundedEvalReport run_grounded_eval(Backend* backend, const std::string& dir,
                                     const std::vector<GroundedCase>& cases,
                                     const GroundedEvalOptions& options,
                                     const GroundedEvalProgress& progress) {
    if (!backend && !options.outputs)
        throw Error("grounded evaluation needs a model or earlier outputs");
    GroundedEvalReport report;
    ask::VerifyOptions unverified = options.ask.verify;
    unverified.verify = false;
    for (const GroundedCase& c : cases) {
        const auto t0 = std::chrono::steady_clock::now();
        retrieval::Index index = retrieval::Index::in_memory();
        std::vector<std::string> given;
        for (const std::string& name : c.documents)
            given.push_back(index.add(dir + "/documents/" + name).path);
        ask::AskOptions opts = options.ask;
        opts.document_order = given;
        ask::AskTrace trace;
        ask::AskResult verified;
        if (options.outputs) {
            const auto out = options.outputs->find(c.id);
            if (out == options.outputs->end())
                throw Error("the earlier outputs have no case " + c.id);
            trace.context =
                ask::build_context(index, c.question, opts.retrieval, opts.document_order);
            if (trace.context.sentences.empty()) {
                verified = ask::answer_without_context(trace.context);
            } else {
                trace.prompt = "(rescored)";
                trace.draft = ask::parse_answer(out->second);
                verified = ask::resolve_answer(trace.draft, trace.context, opts.verify, c.question);
                verified.raw = out->second;
            }
        } else {
            verified = backend->ask(index, c.question, opts, &trace);
        }
        const ask::AskResult plain =
            trace.prompt.empty()
                ? verified
                : ask::resolve_answer(trace.draft, trace.context, unverified, c.question);
        GroundedCaseResult r;
        r.id = c.id;
        r.answerable = c.answerable;
        r.raw = verified.raw;
        r.abstain_reason = verified.abstain_reason;
        for (const ask::DroppedClaim& d : verified.dropped)
            r.dropped.push_back({{"text", d.text}, {"why", d.why}});
        r.verified = score(c, verified, index, given);
        r.unverified = score(c, plain, index, given);
        r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                   .count();
        report.results.push_back(std::move(r));
        if (progress) progress(report.results.size(), cases.size(), report.results.back());
    }
    return report;
}

}  // namespace flash::eval
