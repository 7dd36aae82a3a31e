// `flash ask` with bad documents, questions or indexes: a message naming the file and exit 1,
// before any model is loaded (the model named here does not even exist).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/gguf_builder.h"
#include "common/run_command.h"

namespace flash {
namespace {

using testing::flash_binary;
using testing::run_command;
using testing::shell_quote;

std::string write_doc(const std::string& name, const std::string& bytes) {
    const std::string path = testing::temp_path(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

testing::CommandResult ask(const std::string& args) {
    return run_command(flash_binary() + " ask -m /nonexistent/model.gguf " + args);
}

void expect_error_naming(const testing::CommandResult& r, const std::string& what,
                         const std::string& name) {
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("flash: error:"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(name), std::string::npos) << r.output;
    EXPECT_NE(r.output.find(what), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("/nonexistent/model.gguf"), std::string::npos)
        << "documents are checked first";
}

TEST(CliAsk, BadDocumentsNameTheFile) {
    const std::string empty = write_doc("ask_empty.txt", "");
    expect_error_naming(ask("--doc " + empty + " 'What is it?'"), "empty", "ask_empty.txt");
    const std::string binary = write_doc("ask_binary.txt", std::string("\x7f"
                                                                       "ELF\0\0\0\x01\x02",
                                                                       9) +
                                                               std::string(200, '\0'));
    expect_error_naming(ask("--doc " + binary + " 'What is it?'"), "binary", "ask_binary.txt");
    const std::string latin1 = write_doc("ask_latin1.txt", "Caf\xe9 prices are listed below.\n");
    expect_error_naming(ask("--doc " + latin1 + " 'What is it?'"), "UTF-8", "ask_latin1.txt");
    expect_error_naming(ask("--doc /nonexistent/notes.md 'What is it?'"), "notes.md",
                        "/nonexistent/notes.md");
}

TEST(CliAsk, BadQuestionsAndOptions) {
    const std::string doc = write_doc("ask_ok.md", "The office opens at 9 a.m.\n");
    const auto blank = ask("--doc " + doc + " '   '");
    EXPECT_EQ(blank.exit_code, 1) << blank.output;
    EXPECT_NE(blank.output.find("question is empty"), std::string::npos) << blank.output;
    const auto both = ask("--doc " + doc + " --index /tmp 'When?'");
    EXPECT_EQ(both.exit_code, 1) << both.output;
    EXPECT_NE(both.output.find("not both"), std::string::npos) << both.output;
    EXPECT_NE(ask("--doc " + doc).exit_code, 0);  // no question at all: a usage error
}

TEST(CliAsk, ACorruptOrEmptyIndexIsAClearError) {
    const std::string dir = testing::temp_path("ask_corrupt_index");
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/index.sqlite", std::ios::binary) << std::string(4096, 'x');
    const auto corrupt = ask("--index " + shell_quote(dir) + " 'When?'");
    EXPECT_EQ(corrupt.exit_code, 1) << corrupt.output;
    EXPECT_NE(corrupt.output.find("index.sqlite"), std::string::npos) << corrupt.output;

    const std::string fresh = testing::temp_path("ask_empty_index");
    std::filesystem::remove_all(fresh);
    const auto none = ask("--index " + shell_quote(fresh) + " 'When?'");
    EXPECT_EQ(none.exit_code, 1) << none.output;
    EXPECT_NE(none.output.find("holds no documents"), std::string::npos) << none.output;
}

}  // namespace
}  // namespace flash
