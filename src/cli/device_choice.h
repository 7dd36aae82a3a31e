// --device and --gpu-layers: where a command's forward pass runs. "cpu"; "cuda" (the GPU forward
// pass of cuda/cuda_model.h, or a clear error saying why it cannot); "auto", the default: the GPU
// when this build has the CUDA backend, a GPU is present, the GPU path takes the model and its
// settings and the model fits in the GPU's free memory, else the CPU. --gpu-layers N (llama.cpp's
// -ngl) puts only the last N layers and the output there; 0 keeps everything on the CPU. The
// decision is a plain function of the facts, so it is tested without a GPU.
#pragma once

#include <CLI/CLI.hpp>
#include <cstddef>
#include <cstdint>
#include <string>

namespace flash::cli {

struct DeviceFacts {
    bool cuda_built = false;      // this flash has the CUDA backend (-DFLASH_CUDA=ON)
    int devices = 0;              // GPUs the driver reports
    std::string unsupported;      // why the GPU path cannot run the model, "" when it can
    size_t needed = 0, free = 0;  // GPU bytes the model asks for at the context; free there
    bool exact = true;            // --precision exact: the GPU path computes in f32 only
    bool default_kv = true;       // no -ctk/-ctv q8_0: the GPU's KV cache is f16
};

// What the user asked for: --device, and --gpu-layers (-1, the default: every layer).
struct DeviceRequest {
    std::string where = "auto";  // auto | cpu | cuda
    int64_t gpu_layers = -1;
};

struct DeviceChoice {
    bool gpu = false;
    // For stderr when not empty: why auto set aside an explicit --gpu-layers, or a GPU that is
    // present (no note when there is none: the CPU is simply where flash runs).
    std::string note;
};

// Throws flash::Error naming the reason when "cuda" cannot be honoured, or when --device cuda
// comes with --gpu-layers 0 (nothing would run there).
DeviceChoice choose_device(const DeviceRequest& request, const DeviceFacts& facts);

// Adds --device and --gpu-layers to a command that honours them (the others run on the CPU and
// do not offer them).
void add_device_option(CLI::App& cmd, DeviceRequest& request);

}  // namespace flash::cli
