// `flash logits`: logits for every position of a token sequence evaluated as one batch from an
// empty cache, in the .logits.bin format of the reference data (int32 n_tokens, int32 n_vocab,
// float32[n_tokens][n_vocab], little endian).
#include <cstdio>
#include <memory>
#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "core/error.h"

namespace flash::cli {
namespace {

struct LogitsOptions {
    ModelOptions model;
    std::string tokens;
    std::string out;
};

std::vector<int32_t> parse_ids(const std::string& s) {
    std::vector<int32_t> ids;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) {
        size_t used = 0;
        long long v = 0;
        try {
            v = std::stoll(item, &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == 0 || used != item.size() || v < 0 || v > INT32_MAX)
            throw Error("--tokens: '" + item + "' (item " + std::to_string(ids.size()) +
                        ") is not a token id");
        ids.push_back(static_cast<int32_t>(v));
    }
    if (ids.empty()) throw Error("--tokens: no token ids given");
    return ids;
}

void logits(const LogitsOptions& o) {
    const std::vector<int32_t> ids = parse_ids(o.tokens);
    LoadedModel lm = load_model(o.model, /*need_tokenizer=*/false);
    ModelOptions mo = o.model;
    mo.batch = static_cast<int64_t>(ids.size());
    mo.ctx = std::max<int64_t>(mo.ctx, static_cast<int64_t>(ids.size()));
    Session session(*lm.model, nullptr, session_options(mo));
    const int32_t n_vocab = static_cast<int32_t>(lm.model->config().n_vocab);
    std::vector<float> out(ids.size() * static_cast<size_t>(n_vocab));
    session.eval_all(ids, out.data());

    FILE* f = std::fopen(o.out.c_str(), "wb");
    if (!f) throw Error(o.out + ": cannot open for writing");
    const int32_t header[2] = {static_cast<int32_t>(ids.size()), n_vocab};
    const bool ok = std::fwrite(header, sizeof header, 1, f) == 1 &&
                    std::fwrite(out.data(), sizeof(float), out.size(), f) == out.size();
    if (std::fclose(f) != 0 || !ok) throw Error(o.out + ": write failed");
    std::fprintf(stderr, "wrote %zu x %d logits to %s\n", ids.size(), n_vocab, o.out.c_str());
}

}  // namespace

void add_logits_command(CLI::App& app) {
    auto o = std::make_shared<LogitsOptions>();
    CLI::App* cmd = app.add_subcommand(
        "logits", "Write logits for every position of a token sequence (.logits.bin)");
    add_model_options(*cmd, o->model);
    cmd->add_option("--tokens", o->tokens, "Comma-separated token ids, e.g. 1,2,3")->required();
    cmd->add_option("-o,--out", o->out, "Output file")->required();
    cmd->callback([o] { logits(*o); });
}

}  // namespace flash::cli
