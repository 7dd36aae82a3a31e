// Calls one kernel on one row a given number of times, on a given ISA level, and nothing else:
// bench/arm_insn_count.py runs it under qemu with 1 and 1 + N calls and divides the difference
// in executed instructions by N, which leaves the kernel's own cost per call.
//   flash_kernel_calls KERNEL TYPE N CALLS ISA
//   KERNEL: dot (quantized activations, the fast path) | exact (f32 activations) |
//           quantize (activations for TYPE) | dequantize | rmsnorm | dot_f32
//   ISA: scalar | neon | neon-dotprod | avx2 | avx512
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "kernels/kernels.h"
#include "kernels/random_weights.h"

namespace fk = flash::kernels;

namespace {

int usage() {
    std::fprintf(stderr, "usage: flash_kernel_calls dot|exact|quantize|dequantize|rmsnorm|dot_f32 "
                         "TYPE N CALLS scalar|neon|neon-dotprod|avx2|avx512\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) return usage();
    const std::string kernel = argv[1], isa = argv[5];
    const std::optional<flash::DType> parsed = flash::dtype_from_name(argv[2]);
    if (!parsed) {
        std::fprintf(stderr, "unknown type %s\n", argv[2]);
        return 2;
    }
    const flash::DType type = *parsed;
    const int64_t n = std::atoll(argv[3]);
    const int calls = std::atoi(argv[4]);
    const fk::Isa level = isa == "scalar"         ? fk::Isa::Scalar
                          : isa == "neon"         ? fk::Isa::Neon
                          : isa == "neon-dotprod" ? fk::Isa::NeonDotprod
                          : isa == "avx2"         ? fk::Isa::Avx2
                                                  : fk::Isa::Avx512;
    fk::limit_isa(level);

    std::mt19937 rng(1);
    const std::vector<uint8_t> w = flash::testing::random_weights(type, n, rng);
    std::vector<float> x(static_cast<size_t>(n)), out(static_cast<size_t>(n));
    std::normal_distribution<float> dist(0.0f, 1.0f);
    for (float& v : x) v = dist(rng);
    std::vector<uint8_t> act(fk::activation_row_bytes(type, n));
    fk::quantize_activation_row(type, x.data(), act.data(), n);

    volatile float sink = 0.0f;
    for (int c = 0; c < calls; ++c) {
        if (kernel == "dot") {
            sink = sink + fk::vec_dot(type, n, w.data(), act.data());
        } else if (kernel == "exact") {
            sink = sink + fk::vec_dot_exact(type, n, w.data(), x.data());
        } else if (kernel == "quantize") {
            fk::quantize_activation_row(type, x.data(), act.data(), n);
        } else if (kernel == "dequantize") {
            fk::dequantize_row(type, w.data(), out.data(), n);
        } else if (kernel == "rmsnorm") {
            fk::rmsnorm(out.data(), x.data(), x.data(), n, 1e-6f);
        } else if (kernel == "dot_f32") {
            sink = sink + fk::dot_f32(x.data(), out.data(), n);
        } else {
            return usage();
        }
    }
    std::printf("%s %s n=%lld calls=%d isa=%s\n", kernel.c_str(), argv[2],
                static_cast<long long>(n), calls, fk::isa_name());
    return 0;
}
