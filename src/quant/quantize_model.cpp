#include "quant/quantize_model.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "core/gguf_writer.h"
#include "kernels/kernels.h"
#include "quant/quantize_row.h"

namespace flash::quant {
namespace {

std::string upper(std::string_view s) {
    std::string u(s);
    for (char& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return u;
}

// llama.cpp's substitute when a row length is not a multiple of the type's block.
DType fallback(DType t) {
    switch (t) {
        case DType::Q4_K:
            return DType::Q5_0;
        case DType::Q5_K:
            return DType::Q5_1;
        case DType::Q6_K:
            return DType::Q8_0;
        default:
            return DType::F16;
    }
}

}  // namespace

const std::vector<Target>& targets() {
    static const std::vector<Target> all = {
        {"F32", DType::F32, 0},   {"F16", DType::F16, 1},    {"BF16", DType::BF16, 32},
        {"Q8_0", DType::Q8_0, 7}, {"Q6_K", DType::Q6_K, 18}, {"Q5_1", DType::Q5_1, 9},
        {"Q5_0", DType::Q5_0, 8}, {"Q4_1", DType::Q4_1, 3},  {"Q4_0", DType::Q4_0, 2},
    };
    return all;
}

const Target& find_target(std::string_view name) {
    const std::string u = upper(name);
    std::string names;
    for (const Target& t : targets()) {
        if (t.name == u) return t;
        names += (names.empty() ? "" : ", ") + t.name;
    }
    throw Error("unknown or not yet supported quantization type '" + std::string(name) +
                "' (supported: " + names + ")");
}

DType tensor_type(const GgufFile& model, const GgufTensor& t, const Target& target) {
    if (t.dims.size() < 2) return DType::F32;  // norms, biases, scales
    // llama.cpp never quantizes the recurrent layers' short convolution kernels.
    if (t.name.find("ssm_conv1d") != std::string::npos) return DType::F32;
    const bool tied = model.find_tensor("output.weight") == nullptr;
    const bool is_output = t.name == "output.weight" || (tied && t.name == "token_embd.weight");
    DType type = target.type;
    // llama.cpp keeps the output matrix at 6 bits under the smaller block types.
    if (is_output &&
        (type == DType::Q4_0 || type == DType::Q4_1 || type == DType::Q5_0 || type == DType::Q5_1))
        type = DType::Q6_K;
    if (t.dims[0] % dtype_info(type).block_elems != 0) type = fallback(type);
    return type;
}

std::vector<TensorReport> quantize_model(
    const std::string& in, const std::string& out, const Target& target,
    const std::function<void(size_t, size_t, const std::string&)>& progress) {
    const GgufFile model(in);
    GgufWriter writer(model.alignment());
    for (const auto& [key, value] : model.metadata()) writer.set(key, value);
    writer.set_u32("general.quantization_version", 2);
    writer.set_u32("general.file_type", target.ftype);

    std::vector<TensorReport> report;
    for (const GgufTensor& t : model.tensors()) {
        // Quantizing quantized weights compounds two roundings; dequantizing them is fine.
        const bool float_target =
            target.type == DType::F32 || target.type == DType::F16 || target.type == DType::BF16;
        if (!float_target && t.type != DType::F32 && t.type != DType::F16 && t.type != DType::BF16)
            throw Error(in + ": tensor " + t.name + " is " + std::string(dtype_name(t.type)) +
                        "; quantize from F32, F16 or BF16 weights (dequantize a quantized model "
                        "first: flash quantize IN OUT F16)");
        const DType to = tensor_type(model, t, target);
        report.push_back({t.name, t.type, to});
        writer.add_tensor(t.name, to, t.dims, [&t, to](std::vector<uint8_t>& data) {
            const int64_t n = t.dims[0];
            const size_t in_row = row_bytes(t.type, n), out_row = row_bytes(to, n);
            data.resize(out_row * static_cast<size_t>(t.rows()));
            std::vector<float> row(static_cast<size_t>(n));
            for (int64_t r = 0; r < t.rows(); ++r) {
                kernels::dequantize_row(t.type, t.data + r * in_row, row.data(), n);
                quantize_row(to, row.data(), data.data() + r * out_row, n);
            }
        });
    }
    writer.write(out, progress);
    return report;
}

}  // namespace flash::quant
