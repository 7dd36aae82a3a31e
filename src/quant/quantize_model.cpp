#include "quant/quantize_model.h"

#include "core/error.h"
#include "core/gguf_writer.h"
#include "core/thread_pool.h"
#include "kernels/kernels.h"
#include "quant/mix.h"
#include "quant/quantize_row.h"

namespace flash::quant {

std::vector<TensorReport> quantize_model(
    const std::string& in, const std::string& out, const Target& target,
    const std::function<void(size_t, size_t, const std::string&)>& progress,
    const ImportanceMatrix* imatrix, int threads) {
    const GgufFile model(in);
    if (imatrix) {  // the wrong model's imatrix must not pass silently
        bool any = false;
        for (const GgufTensor& t : model.tensors())
            any = any || (t.dims.size() >= 2 && imatrix->find(t.name, t.dims[0]) != nullptr);
        if (!any)
            throw Error("the imatrix has no entry for any weight of " + in +
                        ": it was made for another model");
    }
    GgufWriter writer(model.alignment());
    for (const auto& [key, value] : model.metadata()) writer.set(key, value);
    writer.set_u32("general.quantization_version", 2);
    writer.set_u32("general.file_type", target.ftype);

    // A dequantized file says so, so that quantizing it again can be flagged as a second
    // rounding (flash quantize warns; the precision the first one lost does not come back).
    const bool float_target = !is_quantized(target.type);
    if (float_target && has_quantized_weights(model))
        writer.set_string(std::string(kDequantizedFromKey), quantization_name(model));
    TypeChooser chooser(model, target, imatrix != nullptr);
    ThreadPool pool(ThreadPool::threads_or_default(threads));
    std::vector<TensorReport> report;
    for (const GgufTensor& t : model.tensors()) {
        // Quantizing quantized weights compounds two roundings; dequantizing them is fine.
        if (!float_target && is_quantized(t.type))
            throw Error(in + ": tensor " + t.name + " is " + std::string(dtype_name(t.type)) +
                        "; quantize from F32, F16 or BF16 weights (dequantize a quantized model "
                        "first: flash quantize IN OUT F16)");
        const DType to = chooser.choose(t);
        const std::vector<float>* importance =
            imatrix && t.dims.size() >= 2 ? imatrix->find(t.name, t.dims[0]) : nullptr;
        report.push_back({t.name, t.type, to, importance != nullptr});
        const float* qw = importance ? importance->data() : nullptr;
        writer.add_tensor(t.name, to, t.dims, [&t, to, qw, &pool](std::vector<uint8_t>& data) {
            const int64_t n = t.dims[0];
            const size_t in_row = row_bytes(t.type, n), out_row = row_bytes(to, n);
            data.resize(out_row * static_cast<size_t>(t.rows()));
            uint8_t* dst = data.data();
            pool.parallel_for(t.rows(), [&](int64_t r0, int64_t r1) {
                std::vector<float> row(static_cast<size_t>(n));
                for (int64_t r = r0; r < r1; ++r) {
                    kernels::dequantize_row(t.type, t.data + r * in_row, row.data(), n);
                    quantize_row(to, row.data(), dst + r * out_row, n, qw);
                }
            });
        });
    }
    writer.write(out, progress);
    return report;
}

}  // namespace flash::quant
