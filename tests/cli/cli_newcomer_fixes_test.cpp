// The rough edges a newcomer meets first (issue 21), through the real binary: grammar check
// and trailing newlines, tokenize on vocab-only files and any architecture, --decode input,
// template contexts, index search and add, --list-instructions, serve without a template.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "common/fake_vocab_file.h"
#include "common/gguf_builder.h"
#include "common/run_command.h"
#include "common/testdata.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;
using testing::shell_quote;

using testing::contains;

std::string write_text(const std::string& name, const std::string& text) {
    const std::string path = testing::temp_path(name);
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

// `flash ARGS < stdin_text`
testing::CommandResult flash_with_stdin(const std::string& args, const std::string& stdin_text,
                                        bool merge_stderr = true) {
    static int n = 0;
    const std::string input = write_text("stdin_" + std::to_string(n++) + ".txt", stdin_text);
    return run_command(flash_binary() + " " + args + " < " + shell_quote(input), merge_stderr);
}

// ---- grammar check -------------------------------------------------------------------------

std::string person_schema() {
    return write_text("person.json",
                      R"({"type": "object", "properties": {"name": {"type": "string"}},
                          "required": ["name"], "additionalProperties": false})");
}

TEST(NewcomerGrammarCheck, ValidJsonFollowedByANewlineIsValid) {
    const std::string args = "grammar check --json-schema " + shell_quote(person_schema());
    for (const std::string tail : {"\n", "\r\n", "\n\n  \t\n"}) {
        const auto r = flash_with_stdin(args, std::string(R"({"name":"Ada"})") + tail);
        EXPECT_EQ(r.exit_code, 0) << r.output;
        EXPECT_EQ(r.output, "valid\n");
    }
}

TEST(NewcomerGrammarCheck, WhatPrecedesTheTrailingWhitespaceIsStillCheckedExactly) {
    const std::string args = "grammar check --json-schema " + shell_quote(person_schema());
    const auto junk = flash_with_stdin(args, "{\"name\":\"Ada\"}x\n");
    EXPECT_EQ(junk.exit_code, 1) << junk.output;
    EXPECT_TRUE(contains(junk.output, "byte 14 ('x')")) << junk.output;
    const auto early = flash_with_stdin(args, "{\"name\":\"Ada\"\n");
    EXPECT_EQ(early.exit_code, 1) << early.output;
    EXPECT_TRUE(contains(early.output, "ends too early")) << early.output;
    const auto blank = flash_with_stdin(args, "\n");
    EXPECT_EQ(blank.exit_code, 1) << blank.output;
    // A regular expression that wants the newline still gets it checked.
    const auto regex = flash_with_stdin("grammar check --regex 'ab\\n'", "ab\n");
    EXPECT_EQ(regex.exit_code, 0) << regex.output;
    const auto help = run_command(flash_binary() + " grammar check --help");
    EXPECT_TRUE(contains(help.output, "trailing whitespace")) << help.output;
}

// ---- tokenize ------------------------------------------------------------------------------

// A vocabulary-only GGUF (no tensors, no hyperparameters) of the fake vocabulary.
std::string vocab_only(const std::string& architecture, const std::string& tokenizer = "llama") {
    testing::FakeVocabFileOptions options;
    options.architecture = architecture;
    options.vocab_only = true;
    options.tokenizer_model = tokenizer;
    return testing::write_fake_vocab_gguf(
        testing::temp_path("vocab-" + architecture + "-" + tokenizer + ".gguf"), options);
}

int32_t fake_id(const std::string& piece) {
    const auto& pieces = testing::fake_pieces();
    return static_cast<int32_t>(std::find(pieces.begin(), pieces.end(), piece) - pieces.begin());
}

TEST(NewcomerTokenize, VocabOnlyFilesOfArchitecturesFlashCannotRunAreTokenized) {
    // The vocabulary has no two-letter pieces, so SentencePiece's merges stop at characters.
    nlohmann::json ids = nlohmann::json::array();
    for (const char c : std::string("Hello world")) ids.push_back(fake_id(std::string(1, c)));
    const std::string expected = ids.dump() + "\n";
    for (const char* arch : {"gpt2", "phi3", "gemma4", "llama"}) {
        const std::string model = vocab_only(arch);
        const auto r = flash_with_stdin("tokenize -m " + shell_quote(model), "Hello world", false);
        EXPECT_EQ(r.exit_code, 0) << arch;
        EXPECT_EQ(r.output, expected) << arch;
        const auto back = flash_with_stdin("tokenize --decode -m " + shell_quote(model), expected);
        EXPECT_EQ(back.exit_code, 0) << back.output;
        EXPECT_EQ(back.output, "Hello world") << arch;
    }
}

// llama.cpp's own vocab-only test files: the ids llama.cpp gives for their first texts.
TEST(NewcomerTokenize, LlamaCppVocabOnlyFilesGiveLlamaCppIds) {
    for (const std::string name : {"gpt-2", "phi-3", "gemma-4"}) {
        const std::string model = testing::testdata_path("tokenizer/ggml-vocab-" + name + ".gguf");
        std::ifstream lines(testing::testdata_path("tokenizer/" + name + ".raw.jsonl"));
        std::string line;
        int checked = 0;
        while (checked < 6 && std::getline(lines, line)) {
            const auto expected = nlohmann::json::parse(line);
            const std::string text = expected["text"].get<std::string>();
            if (text.empty()) continue;
            const auto r = flash_with_stdin("tokenize -m " + shell_quote(model), text, false);
            ASSERT_EQ(r.exit_code, 0) << name << ": " << text;
            EXPECT_EQ(nlohmann::json::parse(r.output), expected["ids"]) << name << ": " << text;
            ++checked;
        }
        EXPECT_EQ(checked, 6) << name;
    }
}

TEST(NewcomerTokenize, AnUnsupportedTokenizerTypeIsNamed) {
    const auto r = flash_with_stdin("tokenize -m " + shell_quote(vocab_only("bert", "bert")), "hi");
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "tokenizer model 'bert' is not supported")) << r.output;
}

TEST(NewcomerTokenize, DecodeTakesAJsonArrayOrSeparatedIntegers) {
    const std::string args = "tokenize --decode -m " + shell_quote(vocab_only("llama"));
    const std::string hello = std::to_string(fake_id("Hello"));
    const std::string world = std::to_string(fake_id(" world"));
    for (const std::string& input :
         {hello + " " + world, hello + " " + world + "\n", hello + "," + world,
          " " + hello + ", " + world + "\n", "[" + hello + ", " + world + "]",
          "\n[" + hello + "," + world + "]\n"}) {
        const auto r = flash_with_stdin(args, input);
        EXPECT_EQ(r.exit_code, 0) << input << ": " << r.output;
        EXPECT_EQ(r.output, "Hello world") << input;
    }
    const auto empty = flash_with_stdin(args, "\n");
    EXPECT_EQ(empty.exit_code, 0) << empty.output;
    EXPECT_EQ(empty.output, "");
}

TEST(NewcomerTokenize, BadDecodeInputNamesTheItemAndItsPosition) {
    const std::string args = "tokenize --decode -m " + shell_quote(vocab_only("llama"));
    const std::string n_vocab = std::to_string(testing::fake_pieces().size());
    const auto word = flash_with_stdin(args, "19 abc 20");
    EXPECT_EQ(word.exit_code, 1) << word.output;
    EXPECT_TRUE(contains(word.output, "item 2 ('abc', at byte 3)")) << word.output;
    EXPECT_FALSE(contains(word.output, "parse_error")) << word.output;
    const auto fraction = flash_with_stdin(args, "19,1.5");
    EXPECT_EQ(fraction.exit_code, 1) << fraction.output;
    EXPECT_TRUE(contains(fraction.output, "item 2 ('1.5'")) << fraction.output;
    for (const std::string input : {"19 198000", "[19, 198000]"}) {
        const auto range = flash_with_stdin(args, input);
        EXPECT_EQ(range.exit_code, 1) << range.output;
        EXPECT_TRUE(contains(range.output, "item 2 (198000) is not a token id in [0, " + n_vocab))
            << range.output;
    }
    const auto negative = flash_with_stdin(args, "-1");
    EXPECT_EQ(negative.exit_code, 1) << negative.output;
    EXPECT_TRUE(contains(negative.output, "item 1 (-1)")) << negative.output;
    const auto huge = flash_with_stdin(args, "99999999999999999999999");
    EXPECT_EQ(huge.exit_code, 1) << huge.output;
    EXPECT_TRUE(contains(huge.output, "is not a token id")) << huge.output;
    const auto object = flash_with_stdin(args, "[19, {\"a\": 1}]");
    EXPECT_EQ(object.exit_code, 1) << object.output;
    EXPECT_TRUE(contains(object.output, "item 2 ({\"a\":1}) is not an integer")) << object.output;
}

// ---- template ------------------------------------------------------------------------------

TEST(NewcomerTemplate, ContextMayBeABareArrayOfMessages) {
    const std::string tmpl = write_text(
        "roles.jinja", "{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}");
    const std::string array = write_text("messages.json", R"([{"role": "user", "content": "Hi"}])");
    const std::string object =
        write_text("context.json", R"({"messages": [{"role": "user", "content": "Hi"}]})");
    for (const std::string& context : {array, object}) {
        const auto r = run_command(flash_binary() + " template --file " + shell_quote(tmpl) +
                                   " --context " + shell_quote(context));
        EXPECT_EQ(r.exit_code, 0) << r.output;
        EXPECT_EQ(r.output, "<user>Hi");
    }
    const auto number = run_command(flash_binary() + " template --file " + shell_quote(tmpl) +
                                    " --context " + shell_quote(write_text("n.json", "42")));
    EXPECT_EQ(number.exit_code, 1) << number.output;
    EXPECT_TRUE(contains(number.output, "or an array of messages")) << number.output;
}

// ---- index ---------------------------------------------------------------------------------

struct IndexFixture {
    std::string root = testing::temp_path("index_case_" + std::to_string(counter()++));
    std::string docs = root + "/docs";
    std::string index = root + "/index";

    IndexFixture() {
        std::filesystem::create_directories(docs);
        write("kettle.txt", "The kettle boils water in 90 seconds.\n");
        write("returns.txt", "Unopened items may be returned within 30 days.\n");
        write("shop.txt", "The shop is open on weekdays.\n");
        write("coffee.txt", "The price of the coffee machine is 99 euros.\n");
    }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(docs + "/" + name) << text;
    }
    std::string flash_index(const std::string& args) const {
        return flash_binary() + " index " + args + " --index " + shell_quote(index);
    }
    static int& counter() {
        static int n = 0;
        return n;
    }
};

TEST(NewcomerIndex, SearchReturnsOnlyPassagesSharingAContentWord) {
    const IndexFixture f;
    const auto add = run_command(f.flash_index("add " + shell_quote(f.docs)));
    ASSERT_EQ(add.exit_code, 0) << add.output;
    const auto r =
        run_command(f.flash_index("search -k 5 'what is the warranty of the kettle'"), false);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "kettle.txt")) << r.output;
    for (const char* unrelated : {"shop.txt", "coffee.txt", "returns.txt"})
        EXPECT_FALSE(contains(r.output, unrelated)) << r.output;
}

TEST(NewcomerIndex, SearchWithNoMatchingPassageSaysSoAndPrintsNothing) {
    const IndexFixture f;
    ASSERT_EQ(run_command(f.flash_index("add " + shell_quote(f.docs))).exit_code, 0);
    const std::string query = "search 'what is the warranty'";
    const auto out = run_command(f.flash_index(query), false);
    EXPECT_EQ(out.exit_code, 0);
    EXPECT_EQ(out.output, "");
    const auto both = run_command(f.flash_index(query));
    EXPECT_TRUE(contains(both.output, "no passage matches")) << both.output;
    const auto json = run_command(f.flash_index(query + " --json"), false);
    EXPECT_EQ(json.exit_code, 0);
    EXPECT_EQ(nlohmann::json::parse(json.output), nlohmann::json::array()) << json.output;
}

TEST(NewcomerIndex, AddingAMissingPathIsAnErrorAndCreatesNothing) {
    const IndexFixture f;
    const std::string missing = f.root + "/nosuchdir";
    const auto r = run_command(f.flash_index("add " + shell_quote(missing)));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_TRUE(contains(r.output, "no such file or directory: " + missing)) << r.output;
    EXPECT_FALSE(std::filesystem::exists(f.index)) << "an index was created";

    // One missing path among good ones: nothing is indexed, the index is left as it was.
    const auto some =
        run_command(f.flash_index("add " + shell_quote(f.docs) + " " + shell_quote(missing)));
    EXPECT_EQ(some.exit_code, 1) << some.output;
    EXPECT_TRUE(contains(some.output, missing)) << some.output;
    EXPECT_FALSE(std::filesystem::exists(f.index)) << "an index was created";
    ASSERT_EQ(run_command(f.flash_index("add " + shell_quote(f.docs + "/kettle.txt"))).exit_code,
              0);
    ASSERT_EQ(run_command(f.flash_index("add " + shell_quote(f.docs) + " " + shell_quote(missing)))
                  .exit_code,
              1);
    const auto list = run_command(f.flash_index("list"), false);
    EXPECT_TRUE(contains(list.output, "kettle.txt")) << list.output;
    EXPECT_FALSE(contains(list.output, "shop.txt")) << list.output;
}

// ---- run --list-instructions ---------------------------------------------------------------

TEST(NewcomerListInstructions, ListsEveryTypeWithItsArgsAndAnExampleThatValidates) {
    const auto help = run_command(flash_binary() + " run --help");
    EXPECT_TRUE(contains(help.output, "--list-instructions")) << help.output;

    const auto r = run_command(flash_binary() + " run --list-instructions", false);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output,
                         "length:words\n  args: relation (one of \"at least\", \"less "
                         "than\"), num_words (positive integer)\n"))
        << r.output;
    EXPECT_TRUE(contains(r.output, "language (one of \"en\", \"fr\"")) << r.output;
    EXPECT_TRUE(contains(r.output, "keywords (non-empty list of strings)")) << r.output;
    EXPECT_TRUE(contains(r.output, "case:lowercase\n  args: none\n")) << r.output;

    // Every example, as one --instructions file, passes validation: the error is then about
    // the model, which is loaded after the instructions are checked.
    nlohmann::json examples = nlohmann::json::array();
    std::istringstream lines(r.output);
    std::string line;
    const std::string marker = "  example: ";
    while (std::getline(lines, line))
        if (line.starts_with(marker))
            examples.push_back(nlohmann::json::parse(line.substr(marker.size())));
    EXPECT_GE(examples.size(), 25u);
    const std::string file = write_text("all_examples.json", examples.dump());
    const auto run = run_command(flash_binary() + " run -m /nonexistent/model.gguf -p hi " +
                                 "--instructions " + shell_quote(file));
    EXPECT_EQ(run.exit_code, 1) << run.output;
    EXPECT_TRUE(contains(run.output, "/nonexistent/model.gguf")) << run.output;
    EXPECT_FALSE(contains(run.output, "instruction")) << run.output;
}

// ---- serve ---------------------------------------------------------------------------------

TEST(NewcomerServe, AModelWithoutATemplateFailsBeforeListeningAndSuggestsServeFlags) {
    const std::string model =
        testing::write_fake_vocab_gguf(testing::temp_path("no_template_model.gguf"));
    const auto r = run_command("timeout 120 " + flash_binary() + " serve -t 1 --port 0 -m " +
                               shell_quote(model));
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.exit_code, 124) << "serve kept running: " << r.output;
    EXPECT_TRUE(contains(r.output, "has no chat template")) << r.output;
    EXPECT_TRUE(contains(r.output, "--chat-template chatml|gemma|llama3|FILE.jinja")) << r.output;
    EXPECT_FALSE(contains(r.output, "--raw")) << r.output;
    EXPECT_FALSE(contains(r.output, "listening")) << r.output;
}

}  // namespace
}  // namespace flash
