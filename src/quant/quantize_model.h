// quantize_model: a GGUF model (F32, F16 or BF16 weights; any type when the target is F32,
// F16 or BF16, i.e. dequantizing) rewritten with its weights in one type, choosing per tensor as
// llama-quantize does for that type (quant/mix.h). Metadata is copied, general.file_type set.
// Depends on core/, kernels/, quant/.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "core/gguf.h"
#include "quant/imatrix.h"
#include "quant/mix.h"

namespace flash::quant {

// Metadata key set on a file written in F32/F16/BF16 from quantized weights: the type they had.
inline constexpr std::string_view kDequantizedFromKey = "flash.dequantized_from";

struct TensorReport {
    std::string name;
    DType from, to;
    bool weighted = false;  // quantized with imatrix importances
};

// With `imatrix`, each weight it has an entry for is quantized with those importances (and the
// mixes apply llama.cpp's imatrix-only rules); an imatrix matching no weight is an error.
// A tensor's rows are split over `threads` threads (0: every hardware thread); each row is
// quantized on its own, so the file is the same bytes however many there are.
std::vector<TensorReport> quantize_model(
    const std::string& in, const std::string& out, const Target& target,
    const std::function<void(size_t, size_t, const std::string&)>& progress = {},
    const ImportanceMatrix* imatrix = nullptr, int threads = 0);

}  // namespace flash::quant
