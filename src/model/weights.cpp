#include "model/weights.h"

#include "core/error.h"

namespace flash {
namespace {

std::string shape(int64_t cols, int64_t rows) {
    return rows == 1 ? "[" + std::to_string(cols) + "]"
                     : "[" + std::to_string(cols) + ", " + std::to_string(rows) + "]";
}

class Binder {
public:
    Binder(const GgufFile& g) : g_(g) {}

    // A matrix of `rows` rows of `cols` elements (GGUF dims [cols, rows]); rows == 1: a vector.
    WeightRef bind(const std::string& name, int64_t cols, int64_t rows, bool must_be_f32 = false) {
        const GgufTensor* t = g_.find_tensor(name);
        if (!t) throw Error(g_.path() + ": tensor '" + name + "' is missing");
        return check(*t, cols, rows, must_be_f32);
    }

    WeightRef bind_optional(const std::string& name, int64_t cols, int64_t rows, bool must_be_f32 = false) {
        const GgufTensor* t = g_.find_tensor(name);
        return t ? check(*t, cols, rows, must_be_f32) : WeightRef{};
    }

    size_t bytes = 0;

private:
    WeightRef check(const GgufTensor& t, int64_t cols, int64_t rows, bool must_be_f32) {
        const bool is_vector = rows == 1;
        const bool ok = t.dims[0] == cols && t.rows() == rows &&
                        (is_vector ? t.dims.size() == 1 : t.dims.size() == 2);
        if (!ok)
            throw Error(g_.path() + ": tensor '" + t.name + "' has shape " + t.shape_string() + ", expected " +
                        shape(cols, rows));
        if (must_be_f32 && t.type != DType::F32)
            throw Error(g_.path() + ": tensor '" + t.name + "' has type " + std::string(dtype_name(t.type)) +
                        ", expected F32");
        switch (t.type) {
            case DType::F64: case DType::I8: case DType::I16: case DType::I32: case DType::I64: case DType::Q8_1:
            case DType::Q8_K:
                throw Error(g_.path() + ": tensor '" + t.name + "' has type " + std::string(dtype_name(t.type)) +
                            ", which cannot be a weight");
            default: break;
        }
        bytes += t.n_bytes;
        return WeightRef{t.type, t.data, rows, cols};
    }

    const GgufFile& g_;
};

}  // namespace

ModelWeights ModelWeights::bind(const GgufFile& g, const ModelConfig& c) {
    Binder b(g);
    ModelWeights w;
    w.token_embd = b.bind("token_embd.weight", c.n_embd, c.n_vocab);
    w.output_norm = b.bind("output_norm.weight", c.n_embd, 1, true);
    w.output = b.bind_optional("output.weight", c.n_embd, c.n_vocab);
    if (!w.output.present()) {
        w.output = w.token_embd;
        w.tied_output = true;
    }
    w.rope_freqs = b.bind_optional("rope_freqs.weight", c.n_rot / 2, 1, true);
    w.layers.resize(c.n_layer);
    for (int64_t l = 0; l < c.n_layer; ++l) {
        const std::string p = "blk." + std::to_string(l) + ".";
        LayerWeights& L = w.layers[l];
        L.attn_norm = b.bind(p + "attn_norm.weight", c.n_embd, 1, true);
        L.wq = b.bind(p + "attn_q.weight", c.n_embd, c.q_dim());
        L.wk = b.bind(p + "attn_k.weight", c.n_embd, c.kv_dim());
        L.wv = b.bind(p + "attn_v.weight", c.n_embd, c.v_dim());
        L.wo = b.bind(p + "attn_output.weight", c.n_head * c.head_dim_v, c.n_embd);
        L.ffn_norm = b.bind(p + "ffn_norm.weight", c.n_embd, 1, true);
        L.w_gate = b.bind(p + "ffn_gate.weight", c.n_embd, c.n_ff);
        L.w_up = b.bind(p + "ffn_up.weight", c.n_embd, c.n_ff);
        L.w_down = b.bind(p + "ffn_down.weight", c.n_ff, c.n_embd);
    }
    w.total_bytes = b.bytes;
    return w;
}

}  // namespace flash
