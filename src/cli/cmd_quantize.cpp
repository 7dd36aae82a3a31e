// `flash quantize IN OUT TYPE`: a model's F32/F16/BF16 weights rewritten in TYPE with
// llama-quantize's per-tensor choices and block layouts (quant/), so the file loads in
// llama.cpp too. Progress per tensor on stderr; the output appears only when complete.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "cli/progress.h"
#include "core/error.h"
#include "core/gguf.h"
#include "quant/quantize_model.h"
#include "store/store.h"

namespace flash::cli {
namespace {

struct QuantizeCliOptions {
    std::string in, out, type, imatrix;
    bool force = false;
    bool quiet = false;
    bool allow_requant = false;
    int threads = 0;
};

// Dequantizing a quantized model looks like a way back to full precision and is not: the F16
// file holds the same rounded weights, and quantizing it again rounds them twice (SmolLM2's
// Q4_1 taken to F16 and then Q4_K_M answered in broken French). Refused unless asked for.
void check_requantization(const std::string& in, const quant::Target& target, bool allowed) {
    const GgufFile g(in);
    const bool float_target = !quant::is_quantized(target.type);
    const std::string from = quant::quantization_name(g);
    if (float_target && quant::has_quantized_weights(g) && !allowed)
        throw Error(in + " holds " + from + " weights: writing them as " + target.name +
                    " does not bring back what the quantization lost, and quantizing that file "
                    "again rounds the weights twice. Start from the original F16/BF16/F32 file "
                    "if there is one; pass --allow-requant to dequantize anyway (e.g. for an "
                    "imatrix, or a model published only quantized)");
    const auto dequantized_from = g.find(quant::kDequantizedFromKey)
                                      ? g.get_string(quant::kDequantizedFromKey)
                                      : std::nullopt;
    if (!float_target && dequantized_from && !allowed)
        std::fprintf(stderr,
                     "flash: warning: %s was dequantized from %s; %s rounds those weights a "
                     "second time, so expect it to be worse than %s quantized from the original "
                     "(--allow-requant silences this)\n",
                     in.c_str(), std::string(*dequantized_from).c_str(), target.name.c_str(),
                     target.name.c_str());
}

void run_quantize(const QuantizeCliOptions& o) {
    const quant::Target& target = quant::find_target(o.type);  // a bad type fails first
    const std::string in = resolve_model(o.in);
    if (std::filesystem::exists(o.out) && !o.force)
        throw Error(o.out + " exists; choose another name or pass --force to replace it");
    if (std::filesystem::is_directory(o.out))
        throw Error(o.out + " is a directory; OUT must be a file");
    check_requantization(in, target, o.allow_requant);
    ProgressLine progress("quantize " + target.name, ProgressLine::Unit::Count, "tensors", o.quiet);
    std::optional<quant::ImportanceMatrix> imatrix;
    if (!o.imatrix.empty()) imatrix = quant::ImportanceMatrix::load(o.imatrix);
    const auto report = quant::quantize_model(
        in, o.out, target,
        [&](size_t i, size_t n, const std::string& name) {
            progress.update(static_cast<double>(i + 1), static_cast<double>(n), name);
        },
        imatrix ? &*imatrix : nullptr, o.threads);
    progress.clear();
    std::map<std::string, int> by_type;
    int weighted = 0;
    for (const auto& t : report) ++by_type[std::string(dtype_name(t.to))], weighted += t.weighted;
    std::string mix;
    for (const auto& [type, n] : by_type)
        mix += (mix.empty() ? "" : ", ") + std::to_string(n) + " " + type;
    const auto in_bytes = std::filesystem::file_size(in),
               out_bytes = std::filesystem::file_size(o.out);
    std::fprintf(stderr, "flash quantize: %s → %s (%s): %s → %s; tensors: %s\n", in.c_str(),
                 o.out.c_str(), target.name.c_str(),
                 human_bytes(static_cast<double>(in_bytes)).c_str(),
                 human_bytes(static_cast<double>(out_bytes)).c_str(), mix.c_str());
    if (imatrix)
        std::fprintf(stderr, "flash quantize: %d tensors weighted by the imatrix %s\n", weighted,
                     o.imatrix.c_str());
    std::printf("%s\n", o.out.c_str());
}

}  // namespace

void add_quantize_command(CLI::App& app) {
    auto o = std::make_shared<QuantizeCliOptions>();
    std::string types;
    for (const quant::Target& t : quant::targets()) types += (types.empty() ? "" : ", ") + t.name;
    CLI::App* cmd = app.add_subcommand("quantize",
                                       "Rewrite a model's weights in another type (llama.cpp "
                                       "layouts): quantize, or dequantize to F16");
    cmd->footer(
        "Types: " + types +
        ".\nPer tensor as llama-quantize chooses: 1-D tensors stay F32, the output matrix takes\n"
        "Q6_K, the _S/_M/_L mixes give attn_v, ffn_down and attn_output more bits in chosen\n"
        "layers, and rows that do not fit a block fall back (Q4_K→Q5_0, Q6_K→Q8_0, "
        "Q2_K/Q3_K→Q4_0).\n"
        "Examples:\n"
        "  flash quantize model-f16.gguf model-q4_k_m.gguf Q4_K_M\n"
        "  flash quantize model-f32.gguf model-q8_0.gguf q8_0 --force\n"
        "  flash quantize smollm2 smol-f16.gguf F16 --allow-requant   # a 4-bit model, for "
        "imatrix");
    cmd->add_option("input", o->in, "Model to read (path or catalog name), F32/F16/BF16 weights")
        ->required();
    cmd->add_option("output", o->out, "File to write (appears only when complete)")->required();
    cmd->add_option("type", o->type, "Target type")->required();
    cmd->add_option("--imatrix", o->imatrix,
                    "Importance matrix from flash imatrix: weights the quantization error");
    cmd->add_flag("--force", o->force, "Replace OUT if it exists");
    cmd->add_option("-t,--threads", o->threads,
                    "Threads (0: all cores); the file is the same bytes with any number")
        ->check(in_range(option_range::kThreads, true))
        ->capture_default_str();
    cmd->add_flag("--allow-requant", o->allow_requant,
                  "Dequantize a quantized model (to F16/BF16/F32) and quantize such a file again "
                  "without a warning");
    cmd->add_flag("-q,--quiet", o->quiet, "No progress on stderr");
    cmd->callback([o] { run_quantize(*o); });
}

}  // namespace flash::cli
