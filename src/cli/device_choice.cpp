#include "cli/device_choice.h"

#include "core/error.h"

namespace flash::cli {
namespace {

std::string mib(size_t bytes) {
    return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB";
}

// Why the GPU cannot run this, or "" when it can.
std::string gpu_refusal(const DeviceFacts& f) {
    if (!f.cuda_built)
        return "this flash was built without the CUDA backend (configure with -DFLASH_CUDA=ON)";
    if (f.devices == 0) return "no CUDA device was found (is the NVIDIA driver loaded?)";
    if (!f.unsupported.empty()) return f.unsupported;
    if (!f.exact) return "the GPU computes in f32 only: --precision fast runs on the CPU";
    if (!f.default_kv) return "the GPU keeps an f16 KV cache: -ctk/-ctv q8_0 run on the CPU";
    if (f.needed > f.free)
        return "the model needs " + mib(f.needed) + " of GPU memory at this context and " +
               mib(f.free) + " is free (a smaller -c or fewer --gpu-layers need less)";
    return "";
}

}  // namespace

DeviceChoice choose_device(const DeviceRequest& request, const DeviceFacts& facts) {
    if (request.where == "cpu") return {};
    if (request.gpu_layers == 0) {
        if (request.where == "cuda")
            throw Error(
                "--device cuda with --gpu-layers 0: no layer would run on the GPU; drop "
                "one of the two");
        return {};  // llama.cpp's -ngl 0: the CPU
    }
    const std::string why = gpu_refusal(facts);
    if (why.empty()) return {.gpu = true};
    if (request.where == "cuda") throw Error("--device cuda: " + why);
    if (request.gpu_layers >= 0)
        return {.note = "--gpu-layers " + std::to_string(request.gpu_layers) +
                        " is ignored: " + why + "; the model runs on the CPU"};
    // A GPU set aside by the model or the settings is worth a line; no GPU at all is not.
    if (facts.cuda_built && facts.devices > 0)
        return {.note = "the model runs on the CPU, not the GPU: " + why +
                        " (--device cpu says so quietly)"};
    return {};
}

void add_device_option(CLI::App& cmd, DeviceRequest& request) {
    cmd.add_option("--device", request.where,
                   "Where the model runs: cpu, cuda (the GPU; an error says why when it cannot), "
                   "or auto: the GPU when this build has CUDA, a GPU is present, the model is one "
                   "it runs and it fits, else the CPU")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
        ->capture_default_str();
    cmd.add_option("--gpu-layers,--n-gpu-layers", request.gpu_layers,
                   "Layers on the GPU, counted from the last, with the output (llama.cpp's -ngl): "
                   "the others run on the CPU. -1: every layer; 0: everything on the CPU")
        ->check(CLI::Range(int64_t{-1}, int64_t{1} << 20))
        ->capture_default_str();
}

}  // namespace flash::cli
