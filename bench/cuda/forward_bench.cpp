// Speed of the GPU forward pass (cuda/cuda_model.h) on a GGUF file, as one JSON line for issue
// 24's figures: a 512-token prompt in chunks (pp), then tokens generated one at a time (tg, each
// step's logits copied back as a Session takes them; from CUDA graphs, and again launched kernel
// by kernel) and the weight bytes read per second that implies, and the prompt again on the
// tensor cores (MatmulKernel::Tf32x3); then continuous batching's decode: `streams` sequences
// (each a 32-token prompt, then one token per step, all in one forward_batch per step) and their
// tokens per second together.
//   flash_bench_cuda_forward MODEL.gguf [tokens=128] [context=1024] [streams=64]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cuda/cuda_model.h"
#include "model/kv_cache.h"
#include "runtime/sampler.h"

int main(int argc, char** argv) {
    using namespace flash;
    if (argc < 2) {
        std::fprintf(stderr,
                     "usage: flash_bench_cuda_forward MODEL.gguf [tokens=128] [context=1024] "
                     "[streams=64]\n");
        return 2;
    }
    const int n_gen = argc > 2 ? std::max(1, std::atoi(argv[2])) : 128;
    const int64_t n_ctx = argc > 3 ? std::max(16, std::atoi(argv[3])) : 1024;
    const int streams = argc > 4 ? std::max(1, std::atoi(argv[4])) : 64;
    if (cuda::device_count() == 0) {
        std::fprintf(stderr, "flash_bench_cuda_forward: no CUDA device\n");
        return 77;
    }
    try {
        const auto model = Model::load(argv[1]);
        const ModelConfig& c = model->config();
        std::vector<float> logits(static_cast<size_t>(c.n_vocab));
        using Clock = std::chrono::steady_clock;
        auto seconds = [](Clock::time_point t0) {
            return std::chrono::duration<double>(Clock::now() - t0).count();
        };
        // A prompt of up to 512 tokens, then n_gen tokens one at a time: tokens per second of
        // each, with decode's passes replayed from CUDA graphs or launched kernel by kernel.
        struct Speed {
            int64_t n_prompt = 0;
            int steps = 0;
            double pp = 0, tg_seconds = 0;
            size_t device_bytes = 0, graphs = 0;
            std::string graphs_off;  // why graphs were turned off, if they were
        };
        auto measure = [&](bool graphs, cuda::MatmulKernel matmul) {
            cuda::CudaModel gpu(*model, std::min<int64_t>(n_ctx, c.n_ctx_train),
                                {.graphs = graphs, .matmul = matmul});
            Speed out;
            out.n_prompt = std::min<int64_t>(512, gpu.n_ctx() / 2);
            std::vector<int32_t> prompt(static_cast<size_t>(out.n_prompt));
            for (size_t i = 0; i < prompt.size(); ++i)
                prompt[i] = static_cast<int32_t>((i * 7919) % static_cast<size_t>(c.n_vocab));
            gpu.forward(std::span<const int32_t>(prompt).first(32), 0, logits.data(),
                        false);  // warm-up
            const auto t_pp = Clock::now();
            gpu.forward(prompt, 0, logits.data(), false);
            out.pp = static_cast<double>(out.n_prompt) / seconds(t_pp);
            int32_t token = argmax(logits);
            out.steps = static_cast<int>(std::min<int64_t>(n_gen, gpu.n_ctx() - out.n_prompt));
            const auto t0 = Clock::now();
            for (int i = 0; i < out.steps; ++i) {
                gpu.forward({&token, 1}, out.n_prompt + i, logits.data(), false);
                token = argmax(logits);
            }
            out.tg_seconds = seconds(t0);
            out.device_bytes = gpu.device_bytes();
            out.graphs = gpu.graphs_recorded();
            out.graphs_off = gpu.graphs_off_reason();
            std::replace(out.graphs_off.begin(), out.graphs_off.end(), '"', '\'');
            return out;
        };
        const Speed launched = measure(false, cuda::MatmulKernel::Simt);
        const Speed tensor_cores = measure(true, cuda::MatmulKernel::Tf32x3);
        const Speed speed = measure(true, cuda::MatmulKernel::Simt);
        const int64_t n_prompt = speed.n_prompt;
        const int steps = speed.steps;
        const double s = speed.tg_seconds;
        // Bytes of weights one token reads: everything but the embedding table (read one row);
        // a tied output reads the table once as the output matrix.
        const ModelWeights& W = model->weights();
        const size_t embd = static_cast<size_t>(W.token_embd.rows) *
                            row_bytes(W.token_embd.type, W.token_embd.cols);
        const size_t read = W.total_bytes - (W.tied_output ? 0 : embd);
        std::printf(
            "{\"model\": \"%s\", \"arch\": \"%s\", \"device\": \"%s\", \"pp_tokens\": %lld, "
            "\"pp_tokens_per_s\": %.1f, \"tg_tokens\": %d, "
            "\"tg_tokens_per_s\": %.2f, \"ms_per_token\": %.3f, \"weight_gb_per_s\": %.1f, "
            "\"tg_tokens_per_s_without_graphs\": %.2f, \"pp_tokens_per_s_tf32x3\": %.1f, "
            "\"graphs_recorded\": %zu, \"graphs_off_reason\": \"%s\", \"device_mib\": %.0f}\n",
            argv[1], c.arch.c_str(), cuda::device_info(0).name.c_str(),
            static_cast<long long>(n_prompt), speed.pp, steps, steps / s, 1e3 * s / steps,
            read * (steps / s) / 1e9, launched.steps / launched.tg_seconds, tensor_cores.pp,
            speed.graphs, speed.graphs_off.c_str(), speed.device_bytes / 1048576.0);
        std::fflush(stdout);

        // Continuous batching: each stream's KvCache is only its slot's key (one position).
        constexpr int64_t kPrompt = 32, kSteps = 32;
        cuda::CudaModel batch(*model, kPrompt + kSteps, {.slots = streams});
        std::vector<std::unique_ptr<KvCache>> keys;
        std::vector<int32_t> ids(static_cast<size_t>(streams * kPrompt));
        for (size_t i = 0; i < ids.size(); ++i)
            ids[i] = static_cast<int32_t>((i * 104729) % static_cast<size_t>(c.n_vocab));
        std::vector<float> out(static_cast<size_t>(streams) * logits.size());
        std::vector<SequenceBatch> seqs;
        for (int k = 0; k < streams; ++k) {
            keys.push_back(std::make_unique<KvCache>(c, 1, 1));
            seqs.push_back({std::span<const int32_t>(ids).subspan(k * kPrompt, kPrompt), 0,
                            keys.back().get(), out.data() + k * logits.size(), false});
        }
        batch.forward_batch(seqs);
        const auto t_batch = Clock::now();
        for (int64_t step = 0; step < kSteps; ++step) {
            for (int k = 0; k < streams; ++k) {
                ids[static_cast<size_t>(k)] =
                    argmax(std::span<const float>(out).subspan(k * logits.size(), logits.size()));
                seqs[k].tokens = std::span<const int32_t>(ids).subspan(k, 1);
                seqs[k].pos = kPrompt + step;
            }
            batch.forward_batch(seqs);
        }
        const double sb = seconds(t_batch);
        std::printf(
            "{\"model\": \"%s\", \"streams\": %d, \"batched_tokens_per_s\": %.1f, "
            "\"ms_per_step\": %.3f}\n",
            argv[1], streams, streams * kSteps / sb, 1e3 * sb / kSteps);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flash_bench_cuda_forward: %s\n", e.what());
        return 1;
    }
    return 0;
}
