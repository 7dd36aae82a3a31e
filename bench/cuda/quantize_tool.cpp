// flash's quantizer without the CLI, for the GPU machine, which builds only the engine and the
// CUDA programs (scripts/gpu_check.sh quantizes its random-weight models there: files of a
// real model's size do not travel).
//   flash_cuda_quantize IN.gguf OUT.gguf TYPE      (TYPE: Q4_K_M, Q8_0, ... as `flash quantize`)
#include <cstdio>
#include <exception>

#include "quant/mix.h"
#include "quant/quantize_model.h"

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: flash_cuda_quantize IN.gguf OUT.gguf TYPE\n");
        return 2;
    }
    try {
        const flash::quant::Target& target = flash::quant::find_target(argv[3]);
        const auto reports = flash::quant::quantize_model(argv[1], argv[2], target);
        std::fprintf(stderr, "flash_cuda_quantize: %zu tensors -> %s (%s)\n", reports.size(),
                     argv[2], target.name.c_str());
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flash_cuda_quantize: %s\n", e.what());
        return 1;
    }
}
