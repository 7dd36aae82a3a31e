// WeightRef — a weight tensor's view inside the GGUF mapping — and WeightBinder, which looks
// tensors up by llama.cpp's names and checks shape and type before the forward pass trusts
// them. Depends on core/ only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/gguf.h"

namespace flash {
namespace kernels {
struct Int8Panels;
}

// A 2-D (or 1-D) weight: `rows` rows of `cols` elements of `type`, contiguous.
struct WeightRef {
    DType type = DType::F32;
    const void* data = nullptr;
    int64_t rows = 0;
    int64_t cols = 0;
    // The same weights packed for the fast prompt GEMM (Model::repack_for_fast); usually null.
    const kernels::Int8Panels* panels = nullptr;

    bool present() const { return data != nullptr; }
    const float* f32() const { return static_cast<const float*>(data); }  // for F32 vectors
};

class WeightBinder {
  public:
    explicit WeightBinder(const GgufFile& gguf) : gguf_(gguf) {}

    // A matrix of `rows` rows of `cols` elements (GGUF dims [cols, rows]); rows == 1: a
    // vector. Throws flash::Error naming a missing tensor or one whose shape or type is wrong.
    WeightRef bind(const std::string& name, int64_t cols, int64_t rows, bool must_be_f32 = false);
    // The same for a tensor that may be absent (an empty WeightRef then).
    WeightRef bind_optional(const std::string& name, int64_t cols, int64_t rows,
                            bool must_be_f32 = false);

    size_t bytes() const { return bytes_; }  // total size of everything bound so far

  private:
    WeightRef check(const GgufTensor& t, int64_t cols, int64_t rows, bool must_be_f32);

    const GgufFile& gguf_;
    size_t bytes_ = 0;
};

}  // namespace flash
