// `flash imatrix`: an importance matrix from calibration text — the text is split into chunks
// of --ctx tokens, each evaluated from an empty cache while every attention and feed-forward
// weight's inputs are squared and summed per column (quant/imatrix.h). The output matrix and
// the token embedding are left out, as llama.cpp leaves them out by default.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "core/error.h"
#include "eval/fidelity.h"
#include "quant/imatrix.h"

namespace flash::cli {
namespace {

struct ImatrixOptions {
    ModelOptions model;
    std::vector<std::string> text;
    std::string out = "imatrix.gguf";
    int64_t chunk = 512;
    int chunks = 0;
    bool force = false;
};

void run_imatrix(const ImatrixOptions& o) {
    if (std::filesystem::exists(o.out) && !o.force)
        throw Error(o.out + " exists; choose another name or pass --force to replace it");
    if (o.chunk < 16) throw Error("--ctx must be at least 16 tokens");
    const std::string text = eval::load_texts(o.text, "--text");
    LoadedModel lm = load_model(o.model);
    ModelOptions mo = o.model;
    mo.batch = std::max<int64_t>(mo.batch, o.chunk);
    mo.ctx = std::max<int64_t>(mo.ctx, o.chunk);
    Session session(*lm.model, lm.tokenizer.get(), session_options(mo));
    const std::vector<int32_t> tokens = lm.tokenizer->encode(text, false);
    const int32_t bos = lm.tokenizer->add_bos() ? lm.tokenizer->bos_id() : -1;
    const int64_t body = bos >= 0 ? o.chunk - 1 : o.chunk;
    int64_t available = static_cast<int64_t>(tokens.size()) / body;
    if (available == 0)
        throw Error("the calibration text has " + std::to_string(tokens.size()) +
                    " tokens, fewer than one chunk of " + std::to_string(o.chunk));
    const int64_t n_chunks = o.chunks > 0 ? std::min<int64_t>(o.chunks, available) : available;

    // Weight data → name; the output and embedding matrices are not collected.
    std::unordered_map<const void*, std::string> names;
    for (const GgufTensor& t : lm.model->gguf().tensors())
        if (t.dims.size() >= 2 && t.name != "output.weight" && t.name != "token_embd.weight")
            names[t.data] = t.name;
    quant::ImatrixCollector collector;
    lm.model->set_matmul_observer([&](const void* w, const float* in, int64_t n, int64_t cols) {
        const auto it = names.find(w);
        if (it != names.end()) collector.add(it->second, in, n, cols);
    });
    ProgressLine progress("imatrix", ProgressLine::Unit::Count, "chunks");
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<int32_t> chunk(static_cast<size_t>(o.chunk));
    for (int64_t c = 0; c < n_chunks; ++c) {
        if (bos >= 0) chunk[0] = bos;
        std::copy_n(tokens.begin() + c * body, body, chunk.begin() + (o.chunk - body));
        session.reset();
        session.eval(chunk);
        const double s =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        progress.update(static_cast<double>(c + 1), static_cast<double>(n_chunks),
                        format_number("%.0f tokens/s", static_cast<double>((c + 1) * o.chunk) / s));
    }
    progress.clear();
    std::fprintf(stderr, "%lld chunks of %lld tokens read\n", static_cast<long long>(n_chunks),
                 static_cast<long long>(o.chunk));
    lm.model->set_matmul_observer({});
    std::string dataset;
    for (const auto& t : o.text) dataset += (dataset.empty() ? "" : ",") + t;
    const quant::ImportanceMatrix m = collector.finish(n_chunks * o.chunk, n_chunks, dataset);
    m.save(o.out);
    std::fprintf(stderr, "flash imatrix: %zu weights, %lld chunks of %lld tokens → %s\n",
                 m.values.size(), static_cast<long long>(n_chunks), static_cast<long long>(o.chunk),
                 o.out.c_str());
    std::printf("%s\n", o.out.c_str());
}

}  // namespace

void add_imatrix_command(CLI::App& app) {
    auto o = std::make_shared<ImatrixOptions>();
    CLI::App* cmd = app.add_subcommand(
        "imatrix",
        "Measure an importance matrix on calibration text (for flash quantize --imatrix)");
    add_model_options(*cmd, o->model);
    cmd->add_option("--text", o->text, "Calibration text: files or directories (repeatable)")
        ->required();
    cmd->add_option("-o,--out", o->out, "Output file")->capture_default_str();
    cmd->add_option("--ctx", o->chunk, "Tokens per chunk")->capture_default_str();
    cmd->add_option("--chunks", o->chunks, "Chunks at most (0: all the text gives)")
        ->capture_default_str();
    cmd->add_flag("--force", o->force, "Replace OUT if it exists");
    cmd->footer(
        "Calibrate on text like what the model will see, and not on what you will evaluate it on.\n"
        "Example:\n"
        "  flash imatrix -m model-f16.gguf --text docs/ -o model.imatrix.gguf\n"
        "  flash quantize model-f16.gguf model-q4_k_m.gguf Q4_K_M --imatrix model.imatrix.gguf");
    cmd->callback([o] { run_imatrix(*o); });
}

}  // namespace flash::cli
