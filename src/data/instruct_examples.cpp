#include "data/instruct_examples.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "core/error.h"
#include "data/random.h"
#include "instruct/check.h"
#include "instruct/sentences.h"
#include "instruct/words.h"

namespace flash::data {
namespace {

constexpr const char* kFamily = "instruct";

// The response before it is rendered: what the instructions shape.
struct Response {
    std::vector<std::string> items;  // the document sentences it says
    bool bullets = false, title = false, lowercase = false, uppercase = false;
    bool no_comma = false, quotation = false, json = false;
    size_t highlights = 0;  // the first n items in *italics*
    size_t groups = 0;      // items split into n paragraphs ("***") or sections
    bool sections = false;  // the groups are "Section k" sections, not paragraphs
    std::string start, end, postscript, placeholders;

    // The items as prose: one run, or `groups` paragraphs or sections.
    std::string prose(const std::vector<std::string>& said) const {
        if (groups == 0) {
            std::string body;
            for (size_t i = 0; i < said.size(); ++i) body += (i ? " " : "") + said[i];
            return body;
        }
        std::string body;
        for (size_t g = 0; g < groups; ++g) {
            const size_t from = g * said.size() / groups, to = (g + 1) * said.size() / groups;
            if (g) body += sections ? "\n\n" : "\n\n***\n\n";
            if (sections) body += "Section " + std::to_string(g + 1) + "\n";
            for (size_t i = from; i < to; ++i) body += (i > from ? " " : "") + said[i];
        }
        return body;
    }

    std::string render(const std::string& title_text) const {
        std::string body;
        if (json) {
            body = Json{{"points", items}}.dump(2);
        } else {
            std::vector<std::string> said = items;
            for (size_t i = 0; i < highlights && i < said.size(); ++i)
                said[i] = "*" + said[i] + "*";
            if (bullets) {
                for (size_t i = 0; i < said.size(); ++i) body += (i ? "\n* " : "* ") + said[i];
            } else {
                body = prose(said);
            }
            if (!start.empty()) body = start + (bullets ? "\n" : " ") + body;
            if (!placeholders.empty()) body += "\n\n" + placeholders;
            if (title) body = "<<" + title_text + ">>\n\n" + body;
            if (!postscript.empty()) body += "\n\nP.S. " + postscript;
            if (!end.empty()) body += "\n\n" + end;
        }
        if (lowercase || uppercase)
            for (char& c : body)
                c = static_cast<char>(lowercase ? std::tolower(static_cast<unsigned char>(c))
                                                : std::toupper(static_cast<unsigned char>(c)));
        if (no_comma) std::erase(body, ',');
        if (quotation) body = "\"" + body + "\"";
        return body;
    }
};

// One instruction the builder can meet: its id, how it is asked, how it shapes the response,
// and its checker's arguments (which may depend on the rendered text).
struct Kind {
    std::string type;
    std::vector<std::string> phrasings;  // "{n}" and "{phrase}" are filled in
    std::set<std::string> conflicts;
};

const std::vector<Kind>& kinds() {
    static const std::vector<Kind> list = {
        {"case:lowercase",
         {"Use only small letters: not a single capital anywhere in the reply.",
          "Write the reply entirely in lowercase."},
         {"case:uppercase"}},
        {"case:uppercase",
         {"Write the whole reply in capitals.", "Every letter of the reply must be a capital."},
         {"case:lowercase", "format:json"}},
        {"punctuation:no_comma",
         {"The reply must not contain a single comma.", "Leave out commas completely."},
         {"format:json"}},
        {"format:bullet_count",
         {"Reply as a list of exactly {n} lines, each starting with \"* \".",
          "Make it {n} markdown bullets (\"* \"), no more and no fewer."},
         {"format:json", "startend:quotation"}},
        {"format:title",
         {"Put a title first, inside double angle brackets like <<a title>>.",
          "Open with a heading written as <<heading>>."},
         {"format:json", "startend:start_checker", "startend:quotation"}},
        {"content:postscript",
         {"Close with a note that begins with P.S.", "Add a P.S. line at the very end."},
         {"format:json"}},
        {"startend:end_checker",
         {"The last words of the reply must be exactly: {phrase}",
          "Make \"{phrase}\" the final words, with nothing after them."},
         {"format:json", "startend:quotation"}},
        {"startend:start_checker",
         {"The reply must open with the words \"{phrase}\".", "Let the first words be: {phrase}"},
         {"format:json", "startend:quotation", "format:title"}},
        {"startend:quotation",
         {"Enclose the whole reply in double quotes.",
          "Quote the entire reply, one double quote at each end."},
         {"format:json", "startend:end_checker", "startend:start_checker", "format:title",
          "format:bullet_count"}},
        {"format:json",
         {"Reply with a JSON object and nothing else.", "Give the answer as JSON only."},
         {"case:uppercase", "punctuation:no_comma", "format:bullet_count", "format:title",
          "content:postscript", "startend:end_checker", "startend:start_checker",
          "startend:quotation"}},
        {"keywords:include",
         {"Use the words {words} somewhere in the reply.", "The reply has to mention {words}."},
         {}},
        {"length:words", {"Stay below {n} words.", "Fewer than {n} words, please."}, {}},
        {"length:sentences",
         {"Use {relation} {n} sentences.", "The reply should have {relation} {n} sentences."},
         {}},
        {"keywords:exclude",
         {"Do not use the words {words}.", "Avoid the words {words} entirely."},
         {}},
        {"keywords:frequency",
         {"Use the word \"{word}\" at least {n} times.",
          "Make sure \"{word}\" appears at least {n} times."},
         {}},
        {"keywords:letter_frequency",
         {"Use the letter \"{letter}\" {relation} {n} times.",
          "The letter \"{letter}\" should appear {relation} {n} times in total."},
         {}},
        {"case:capital_word_frequency",
         {"Use fewer than {n} words written entirely in capitals.",
          "Keep words in all capitals to fewer than {n}."},
         {"case:uppercase"}},
        {"format:highlighted_sections",
         {"Highlight at least {n parts} with markdown, like *this part*.",
          "Mark at least {n passages} in italics with single asterisks, as in *this*."},
         {"format:json"}},
        {"content:placeholders",
         {"Include at least {n placeholders} in square brackets, such as [address].",
          "Leave at least {n blanks} for the reader to fill in, written like [name]."},
         {"format:json"}},
        {"length:paragraphs",
         {"Write exactly {n} paragraphs, separated by the markdown divider ***.",
          "Split the reply into {n} paragraphs with *** between them."},
         {"format:json", "format:bullet_count", "format:title", "format:sections"}},
        {"format:sections",
         {"Organise the reply in {n} sections, each starting with a line \"Section X\".",
          "Give it {n} parts, each headed \"Section 1\", \"Section 2\" and so on."},
         {"format:json", "format:bullet_count", "length:paragraphs", "startend:start_checker",
          "startend:quotation", "case:uppercase", "case:lowercase"}},
    };
    return list;
}

const std::vector<std::string>& end_phrases() {
    static const std::vector<std::string> p = {"That covers the main points.",
                                               "Those are the essentials.", "Hope this helps."};
    return p;
}
const std::vector<std::string>& start_phrases() {
    static const std::vector<std::string> p = {"In short", "Here is what matters", "To sum up",
                                               "Briefly"};
    return p;
}
const std::vector<std::string>& postscripts() {
    static const std::vector<std::string> p = {"The full document has more details.",
                                               "Check the original text before acting on this.",
                                               "Ask if any point needs more explanation."};
    return p;
}
const std::vector<std::string>& tasks() {
    static const std::vector<std::string> p = {
        "Summarize the following text from \"{title}\".",
        "Read this text from \"{title}\" and tell me the points that matter most.",
        "Pick out the key facts from the \"{title}\" text below.",
        "Explain what the following text from \"{title}\" says.",
        "What does this part of \"{title}\" tell me?",
        "Give me the gist of this text from \"{title}\".",
    };
    return p;
}

// Words a reply can do without, for keywords:exclude.
const std::vector<std::string>& filler_words() {
    static const std::vector<std::string> p = {"basically", "actually", "really", "very",
                                               "obviously", "simply",   "just",   "honestly"};
    return p;
}
const std::vector<std::string>& placeholder_lines() {
    static const std::vector<std::string> p = {
        "Send questions to [name] at [email].", "Confirm the details with [contact person].",
        "Keep this for your records under [reference number] and [date].",
        "Your local office is at [address]."};
    return p;
}

// "1 part", "2 parts".
std::string counted(size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

// "\"a\", \"b\" and \"c\"".
std::string quoted_list(const std::vector<std::string>& words) {
    std::string list;
    for (size_t i = 0; i < words.size(); ++i)
        list += (i ? (i + 1 == words.size() ? " and " : ", ") : "") + ("\"" + words[i] + "\"");
    return list;
}

std::string fill(std::string text, const std::string& key, const std::string& value) {
    for (size_t at; (at = text.find(key)) != std::string::npos;)
        text.replace(at, key.size(), value);
    return text;
}

// Words of 6+ letters in the response, for keywords:include.
std::vector<std::string> long_words(const std::string& text) {
    std::vector<std::string> words;
    std::string w;
    for (const char c : text + " ") {
        if (std::isalpha(static_cast<unsigned char>(c))) {
            w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        } else {
            if (w.size() >= 6 && std::find(words.begin(), words.end(), w) == words.end())
                words.push_back(w);
            w.clear();
        }
    }
    return words;
}

// Draws up to `count` instructions that do not conflict.
std::vector<const Kind*> draw(size_t count, Rng& rng) {
    std::vector<const Kind*> pool;
    for (const Kind& k : kinds()) pool.push_back(&k);
    rng.shuffle(pool);
    std::vector<const Kind*> chosen;
    for (const Kind* k : pool) {
        if (chosen.size() == count) break;
        const bool clash = std::any_of(chosen.begin(), chosen.end(), [&](const Kind* c) {
            return c->conflicts.count(k->type) || k->conflicts.count(c->type);
        });
        if (!clash) chosen.push_back(k);
    }
    return chosen;
}

// Shapes the response for `chosen`, renders it, and fills in the instructions (text and args).
struct Built {
    std::string response;
    std::vector<instruct::Instruction> instructions;
    std::vector<std::string> asks;
};

// `phrases` picks the start, end and postscript phrases: a copy of one generator, so every
// reply of a conversation gets the same ones.
Built build(const std::vector<const Kind*>& chosen, const std::vector<std::string>& sentences,
            const std::string& title, Rng& rng, Rng phrases) {
    Response r;
    r.items = sentences;
    std::string end, start;
    for (const Kind* k : chosen) {
        const std::string& t = k->type;
        if (t == "case:lowercase") r.lowercase = true;
        if (t == "case:uppercase") r.uppercase = true;
        if (t == "punctuation:no_comma") r.no_comma = true;
        if (t == "format:bullet_count") r.bullets = true;
        if (t == "format:title") r.title = true;
        if (t == "content:postscript") r.postscript = phrases.pick(postscripts());
        if (t == "startend:end_checker") r.end = end = phrases.pick(end_phrases());
        if (t == "startend:start_checker") r.start = start = phrases.pick(start_phrases());
        if (t == "startend:quotation") r.quotation = true;
        if (t == "format:json") r.json = true;
        if (t == "format:highlighted_sections")
            r.highlights = 1 + rng.below(std::min<size_t>(2, sentences.size()));
        if (t == "content:placeholders") r.placeholders = rng.pick(placeholder_lines());
        if ((t == "length:paragraphs" || t == "format:sections") && sentences.size() >= 2) {
            r.groups = 2 + rng.below(std::min<size_t>(2, sentences.size() - 1));
            r.sections = t == "format:sections";
        }
    }
    Built b;
    b.response = r.render(title);
    for (const Kind* k : chosen) {
        instruct::Instruction ins{k->type, Json::object()};
        std::string ask = rng.pick(k->phrasings);
        const std::string& t = k->type;
        if (t == "format:bullet_count") {
            ins.args["num_bullets"] = sentences.size();
            ask = fill(ask, "{n}", std::to_string(sentences.size()));
        } else if (t == "content:postscript") {
            ins.args["postscript_marker"] = "P.S.";
        } else if (t == "startend:end_checker") {
            ins.args["end_phrase"] = end;
            ask = fill(ask, "{phrase}", end);
        } else if (t == "startend:start_checker") {
            ins.args["start_phrase"] = start;
            ask = fill(ask, "{phrase}", start);
        } else if (t == "keywords:include") {
            std::vector<std::string> words = long_words(b.response);
            rng.shuffle(words);
            words.resize(std::min<size_t>(words.size(), 2));
            ins.args["keywords"] = words;
            ask = fill(ask, "{words}", quoted_list(words));
        } else if (t == "length:sentences") {
            const size_t count = instruct::count_sentences(b.response);
            const bool at_least = count > 1 && rng.below(2);
            const size_t n = at_least ? count - rng.below(2) : count + 1 + rng.below(3);
            ins.args["relation"] = at_least ? "at least" : "less than";
            ins.args["num_sentences"] = n;
            ask = fill(fill(ask, "{relation}", at_least ? "at least" : "fewer than"), "{n}",
                       std::to_string(n));
        } else if (t == "keywords:exclude") {
            std::vector<std::string> absent;
            for (const std::string& w : filler_words())
                if (instruct::count_whole_word(b.response, w) == 0) absent.push_back(w);
            rng.shuffle(absent);
            absent.resize(std::min<size_t>(absent.size(), 1 + rng.below(2)));
            ins.args["keywords"] = absent;
            ask = fill(ask, "{words}", quoted_list(absent));
        } else if (t == "keywords:frequency") {
            std::vector<std::string> words = long_words(b.response);
            const std::string word = words.empty() ? std::string() : rng.pick(words);
            const size_t n = word.empty() ? 0 : instruct::count_whole_word(b.response, word);
            ins.args["keyword"] = word;
            ins.args["relation"] = "at least";
            ins.args["frequency"] = n;
            ask = fill(fill(ask, "{word}", word), "{n}", std::to_string(n));
        } else if (t == "keywords:letter_frequency") {
            const char letter = "etaoinsrhl"[rng.below(10)];
            size_t count = 0;
            for (const char c : b.response)
                count += std::tolower(static_cast<unsigned char>(c)) == letter;
            const bool at_least = count > 2 && rng.below(2);
            const size_t n = at_least ? count - count / 4 : count + 1 + count / 4;
            ins.args["letter"] = std::string(1, letter);
            ins.args["relation"] = at_least ? "at least" : "less than";
            ins.args["frequency"] = n;
            ask = fill(fill(fill(ask, "{letter}", std::string(1, letter)), "{relation}",
                            at_least ? "at least" : "fewer than"),
                       "{n}", std::to_string(n));
        } else if (t == "case:capital_word_frequency") {
            const size_t n = instruct::count_all_capital_words(b.response) + 1 + rng.below(3);
            ins.args["relation"] = "less than";
            ins.args["frequency"] = n;
            ask = fill(ask, "{n}", std::to_string(n));
        } else if (t == "format:highlighted_sections") {
            ins.args["num_highlights"] = r.highlights;
            ask = fill(fill(ask, "{n parts}", counted(r.highlights, "part", "parts")),
                       "{n passages}", counted(r.highlights, "passage", "passages"));
        } else if (t == "content:placeholders") {
            const size_t n =
                static_cast<size_t>(std::count(r.placeholders.begin(), r.placeholders.end(), '['));
            ins.args["num_placeholders"] = n;
            ask = fill(fill(ask, "{n placeholders}", counted(n, "placeholder", "placeholders")),
                       "{n blanks}", counted(n, "blank", "blanks"));
        } else if (t == "length:paragraphs") {
            ins.args["num_paragraphs"] = r.groups;
            ask = fill(ask, "{n}", std::to_string(r.groups));
        } else if (t == "format:sections") {
            ins.args["section_spliter"] = "Section";
            ins.args["num_sections"] = r.groups;
            ask = fill(ask, "{n}", std::to_string(r.groups));
        } else if (t == "length:words") {
            const size_t n = instruct::count_words(b.response) + 5 + rng.below(20);
            ins.args["relation"] = "less than";
            ins.args["num_words"] = n;
            ask = fill(ask, "{n}", std::to_string(n));
        }
        b.instructions.push_back(std::move(ins));
        b.asks.push_back(ask);
    }
    return b;
}

// Consecutive sentences of `d`: 2 to 5 of them.
struct Excerpt {
    size_t from = 0, n = 0;  // sentences [from, from + n) of the document
    std::vector<std::string> sentences;
};

Excerpt excerpt(const SourceDocument& d, Rng& rng) {
    Excerpt e;
    e.n = std::min<size_t>(d.sentences.size(), 2 + rng.below(4));
    e.from = rng.below(d.sentences.size() - e.n + 1);
    for (size_t i = e.from; i < e.from + e.n; ++i) e.sentences.push_back(d.sentences[i].text);
    return e;
}

// The excerpt with up to two sentences more on each side: what a single-turn task shows, so
// the variants of one document show different passages rather than the same whole text
// (which made them near duplicates of each other).
std::string passage_around(const SourceDocument& d, const Excerpt& e, Rng& rng) {
    const size_t before = std::min<size_t>(e.from, rng.below(3));
    const size_t after = rng.below(3);
    const size_t end = std::min(d.sentences.size(), e.from + e.n + after);
    std::string text;
    for (size_t i = e.from - before; i < end; ++i)
        text += (text.empty() ? "" : " ") + d.sentences[i].text;
    return text;
}

Json verifier_of(const std::vector<instruct::Instruction>& instructions) {
    Json list = Json::array();
    for (const auto& ins : instructions)
        list.push_back(Json{{"type", ins.type}, {"args", ins.args}});
    return Json{{"instructions", list}};
}

std::string task_prompt(const SourceDocument& d, const std::string& text, Rng& rng) {
    return fill(rng.pick(tasks()), "{title}", d.title) + "\n\n" + text;
}

std::string task_prompt(const SourceDocument& d, Rng& rng) {
    return task_prompt(d, d.text(), rng);
}

}  // namespace

std::string failed_instruction(const std::vector<instruct::Instruction>& instructions,
                               const std::string& text) {
    for (const auto& ins : instructions) {
        try {
            if (instruct::check(ins, text).passed) continue;
        } catch (const Error&) {  // arguments the text could not give (no word to count)
        }
        return ins.type;
    }
    return "";
}

std::vector<Example> instruct_examples(const std::vector<SourceDocument>& documents,
                                       const InstructOptions& options, Tally& tally) {
    std::vector<Example> out;
    for (size_t di = 0; di < documents.size(); ++di) {
        const SourceDocument& d = documents[di];
        for (int v = 0; v < options.variants; ++v) {
            const std::string base = "instruct-" + d.id + "-v" + std::to_string(v);
            Rng rng(options.seed, base);
            // Single turn: one to three instructions after the task.
            {
                const size_t count = 1 + rng.below(3);
                // One draw per statement: the order of a call's arguments is unspecified (GCC and
                // Clang differ), and the bytes must not depend on the compiler.
                const std::vector<const Kind*> chosen = draw(count, rng);
                const Excerpt shown = excerpt(d, rng);
                const Built b = build(chosen, shown.sentences, d.title, rng, rng);
                const std::string passage = passage_around(d, shown, rng);
                std::string prompt = task_prompt(d, passage, rng);
                for (const std::string& ask : b.asks) prompt += "\n\n" + ask;
                const std::string why = failed_instruction(b.instructions, b.response);
                if (b.instructions.empty() || !why.empty()) {
                    tally.reject(kFamily, "checker refused the built response (" + why + ")");
                } else {
                    Example e = d.example(base + "-single", kFamily,
                                          std::to_string(b.instructions.size()) + "_instructions");
                    e.messages =
                        Json::array({Json{{"role", "user"}, {"content", prompt}},
                                     Json{{"role", "assistant"}, {"content", b.response}}});
                    e.checks = {"instruction_checkers"};
                    e.verifier = verifier_of(b.instructions);
                    tally.keep(kFamily, e.kind);
                    out.push_back(std::move(e));
                }
            }
            // Multi-turn: a style instruction given once, held for three replies.
            if (v == 0) {
                static const std::vector<std::string> styles = {"case:lowercase", "case:uppercase",
                                                                "punctuation:no_comma",
                                                                "startend:end_checker"};
                const std::string style = rng.pick(styles);
                const Kind* kind = nullptr;
                for (const Kind& k : kinds())
                    if (k.type == style) kind = &k;
                Example e = d.example(base + "-multi", kFamily, "multi_turn");
                const Rng phrases = rng;
                std::vector<instruct::Instruction> held;
                bool ok = true;
                std::string why;
                for (int turn = 0; turn < 3 && ok; ++turn) {
                    const SourceDocument& other =
                        turn == 0 ? d : documents[rng.below(documents.size())];
                    const Built b =
                        build({kind}, excerpt(other, rng).sentences, other.title, rng, phrases);
                    if (turn == 0) {
                        held = b.instructions;
                        e.messages.push_back(Json{{"role", "system"}, {"content", b.asks[0]}});
                    }
                    why = failed_instruction(held, b.response);
                    ok = why.empty();
                    e.messages.push_back(
                        Json{{"role", "user"}, {"content", task_prompt(other, rng)}});
                    e.messages.push_back(Json{{"role", "assistant"}, {"content", b.response}});
                }
                if (!ok) {
                    tally.reject(kFamily, "checker refused a multi-turn reply (" + why + ")");
                } else {
                    e.checks = {"instruction_checkers_every_turn"};
                    e.verifier = verifier_of(held);
                    tally.keep(kFamily, e.kind);
                    out.push_back(std::move(e));
                }
            }
        }
    }
    return out;
}

}  // namespace flash::data
