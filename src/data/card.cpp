#include "data/card.h"

#include <algorithm>
#include <map>

#include "core/sha256.h"
#include "core/text_file.h"
#include "data/hygiene.h"

namespace flash::data {
namespace {

std::string size_category(size_t n) {
    if (n < 1000) return "n<1K";
    if (n < 10000) return "1K<n<10K";
    if (n < 100000) return "10K<n<100K";
    return "100K<n<1M";
}

struct Lengths {
    std::vector<size_t> whole, replies;
    std::vector<size_t> whole_tokens, reply_tokens;
};

std::string stats_row(const std::string& name, std::vector<size_t> v) {
    if (v.empty()) return "| " + name + " | 0 | – | – | – | – |\n";
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (size_t x : v) sum += static_cast<double>(x);
    auto at = [&](double q) {
        return v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))];
    };
    return "| " + name + " | " + std::to_string(v.size()) + " | " +
           format_number("%.0f", sum / static_cast<double>(v.size())) + " | " +
           std::to_string(at(0.5)) + " | " + std::to_string(at(0.95)) + " | " +
           std::to_string(v.back()) + " |\n";
}

size_t words_of(const std::string& text) {
    return ngram_words(text).size();
}

// "97.5%" of `total` kept; "–" when nothing was tried.
std::string pass_rate(int64_t kept, int64_t total) {
    return total ? format_number("%.1f%%",
                                 100.0 * static_cast<double>(kept) / static_cast<double>(total))
                 : "–";
}

// Where the teacher wrote replies: per family, what was sent, kept and why the rest was not.
std::string teacher_section(const TeacherReport& t) {
    std::string c =
        "## Teacher\n\nReplies written by `" + t.model +
        "` through an OpenAI-compatible endpoint and checked like the built ones; a "
        "reply that passed replaced the built reply (its row's `checks` end with "
        "`teacher_reply_verified`), a reply that failed was counted here and the "
        "built reply kept.\n\n| family | sent | kept | pass rate |\n|---|---|---|---|\n";
    for (const auto& [family, sent] : t.sent) {
        const auto it = t.kept.find(family);
        const int64_t kept = it == t.kept.end() ? 0 : it->second;
        c += "| " + family + " | " + std::to_string(sent) + " | " + std::to_string(kept) + " | " +
             pass_rate(kept, sent) + " |\n";
    }
    if (!t.rejected.empty()) {
        c += "\nRejected teacher replies, by reason:\n\n";
        for (const auto& [reason, n] : t.rejected)
            c += "- " + reason + ": " + std::to_string(n) + "\n";
    }
    return c + "\n";
}

}  // namespace

std::string dataset_card(const CardFacts& f) {
    const size_t n = f.examples.size();
    std::map<std::string, int64_t> by_family, by_kind;
    std::map<std::string, Lengths> lengths;
    for (const Example& e : f.examples) {
        ++by_family[e.family];
        ++by_kind[e.family + " / " + e.kind];
        Lengths& l = lengths[e.family];
        l.whole.push_back(words_of(example_text(e)));
        std::string replies;
        for (const Json& m : e.messages) {  // what the model is trained to write
            if (m.value("role", "") != "assistant") continue;
            if (m["content"].is_string()) replies += m["content"].get<std::string>() + "\n";
            if (m.contains("tool_calls") && m["tool_calls"].is_array())
                for (const Json& call : m["tool_calls"])
                    replies += call["function"]["name"].get<std::string>() + " " +
                               call["function"]["arguments"].get<std::string>() + "\n";
        }
        l.replies.push_back(words_of(replies));
        if (f.tokenizer) {
            const std::string tools = e.tools.is_null() ? "" : e.tools.dump();
            l.whole_tokens.push_back(f.tokenizer->encode(example_text(e) + tools, false).size());
            l.reply_tokens.push_back(f.tokenizer->encode(replies, false).size());
        }
    }
    const SplitCounts& s = f.report.splits;
    std::string c = "---\n";
    c += "license: apache-2.0\n";
    c += "language:\n- en\n";
    c += "pretty_name: flash training data (grounded answers, tool calls, instructions)\n";
    c += "task_categories:\n- text-generation\n- question-answering\n";
    c += "tags:\n- tool-calling\n- function-calling\n- retrieval-augmented-generation\n"
         "- citations\n- instruction-following\n- synthetic\n";
    c += "size_categories:\n- " + size_category(n) + "\n";
    c += "configs:\n- config_name: default\n  data_files:\n"
         "  - split: train\n    path: train.jsonl\n"
         "  - split: validation\n    path: valid.jsonl\n"
         "  - split: test\n    path: test.jsonl\n";
    c += "dataset_info:\n  splits:\n";
    c += "  - name: train\n    num_examples: " + std::to_string(s.train) + "\n";
    c += "  - name: validation\n    num_examples: " + std::to_string(s.valid) + "\n";
    c += "  - name: test\n    num_examples: " + std::to_string(s.test) + "\n";
    c += "---\n\n";
    c += "# flash training data\n\n";
    c += "Chat examples for three jobs a small model should do the same way every time: answer "
         "from documents citing the sentences that support each claim (and say \"I don't "
         "know.\" when they do not hold the answer), call tools right on the first try, and "
         "follow instructions on format and length. Every example was checked by the code that "
         "scores flash's evaluation suites before it was kept.\n\n";
    c += "Built by `flash data build --size " + f.options.size + " --seed " +
         std::to_string(f.options.seed) + "`: " + std::to_string(n) + " examples (train " +
         std::to_string(s.train) + ", validation " + std::to_string(s.valid) + ", test " +
         std::to_string(s.test) +
         "). Splits are by source — every example drawn from one "
         "document or one function lands in the same split — so the test split holds sources "
         "the training split never saw.\n\n";
    c += "## Rows\n\n";
    c += "`messages` (OpenAI chat: system/user/assistant/tool roles, assistant `tool_calls` "
         "with arguments as JSON text), `tools` (the OpenAI function tools offered, as JSON text — "
         "`json.loads` it; `[]` when none — since their schemas differ from row to row and a "
         "columnar loader needs one type per column), "
         "`family`, `kind`, `source`, `id`, `checks` (the verifications it passed) and "
         "`verifier` (JSON text: the gold calls, or the instruction ids and arguments that "
         "re-check a response — usable as verifiable rewards). Tool calls are stored as OpenAI "
         "`tool_calls`, not in one model family's text: a chat template renders them in each "
         "family's own call format at training time.\n\n";
    c += "## Counts\n\n| family | kind | examples |\n|---|---|---|\n";
    for (const auto& [key, count] : by_kind) {
        const size_t slash = key.find(" / ");
        c += "| " + key.substr(0, slash) + " | " + key.substr(slash + 3) + " | " +
             std::to_string(count) + " |\n";
    }
    c += "\n## Verification\n\n| family | kept | rejected | pass rate |\n|---|---|---|---|\n";
    for (const char* fam : {"grounded", "tools", "instruct"}) {
        const int64_t kept = f.report.tally.kept_in(fam),
                      rejected = f.report.tally.rejected_in(fam);
        c += std::string("| ") + fam + " | " + std::to_string(kept) + " | " +
             std::to_string(rejected) + " | " + pass_rate(kept, kept + rejected) + " |\n";
    }
    c +=
        "\nWhat each check means: *grounded* — the context is assembled exactly as `flash ask` "
        "assembles it (same in-memory retrieval, 3 passages, 600-word budget, 2, 4 or 6 distractor "
        "documents beside the source) and kept only when the supporting sentence is in it and "
        "flash's claim verification accepts the citation; questions the document does not "
        "answer get \"I don't know.\" *tools* — APIGen's three stages: the arguments validate "
        "against the schema, the call runs against the function's stub, and every argument "
        "value appears in the user's words; the conversation passes the server's checks. "
        "*instruct* — every instruction's checker (IFEval's strict reading) passes on every "
        "assistant reply.\n\n";
    if (!f.report.tally.rejected.empty()) {
        c += "Rejected, by reason:\n\n";
        for (const auto& [reason, count] : f.report.tally.rejected)
            c += "- " + reason + ": " + std::to_string(count) + "\n";
        c += "\n";
    }
    if (f.report.teacher) c += teacher_section(*f.report.teacher);
    c += "## Lengths (words)\n\n| family, whole example | n | mean | p50 | p95 | max |\n"
         "|---|---|---|---|---|---|\n";
    for (const auto& [fam, l] : lengths) c += stats_row(fam, l.whole);
    c +=
        "\n| family, assistant replies | n | mean | p50 | p95 | max |\n|---|---|---|---|---|---|\n";
    for (const auto& [fam, l] : lengths) c += stats_row(fam, l.replies);
    c += "\nWords are runs of letters and digits.\n\n";
    if (f.tokenizer) {
        c += "## Lengths (tokens of " + f.tokenizer_name +
             ")\n\n| family, whole example | n | mean | p50 | p95 | max |\n"
             "|---|---|---|---|---|---|\n";
        for (const auto& [fam, l] : lengths) c += stats_row(fam, l.whole_tokens);
        c += "\n| family, assistant replies | n | mean | p50 | p95 | max |\n"
             "|---|---|---|---|---|---|\n";
        for (const auto& [fam, l] : lengths) c += stats_row(fam, l.reply_tokens);
        c += "\nCounted over the messages' text, the calls' arguments and the tool schemas; a "
             "chat template adds a few tokens per message. Set a training run's maximum "
             "length from the p95 and max of the model's own tokenizer.\n\n";
    }
    c += "## Hygiene\n\n";
    c += "- Exact duplicates removed: " + std::to_string(f.report.hygiene.duplicates) + ".\n";
    c += "- Near duplicates removed: " + std::to_string(f.report.hygiene.near_duplicates) +
         " (MinHash over 5-word shingles, 128 hashes in 16 bands, then exact Jaccard "
         "similarity >= 0.8 with an example kept before; the tools offered count as text; "
         "grounded examples are compared with those asking the same question, since "
         "different questions over one document share its context).\n";
    c += "- Decontamination: no example shares a " + std::to_string(kContaminationWords) +
         "-word sequence with any text file of the evaluation suites (" +
         std::to_string(f.report.eval_files) +
         " files under `data/eval/`); removed: " + std::to_string(f.report.hygiene.contaminated) +
         (f.report.hygiene.contaminated_ids.empty() ? "" : " (listed in manifest.json)") + ".\n\n";
    c += "## Sources and licences\n\n";
    c += "- The data is released under the Apache License 2.0, as flash is.\n";
    c += "- `documents.jsonl`: documents of invented organisations and products (policies, "
         "manuals, changelogs, schedules, ...), each sentence with the question it answers; "
         "written for this project, Apache-2.0.\n";
    c += "- `tools_catalog.jsonl`: functions with JSON Schemas over 20+ domains, requests, "
         "stub results and final answers; written for this project, Apache-2.0.\n";
    if (f.report.machine_licences.empty()) {
        c += "- No text was taken from a third party or generated by a model under other "
             "terms.\n\n";
    } else {
        c += "- `machine_documents.jsonl`: questions written for this project (Apache-2.0) "
             "over real texts read at build time from the Debian system that built the set; "
             "the texts are quoted verbatim in the contexts and answers, under their own "
             "terms:\n";
        for (const std::string& line : f.report.machine_licences) c += "  - " + line + "\n";
        c += "- No other text was taken from a third party or generated by a model under "
             "other terms.\n";
        if (!f.report.skipped_documents.empty()) {
            c += "- Skipped (could not be read, or not the annotated version):\n";
            for (const std::string& why : f.report.skipped_documents) c += "  - " + why + "\n";
        }
        c += "\n";
    }
    c += "## Known limits\n\n";
    c += std::string(f.report.teacher ? "- Replies the teacher did not write"
                                      : "- Built without a teacher model: replies") +
         " are extractive (grounded), templated "
         "(tools: irrelevance and clarifying replies) or assembled from document sentences "
         "(instructions), so their style is plainer than a person's.\n";
    c += "- Instruction families: 21 of the 26 that flash's checkers know, met by the builder by "
         "construction (case, capital-word counts, commas, bullets, highlights, sections, "
         "paragraphs, title, JSON, postscript, placeholders, start and end phrases, quotation, "
         "included, excluded and counted keywords, letter counts, word and sentence limits); "
         "repeat_prompt, two_responses, constrained_response, nth_paragraph_first_word and "
         "response_language are not represented yet.\n";
    c += "- English only; invented entities only.\n\n";
    c += "## Rebuild and check\n\n```sh\nflash data build --out DIR --size " + f.options.size +
         " --seed " + std::to_string(f.options.seed) +
         (f.tokenizer ? " --tokenizer MODEL.gguf  # " + f.tokenizer_name : std::string()) +
         "\nsha256sum -c <(jq -r '.files | to_entries[] | \"\\(.value.sha256)  DIR/\\(.key)\"' "
         "manifest.json)\n```\n";
    return c;
}

Json manifest(const CardFacts& f, const std::filesystem::path& out_dir) {
    Json files = Json::object();
    for (const char* name :
         {"train.jsonl", "valid.jsonl", "test.jsonl", "sample.jsonl", "README.md"}) {
        const std::filesystem::path p = out_dir / name;
        files[name] =
            Json{{"sha256", sha256_file(p.string())}, {"bytes", std::filesystem::file_size(p)}};
    }
    Json sources = Json::object();
    for (const auto& [name, sum] : f.source_sha256) sources[name] = sum;
    Json kept = Json::object(), rejected = Json::object();
    for (const auto& [k, n] : f.report.tally.kept) kept[k] = n;
    for (const auto& [k, n] : f.report.tally.rejected) rejected[k] = n;
    Json teacher;
    if (f.report.teacher)
        teacher = Json{{"model", f.report.teacher->model},
                       {"sent", f.report.teacher->sent},
                       {"kept", f.report.teacher->kept},
                       {"rejected", f.report.teacher->rejected}};
    Json build{{"size", f.options.size}, {"seed", f.options.seed}};
    if (f.tokenizer) build["tokenizer"] = f.tokenizer_name;
    Json out{{"flash_version", FLASH_VERSION_STRING},
             {"build", build},
             {"sources", sources},
             {"files", files},
             {"splits",
              {{"train", f.report.splits.train},
               {"validation", f.report.splits.valid},
               {"test", f.report.splits.test}}},
             {"kept", kept},
             {"rejected", rejected},
             {"duplicates_removed", f.report.hygiene.duplicates},
             {"near_duplicates_removed", f.report.hygiene.near_duplicates},
             {"contaminated_removed", f.report.hygiene.contaminated_ids}};
    if (!teacher.is_null()) out["teacher"] = teacher;
    return out;
}

}  // namespace flash::data
