#include "data/hygiene.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "data/near_duplicates.h"

namespace flash::data {
namespace {

uint64_t hash_words(const std::vector<std::string>& words, size_t from) {
    uint64_t h = 1469598103934665603ull;
    for (size_t i = from; i < from + kContaminationWords; ++i) {
        for (const char c : words[i]) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
        h = (h ^ ' ') * 1099511628211ull;
    }
    return h;
}

template <typename Visit>
void each_ngram(const std::string& text, Visit visit) {
    const std::vector<std::string> words = ngram_words(text);
    for (size_t i = 0; i + kContaminationWords <= words.size(); ++i)
        if (visit(hash_words(words, i))) return;
}

bool is_text_file(const std::filesystem::path& p) {
    const std::string ext = p.extension().string();
    return ext == ".jsonl" || ext == ".json" || ext == ".md" || ext == ".txt" || ext == ".html";
}

// The question a grounded example asks: what follows "Question: " in its last user message
// (the prompt GroundedAnswerer::messages writes).
std::string question_of(const Example& e) {
    for (auto m = e.messages.rbegin(); m != e.messages.rend(); ++m)
        if (m->value("role", "") == "user" && (*m)["content"].is_string()) {
            const std::string text = (*m)["content"].get<std::string>();
            const size_t at = text.rfind("\nQuestion: ");
            return at == std::string::npos ? text : text.substr(at + 11);
        }
    return "";
}

}  // namespace

std::vector<std::string> ngram_words(const std::string& text) {
    std::vector<std::string> words;
    std::string w;
    for (const char c : text) {
        if (std::isalnum(static_cast<unsigned char>(c))) {
            w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else if (!w.empty()) {
            words.push_back(std::move(w));
            w.clear();
        }
    }
    if (!w.empty()) words.push_back(std::move(w));
    return words;
}

EvalNgrams::EvalNgrams(const std::string& dir) {
    if (!std::filesystem::is_directory(dir))
        throw Error("decontamination: " + dir + " is not a directory (the evaluation suites)");
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file() || !is_text_file(entry.path())) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        std::stringstream text;
        text << in.rdbuf();
        each_ngram(text.str(), [this](uint64_t h) {
            ngrams_.insert(h);
            return false;
        });
        ++files_;
    }
}

bool EvalNgrams::overlaps(const std::string& text) const {
    bool found = false;
    each_ngram(text, [&](uint64_t h) { return found = ngrams_.count(h) != 0; });
    return found;
}

std::vector<Example> clean(std::vector<Example> examples, const EvalNgrams& eval,
                           HygieneReport& report) {
    std::unordered_set<std::string> seen;
    std::vector<Example> out;
    for (Example& e : examples) {
        if (!seen.insert(e.messages.dump() + e.tools.dump()).second) {
            ++report.duplicates;
            continue;
        }
        if (eval.overlaps(example_text(e))) {
            ++report.contaminated;
            report.contaminated_ids.push_back(e.id);
            continue;
        }
        out.push_back(std::move(e));
    }
    // Near duplicates: the text plus the names of the tools offered (the same request with
    // other tools to choose from teaches something else, and is kept). Grounded examples are
    // compared only with those asking the same question of the same sentence: different
    // questions over one document share most of their text (the context) and are different
    // examples, as in every reading-comprehension set; the same question over nearly the
    // same context is not.
    std::vector<std::string> texts, classes;
    for (const Example& e : out) {
        std::string text = example_text(e);
        if (e.tools.is_array())
            for (const Json& t : e.tools) text += " tool " + t["function"].value("name", "");
        texts.push_back(std::move(text));
        classes.push_back(e.family == "grounded" ? question_of(e) : e.family);
    }
    const std::vector<bool> near = near_duplicates(texts, classes);
    std::vector<Example> kept;
    for (size_t i = 0; i < out.size(); ++i) {
        if (near[i]) {
            ++report.near_duplicates;
            continue;
        }
        kept.push_back(std::move(out[i]));
    }
    return kept;
}

}  // namespace flash::data
