// `flash info`: what a GGUF file holds — metadata, tensors by type, and memory a run needs.
#include <cstdio>
#include <map>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "core/gguf.h"
#include "cuda/gpu_plan.h"
#include "store/store.h"

namespace flash::cli {
namespace {

struct InfoOptions {
    std::string model = "default";
    bool tensors = false;
    int64_t ctx = 4096;
    int64_t batch = 256;
    int64_t gpu_layers = -1;
};

void info(const InfoOptions& o) {
    const std::string path = resolve_model(o.model);
    const GgufFile g(path);
    std::printf("file: %s\n", path.c_str());
    std::printf("GGUF v%u, %s, %zu metadata keys, %zu tensors, alignment %llu\n", g.version(),
                human_bytes(static_cast<double>(g.file_size())).c_str(), g.metadata().size(),
                g.tensors().size(), static_cast<unsigned long long>(g.alignment()));

    std::printf("\nmetadata:\n");
    for (const auto& [key, value] : g.metadata())
        std::printf("  %-44s %s\n", key.c_str(), value.to_string().c_str());

    std::map<std::string, std::pair<int, size_t>> by_type;
    size_t total = 0;
    int64_t params = 0;
    for (const GgufTensor& t : g.tensors()) {
        auto& e = by_type[std::string(dtype_name(t.type))];
        ++e.first;
        e.second += t.n_bytes;
        total += t.n_bytes;
        params += t.n_elements;
    }
    std::printf("\ntensors: %zu, %.1f M parameters, %s", g.tensors().size(), params / 1e6,
                human_bytes(static_cast<double>(total)).c_str());
    if (params > 0)
        std::printf(", %.2f bits per weight", total * 8.0 / static_cast<double>(params));
    std::printf("\n");
    for (const auto& [name, e] : by_type)
        std::printf("  %-6s %4d tensors  %s\n", name.c_str(), e.first,
                    human_bytes(static_cast<double>(e.second)).c_str());
    if (o.tensors)
        for (const GgufTensor& t : g.tensors())
            std::printf("  %-40s %-6s %-22s %s\n", t.name.c_str(),
                        std::string(dtype_name(t.type)).c_str(), t.shape_string().c_str(),
                        human_bytes(static_cast<double>(t.n_bytes)).c_str());

    // Memory a run needs, when flash can run this architecture.
    try {
        const ModelConfig c = ModelConfig::from_gguf(g);
        const ModelWeights w = ModelWeights::bind(g, c);
        const int64_t ctx = std::min(o.ctx, c.n_ctx_train);
        std::printf(
            "\nmodel: %s, %lld layers, d_model %lld, %lld heads (%lld KV) of %lld, ffn %lld, vocab "
            "%lld, "
            "context %lld%s\n",
            c.arch.c_str(), static_cast<long long>(c.n_layer), static_cast<long long>(c.n_embd),
            static_cast<long long>(c.n_head), static_cast<long long>(c.n_head_kv),
            static_cast<long long>(c.head_dim), static_cast<long long>(c.n_ff),
            static_cast<long long>(c.n_vocab), static_cast<long long>(c.n_ctx_train),
            w.tied_output ? ", output tied to embedding" : "");
        int64_t sliding = 0;
        for (const LayerConfig& l : c.layers) sliding += l.sliding;
        if (sliding > 0)
            std::printf("attention: %lld of %lld layers use a %lld-token sliding window\n",
                        static_cast<long long>(sliding),
                        static_cast<long long>(c.attention_layers()),
                        static_cast<long long>(c.sliding_window));
        if (c.has_recurrent_layers())
            std::printf("layers: %lld Gated DeltaNet (recurrent), %lld attention\n",
                        static_cast<long long>(c.n_layer - c.attention_layers()),
                        static_cast<long long>(c.attention_layers()));
        std::printf("memory: weights %s (mapped); KV cache (f16) %s per token, %s at %lld tokens",
                    human_bytes(static_cast<double>(w.total_bytes)).c_str(),
                    human_bytes(static_cast<double>(c.kv_bytes_per_token())).c_str(),
                    human_bytes(static_cast<double>(c.kv_cache_bytes(ctx, o.batch))).c_str(),
                    static_cast<long long>(ctx));
        if (c.head_dim % QK8_0 == 0 && c.head_dim_v % QK8_0 == 0 && c.attention_layers() > 0) {
            const KvTypes q8{DType::Q8_0, DType::Q8_0};
            std::printf(
                " (%s with -ctk q8_0 -ctv q8_0)",
                human_bytes(static_cast<double>(c.kv_cache_bytes(ctx, o.batch, q8))).c_str());
        }
        if (c.has_recurrent_layers())
            std::printf("; recurrent state %s per sequence",
                        human_bytes(static_cast<double>(c.recurrent_state_bytes())).c_str());
        std::printf("\n");
        // The CUDA backend's needs (cuda/gpu_plan.h), whether or not this build has it.
        if (const std::string why = cuda::forward_unsupported(c); !why.empty()) {
            std::printf("GPU (CUDA): not yet: %s\n", why.c_str());
        } else {
            const int64_t first = cuda::first_gpu_layer(c.n_layer, o.gpu_layers);
            const cuda::DeviceMemory m = cuda::forward_device_memory(c, w, ctx, 1, first);
            const std::string partial = first == 0
                                            ? ""
                                            : " for " + cuda::gpu_layers_text(first, c.n_layer) +
                                                  " and the output (--gpu-layers " +
                                                  std::to_string(c.n_layer - first) + ")";
            const std::string recurrent =
                m.recurrent ? ", recurrent state " + human_bytes(static_cast<double>(m.recurrent))
                            : "";
            std::printf(
                "GPU (CUDA): %s of GPU memory at %lld tokens (weights %s, KV cache (f16) "
                "%s%s, activations %s)%s\n",
                human_bytes(static_cast<double>(m.total())).c_str(), static_cast<long long>(ctx),
                human_bytes(static_cast<double>(m.weights)).c_str(),
                human_bytes(static_cast<double>(m.kv_cache)).c_str(), recurrent.c_str(),
                human_bytes(static_cast<double>(m.activations)).c_str(), partial.c_str());
        }
    } catch (const Error& e) {
        std::printf("\nmodel: flash cannot run this file: %s\n", e.what());
    }
    // The vocabulary on its own line: a file can run from token ids without one (flash logits).
    try {
        const Tokenizer tok = Tokenizer::from_gguf(g);
        std::printf("tokenizer: %d tokens, BOS %d, EOS %d\n", tok.n_vocab(), tok.bos_id(),
                    tok.eos_id());
    } catch (const Error& e) {
        std::printf("tokenizer: flash cannot read this vocabulary: %s\n", e.what());
    }
}

}  // namespace

void add_info_command(CLI::App& app) {
    auto o = std::make_shared<InfoOptions>();
    CLI::App* cmd =
        app.add_subcommand("info", "Show a GGUF file's metadata, tensors and memory needs");
    cmd->add_option("model", o->model, "GGUF file or model name")->capture_default_str();
    cmd->add_option("-m,--model", o->model, "Same as the positional argument");
    cmd->add_flag("--tensors", o->tensors, "List every tensor");
    cmd->add_option("-c,--ctx-size", o->ctx, "Context size for the KV cache estimate")
        ->check(in_range(option_range::kContext, true))
        ->capture_default_str();
    cmd->add_option("-b,--batch-size", o->batch, "Batch size for the KV cache estimate")
        ->check(in_range(option_range::kBatch, true))
        ->capture_default_str();
    cmd->add_option("--gpu-layers,--n-gpu-layers", o->gpu_layers,
                    "Layers on the GPU for the GPU memory estimate, counted from the last "
                    "(llama.cpp's -ngl); -1: every layer")
        ->check(CLI::Range(int64_t{-1}, int64_t{1} << 20))
        ->capture_default_str();
    cmd->callback([o] { info(*o); });
}

}  // namespace flash::cli
