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
               mib(f.free) + " is free (a smaller -c needs less)";
    return "";
}

}  // namespace

bool use_gpu(const std::string& device, const DeviceFacts& facts) {
    if (device == "cpu") return false;
    const std::string why = gpu_refusal(facts);
    if (device == "cuda" && !why.empty()) throw Error("--device cuda: " + why);
    return why.empty();
}

void add_device_option(CLI::App& cmd, std::string& device) {
    cmd.add_option("--device", device,
                   "Where the model runs: cpu, cuda (the GPU; an error says why when it cannot), "
                   "or auto: the GPU when this build has CUDA, a GPU is present, the model is one "
                   "it runs and it fits, else the CPU")
        ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
        ->capture_default_str();
}

}  // namespace flash::cli
