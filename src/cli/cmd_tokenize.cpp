// `flash tokenize`: text on stdin → JSON array of token ids on stdout; --decode the reverse.
// Reads only the vocabulary from the GGUF metadata, never the weights, so it works on
// vocab-only files and on any architecture whose tokenizer flash implements.
#include <charconv>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/error.h"
#include "core/gguf.h"
#include "core/json_input.h"
#include "store/store.h"

namespace flash::cli {
namespace {

struct TokenizeOptions {
    std::string model = "default";
    bool special = false;
    bool decode = false;
    bool add_bos = false;
};

constexpr const char* kDecodeInput =
    "give a JSON array ([19556, 198]) or ids separated by spaces or commas (19556 198)";

int32_t checked_id(int64_t id, size_t item, const std::string& text, const Tokenizer& tok) {
    if (id < 0 || id >= tok.n_vocab())
        throw Error("--decode: item " + std::to_string(item) + " (" + text +
                    ") is not a token id in [0, " + std::to_string(tok.n_vocab()) + ")");
    return static_cast<int32_t>(id);
}

// The ids on stdin for --decode: a JSON array, or integers separated by whitespace or commas.
std::vector<int32_t> parse_ids(const std::string& input, const Tokenizer& tok) {
    std::vector<int32_t> ids;
    const size_t first = input.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && input[first] == '[') {
        const auto json = parse_json<nlohmann::json>(input, "--decode (a JSON array of token ids)");
        if (!json.is_array()) throw Error(std::string("--decode: ") + kDecodeInput);
        for (size_t i = 0; i < json.size(); ++i) {
            if (!json[i].is_number_integer())
                throw Error("--decode: item " + std::to_string(i + 1) + " (" +
                            json_excerpt(json[i]) + ") is not an integer token id");
            // An unsigned value above INT64_MAX reads as negative here, and is refused as such.
            ids.push_back(checked_id(json[i].get<int64_t>(), i + 1, json_excerpt(json[i]), tok));
        }
        return ids;
    }
    const auto separator = [](char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',';
    };
    size_t item = 0;
    for (size_t i = 0; i < input.size();) {
        if (separator(input[i])) {
            ++i;
            continue;
        }
        size_t end = i;
        while (end < input.size() && !separator(input[end])) ++end;
        const std::string text = input.substr(i, end - i);
        ++item;
        int64_t id = 0;
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
        if (ec == std::errc::result_out_of_range)
            throw Error("--decode: item " + std::to_string(item) + " (" + excerpt(text, 40) +
                        ") is not a token id in [0, " + std::to_string(tok.n_vocab()) + ")");
        if (ec != std::errc() || ptr != text.data() + text.size())
            throw Error("--decode: item " + std::to_string(item) + " ('" + excerpt(text, 40) +
                        "', at byte " + std::to_string(i) + ") is not an integer token id; " +
                        kDecodeInput);
        ids.push_back(checked_id(id, item, text, tok));
        i = end;
    }
    return ids;
}

void tokenize(const TokenizeOptions& o) {
    // Only the metadata is read: no tensors are bound and the architecture is not checked.
    const GgufFile gguf(resolve_model(o.model));
    const Tokenizer tok = Tokenizer::from_gguf(gguf);
    const std::string input((std::istreambuf_iterator<char>(std::cin)),
                            std::istreambuf_iterator<char>());
    if (o.decode) {
        const std::string text = tok.decode(parse_ids(input, tok));
        std::fwrite(text.data(), 1, text.size(), stdout);
        return;
    }
    std::vector<int32_t> ids;
    if (o.add_bos && tok.bos_id() >= 0) ids.push_back(tok.bos_id());
    const auto body = tok.encode(input, o.special);
    ids.insert(ids.end(), body.begin(), body.end());
    std::printf("%s\n", nlohmann::json(ids).dump().c_str());
}

}  // namespace

void add_tokenize_command(CLI::App& app) {
    auto o = std::make_shared<TokenizeOptions>();
    CLI::App* cmd = app.add_subcommand(
        "tokenize", "Text on stdin to a JSON array of token ids (--decode: reverse)");
    cmd->add_option("-m,--model", o->model,
                    "GGUF file or model name whose vocabulary to use: any architecture, "
                    "vocab-only files included (only the tokenizer metadata is read)")
        ->capture_default_str();
    cmd->add_flag("--special", o->special,
                  "Parse special-token text such as <|im_start|> as special tokens");
    cmd->add_flag("--decode", o->decode,
                  "Read token ids on stdin (a JSON array, or separated by spaces or commas) "
                  "and print the text");
    cmd->add_flag("--bos", o->add_bos, "Prepend the BOS token");
    cmd->callback([o] { tokenize(*o); });
}

}  // namespace flash::cli
