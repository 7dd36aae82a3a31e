#include "convert/convert.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>

#include "convert/hf_config.h"
#include "convert/hf_names.h"
#include "convert/hf_tokenizer.h"
#include "core/error.h"
#include "core/fp16.h"
#include "core/gguf.h"
#include "core/gguf_writer.h"
#include "core/json_input.h"
#include "core/safetensors.h"
#include "core/text_file.h"
#include "kernels/kernels.h"
#include "model/config.h"

namespace flash::convert {
namespace fs = std::filesystem;
namespace {

bool is_float(DType t) {
    return t == DType::F32 || t == DType::F16 || t == DType::BF16;
}

SafeDType safe_type(DType t) {
    return t == DType::F16 ? SafeDType::F16 : t == DType::BF16 ? SafeDType::BF16 : SafeDType::F32;
}

DType dtype_of(FloatType t) {
    return t == FloatType::F16 ? DType::F16 : t == FloatType::BF16 ? DType::BF16 : DType::F32;
}

const char* torch_name(DType t) {
    return t == DType::F16 ? "float16" : t == DType::BF16 ? "bfloat16" : "float32";
}

// `n` values of type `from` (a float type) as f32.
std::vector<float> to_f32(const uint8_t* data, DType from, int64_t n) {
    std::vector<float> out(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
        if (from == DType::F32) {
            std::memcpy(&out[i], data + 4 * i, 4);
        } else {
            uint16_t h;
            std::memcpy(&h, data + 2 * i, 2);
            out[i] = from == DType::F16 ? fp16_to_f32(h) : bf16_to_f32(h);
        }
    }
    return out;
}

std::vector<uint8_t> from_f32(const std::vector<float>& v, DType to) {
    std::vector<uint8_t> out(v.size() * (to == DType::F32 ? 4 : 2));
    for (size_t i = 0; i < v.size(); ++i) {
        if (to == DType::F32) {
            std::memcpy(&out[4 * i], &v[i], 4);
        } else {
            const uint16_t h = to == DType::F16 ? f32_to_fp16(v[i]) : f32_to_bf16(v[i]);
            std::memcpy(&out[2 * i], &h, 2);
        }
    }
    return out;
}

void check_output(const fs::path& out, bool force) {
    if (fs::exists(out) && !force)
        throw Error(out.string() + " exists; pass --force to replace it");
}

// tokenizer_config.json, and tokenizer.json when the vocabulary converts.
void write_tokenizer_files(const HfTokenizer& t, const fs::path& out) {
    write_text_file((out / "tokenizer_config.json").string(), t.config.dump(2) + "\n");
    if (t.tokenizer)
        write_text_file((out / "tokenizer.json").string(), t.tokenizer->dump(2) + "\n");
}

Json read_json(const fs::path& p) {
    return parse_json<Json>(read_text_file(p.string(), "checkpoint file"), p.string());
}

// The checkpoint's tensors, from one file or the shards an index names.
struct Checkpoint {
    std::vector<std::unique_ptr<SafetensorsFile>> files;
    std::map<std::string, const SafeTensor*> tensors;
};

Checkpoint open_checkpoint(const fs::path& dir) {
    Checkpoint c;
    std::vector<std::string> names;
    if (fs::exists(dir / "model.safetensors")) {
        names.push_back("model.safetensors");
    } else if (fs::exists(dir / "model.safetensors.index.json")) {
        const Json index = read_json(dir / "model.safetensors.index.json");
        if (!index.contains("weight_map") || !index["weight_map"].is_object())
            throw Error((dir / "model.safetensors.index.json").string() + ": no weight_map");
        for (const auto& [tensor, file] : index["weight_map"].items()) {
            if (!file.is_string() || file.get<std::string>().find('/') != std::string::npos)
                throw Error((dir / "model.safetensors.index.json").string() + ": tensor " + tensor +
                            " names no file of this directory");
            if (std::find(names.begin(), names.end(), file.get<std::string>()) == names.end())
                names.push_back(file.get<std::string>());
        }
    } else {
        throw Error(dir.string() + ": no model.safetensors or model.safetensors.index.json");
    }
    for (const std::string& n : names) {
        c.files.push_back(std::make_unique<SafetensorsFile>((dir / n).string()));
        for (const SafeTensor& t : c.files.back()->tensors()) {
            if (!c.tensors.emplace(t.name, &t).second)
                throw Error((dir / n).string() + ": tensor " + t.name + " is in two shards");
        }
    }
    return c;
}

DType gguf_float(SafeDType t, const std::string& name) {
    if (t == SafeDType::F32) return DType::F32;
    if (t == SafeDType::F16) return DType::F16;
    if (t == SafeDType::BF16) return DType::BF16;
    throw Error("tensor " + name + ": dtype " + safe_dtype_name(t) + " is not a float type");
}

// A multimodal checkpoint's config.json (Qwen3_5ForConditionalGeneration) keeps the text
// model's fields in text_config; the text model is what converts.
Json text_config(const Json& config) {
    const auto text = config.find("text_config");
    if (text == config.end() || !text->is_object()) return config;
    Json out = *text;
    for (const auto& [key, value] : config.items())
        if (!out.contains(key) && key != "vision_config") out[key] = value;
    return out;
}

// The rows a layout change moves: the outermost dimension (PyTorch's shape[0]); a 1-D
// tensor's elements.
int64_t outer_rows(const std::vector<int64_t>& shape) {
    return shape.empty() ? 1 : shape[0];
}

// Refuses a tensor whose shape does not hold the heads `c` moves (the moves assume it).
void check_change(const std::string& where, const std::string& name, const TensorChange& c,
                  const std::vector<int64_t>& shape) {
    int64_t elements = 1;
    for (const int64_t d : shape) elements *= d;
    const int64_t rows = outer_rows(shape);
    const bool heads_fit = (c.permute_heads == 0 || rows % (2 * c.permute_heads) == 0) &&
                           v_heads_fit(c.v_heads, rows, rows > 0 ? elements / rows : 0);
    if (!heads_fit)
        throw Error(where + ": tensor " + name + " has " + std::to_string(elements) +
                    " elements in " + std::to_string(rows) +
                    " rows, which do not split into the heads of its config");
}

// Undoes (to_gguf false) or redoes the value changes llama.cpp's converter makes.
void change_values(std::vector<float>& values, const TensorChange& c, bool to_gguf) {
    for (float& v : values) {
        if (c.plus_one) v = to_gguf ? v + 1.0f : v - 1.0f;
        if (c.minus_exp) v = to_gguf ? ssm_a_from_a_log(v) : a_log_from_ssm_a(v);
    }
}

// Undoes (to_gguf false) or redoes the row and head moves llama.cpp's converter makes.
void change_layout(std::vector<uint8_t>& bytes, int64_t rows, const TensorChange& c, bool to_gguf) {
    if (rows <= 0) return;
    if (c.permute_heads) {
        const size_t row = bytes.size() / static_cast<size_t>(rows);
        bytes = to_gguf ? permute_rows(bytes, rows, row, c.permute_heads)
                        : unpermute_rows(bytes, rows, row, c.permute_heads);
    }
    if (c.v_heads.k_heads)
        bytes =
            to_gguf ? tile_v_heads(bytes, rows, c.v_heads) : group_v_heads(bytes, rows, c.v_heads);
}

// A GGUF tensor's values as `to` for the checkpoint, llama.cpp's changes undone.
std::vector<uint8_t> hf_bytes(const GgufTensor& t, DType to, const TensorChange& c, int64_t rows) {
    std::vector<uint8_t> bytes;
    if (t.type == to && !c.plus_one && !c.minus_exp) {
        bytes.assign(t.data, t.data + t.n_bytes);
    } else {
        std::vector<float> values;
        if (is_float(t.type)) {
            values = to_f32(t.data, t.type, t.n_elements);
        } else {
            values.resize(static_cast<size_t>(t.n_elements));
            const size_t row = row_bytes(t.type, t.dims[0]);
            for (int64_t r = 0; r < t.rows(); ++r)
                kernels::dequantize_row(t.type, t.data + r * row, values.data() + r * t.dims[0],
                                        t.dims[0]);
        }
        change_values(values, c, false);
        bytes = from_f32(values, to);
    }
    change_layout(bytes, rows, c, false);
    return bytes;
}

// A checkpoint tensor's values as `to` for the GGUF, with llama.cpp's changes.
std::vector<uint8_t> gguf_bytes(const SafeTensor& t, DType from, DType to, const TensorChange& c) {
    std::vector<uint8_t> bytes;
    if (from == to && !c.plus_one && !c.minus_exp) {
        bytes.assign(t.data, t.data + t.bytes);
    } else {
        std::vector<float> values = to_f32(t.data, from, t.elements());
        change_values(values, c, true);
        bytes = from_f32(values, to);
    }
    change_layout(bytes, outer_rows(t.shape), c, true);
    return bytes;
}

// The head counts of the GGUF's model.
HeadCounts head_counts(const GgufFile& g, const ModelConfig& c) {
    HeadCounts h;
    h.q = c.n_head;
    h.kv = c.n_head_kv;
    if (c.arch == "qwen35") {  // the DeltaNet keys, even when every layer is attention
        const DeltaNetConfig d = DeltaNetConfig::from_gguf(g, c.arch);
        h.linear_k = d.n_k_heads;
        h.linear_v = d.n_v_heads;
        h.linear_k_dim = d.head_k_dim;
        h.linear_v_dim = d.head_v_dim;
    }
    return h;
}

}  // namespace

FloatType float_type(const std::string& name) {
    std::string upper;
    for (const char c : name)
        upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper == "AUTO") return FloatType::Auto;
    if (upper == "F32") return FloatType::F32;
    if (upper == "F16") return FloatType::F16;
    if (upper == "BF16") return FloatType::BF16;
    throw Error("--type must be auto, F32, F16 or BF16, not '" + name + "'");
}

ConvertReport gguf_to_hf(const std::string& gguf_path, const std::string& out_dir,
                         const ConvertOptions& o, const ConvertProgress& progress) {
    ConvertReport report;
    const GgufFile g(gguf_path);
    const std::string arch_name(g.require_string("general.architecture"));
    const fs::path out(out_dir);
    if (g.tensors().empty()) {  // a vocabulary-only file: its tokenizer files
        check_output(out / "tokenizer.json", o.force);
        const HfTokenizer tokenizer = hf_tokenizer(g);
        if (!tokenizer.tokenizer) throw Error(gguf_path + ": " + tokenizer.note);
        fs::create_directories(out);
        write_tokenizer_files(tokenizer, out);
        report.notes.push_back("no tensors in " + gguf_path + ": tokenizer files only");
        return report;
    }
    const auto arch = architecture_from_gguf(arch_name);
    if (!arch)
        throw Error(gguf_path + ": architecture '" + arch_name +
                    "' cannot be converted yet (flash converts: " + convertible_architectures() +
                    ")");
    const ModelConfig c = ModelConfig::from_gguf(g);
    check_output(out / "model.safetensors", o.force);
    fs::create_directories(out);

    const HeadCounts heads = head_counts(g, c);
    SafetensorsWriter w;
    w.set_metadata("format", "pt");
    size_t index = 0;
    DType stored = DType::F32;  // the matrices' type, for torch_dtype
    for (const GgufTensor& t : g.tensors()) {
        const auto name = hf_name(*arch, t.name);
        if (!name)
            throw Error(gguf_path + ": tensor " + t.name + " has no Hugging Face name for " +
                        arch->gguf);
        const DType to = o.type != FloatType::Auto ? dtype_of(o.type)
                         : is_float(t.type)        ? t.type
                                                   : DType::F32;
        if (t.dims.size() == 2) stored = to;
        std::vector<int64_t> shape(t.dims.rbegin(), t.dims.rend());
        const TensorChange change = tensor_change(*arch, t.name, heads);
        check_change(gguf_path, t.name, change, shape);
        const int64_t rows = outer_rows(shape);
        if (change.squeezed && shape.size() == 2) shape.insert(shape.begin() + 1, 1);
        const GgufTensor* src = &t;
        const size_t at = index++, count = g.tensors().size();
        w.add(*name, safe_type(to), shape,
              [src, to, change, rows, at, count, &progress](std::vector<uint8_t>& bytes) {
                  if (progress) progress(at, count, src->name);
                  bytes = hf_bytes(*src, to, change, rows);
              });
    }
    write_text_file((out / "config.json").string(),
                    hf_config(g, *arch, torch_name(stored)).dump(2) + "\n");
    Json generation = Json::object();
    if (const auto bos = g.get_int("tokenizer.ggml.bos_token_id"))
        generation["bos_token_id"] = *bos;
    if (const auto eos = g.get_int("tokenizer.ggml.eos_token_id"))
        generation["eos_token_id"] = *eos;
    if (!generation.empty())
        write_text_file((out / "generation_config.json").string(), generation.dump(2) + "\n");
    const HfTokenizer tokenizer = hf_tokenizer(g);
    write_tokenizer_files(tokenizer, out);
    if (!tokenizer.tokenizer) report.notes.push_back(tokenizer.note);
    w.write((out / "model.safetensors").string());
    return report;
}

ConvertReport hf_to_gguf(const std::string& hf_dir, const std::string& out_path,
                         const ConvertOptions& o, const ConvertProgress& progress) {
    ConvertReport report;
    const fs::path dir(hf_dir);
    if (!fs::is_directory(dir)) throw Error(hf_dir + ": not a directory");
    const Json top = read_json(dir / "config.json");
    if (!top.is_object() || !top.contains("model_type") || !top["model_type"].is_string())
        throw Error((dir / "config.json").string() + ": no model_type");
    const std::string model_type = top["model_type"].get<std::string>();
    const Json config = text_config(top);
    const auto arch = architecture_from_hf(model_type);
    if (!arch)
        throw Error((dir / "config.json").string() + ": model_type '" + model_type +
                    "' cannot be converted yet (flash converts: " + convertible_architectures() +
                    ")");
    check_output(out_path, o.force);
    const Checkpoint ck = open_checkpoint(dir);

    GgufWriter w;
    fs::path name_path = fs::absolute(dir).lexically_normal();
    if (name_path.filename().empty()) name_path = name_path.parent_path();
    gguf_metadata(config, *arch, name_path.filename().string(), w);
    const HeadCounts heads = head_counts(config, *arch);
    const bool tied = config.value("tie_word_embeddings", false);
    const Json tokenizer_config = fs::exists(dir / "tokenizer_config.json")
                                      ? read_json(dir / "tokenizer_config.json")
                                      : Json::object();
    if (fs::exists(dir / "tokenizer.json"))
        gguf_tokenizer(parse_json<nlohmann::json>(
                           read_text_file((dir / "tokenizer.json").string(), "checkpoint file"),
                           (dir / "tokenizer.json").string()),
                       tokenizer_config, w);
    else {
        gguf_tokenizer(nlohmann::json(), tokenizer_config, w);
        report.notes.push_back("no tokenizer.json: the GGUF has no vocabulary");
    }
    size_t left_out = 0;
    for (const auto& [hf, tensor] : ck.tensors) {
        if (hf == "lm_head.weight" && tied) continue;  // GGUF ties by leaving output out
        if (outside_text_model(hf)) {
            ++left_out;
            continue;
        }
        const auto name = gguf_name(*arch, hf);
        if (!name) throw Error(hf_dir + ": tensor " + hf + " has no GGUF name for " + arch->gguf);
        const DType from = gguf_float(tensor->dtype, hf);
        const TensorChange change = tensor_change(*arch, *name, heads);
        check_change(hf_dir, hf, change, tensor->shape);
        std::vector<int64_t> dims(tensor->shape.rbegin(), tensor->shape.rend());
        if (change.squeezed && dims.size() == 3 && dims[1] == 1) dims.erase(dims.begin() + 1);
        const DType to = dims.size() == 1 || change.f32_in_gguf ? DType::F32
                         : o.type == FloatType::Auto            ? from
                                                                : dtype_of(o.type);
        const SafeTensor* src = tensor;
        w.add_tensor(*name, to, dims, [src, from, to, change](std::vector<uint8_t>& bytes) {
            bytes = gguf_bytes(*src, from, to, change);
        });
    }
    if (!tied && !ck.tensors.count("lm_head.weight"))
        throw Error(hf_dir + ": tie_word_embeddings is false but there is no lm_head.weight");
    if (left_out)
        report.notes.push_back(std::to_string(left_out) +
                               " vision and multi-token-prediction tensors left out: the GGUF "
                               "holds the text model");
    w.write(out_path, progress);
    return report;
}

}  // namespace flash::convert
