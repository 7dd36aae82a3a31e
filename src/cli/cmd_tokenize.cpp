// `flash tokenize`: text on stdin → JSON array of token ids on stdout; --decode the reverse.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/error.h"
#include "core/json_input.h"

namespace flash::cli {
namespace {

struct TokenizeOptions {
    ModelOptions model;
    bool special = false;
    bool decode = false;
    bool add_bos = false;
};

void tokenize(const TokenizeOptions& o) {
    LoadedModel lm = load_model(o.model);
    const Tokenizer& tok = *lm.tokenizer;
    const std::string input((std::istreambuf_iterator<char>(std::cin)),
                            std::istreambuf_iterator<char>());
    if (o.decode) {
        const auto ids =
            parse_json<nlohmann::json>(input, "--decode (a JSON array of token ids on stdin)");
        if (!ids.is_array()) throw Error("--decode expects a JSON array of token ids on stdin");
        std::vector<int32_t> v;
        for (size_t i = 0; i < ids.size(); ++i) {
            if (!ids[i].is_number_integer() || ids[i].get<int64_t>() < 0 ||
                ids[i].get<int64_t>() >= tok.n_vocab())
                throw Error("element " + std::to_string(i) + " (" + json_excerpt(ids[i]) +
                            ") is not a token id in [0, " + std::to_string(tok.n_vocab()) + ")");
            v.push_back(ids[i].get<int32_t>());
        }
        const std::string text = tok.decode(v);
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
    add_model_options(*cmd, o->model);
    cmd->add_flag("--special", o->special,
                  "Parse special-token text such as <|im_start|> as special tokens");
    cmd->add_flag("--decode", o->decode, "Read a JSON array of ids on stdin and print the text");
    cmd->add_flag("--bos", o->add_bos, "Prepend the BOS token");
    cmd->callback([o] { tokenize(*o); });
}

}  // namespace flash::cli
