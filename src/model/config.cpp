#include "model/config.h"

#include "core/error.h"

namespace flash {
namespace {

// Architectures whose forward pass flash implements, and their RoPE pairing.
struct ArchInfo {
    const char* name;
    RopeKind rope;
};
constexpr ArchInfo kArchs[] = {
    {"llama", RopeKind::Normal},
};

int64_t positive(const GgufFile& g, const std::string& key, int64_t v) {
    if (v <= 0 || v > (int64_t{1} << 32))
        throw Error(g.path() + ": metadata '" + key + "' = " + std::to_string(v) + " is out of range");
    return v;
}

}  // namespace

ModelConfig ModelConfig::from_gguf(const GgufFile& g) {
    ModelConfig c;
    c.arch = std::string(g.require_string("general.architecture"));
    const ArchInfo* info = nullptr;
    for (const ArchInfo& a : kArchs)
        if (c.arch == a.name) info = &a;
    if (!info) throw Error(g.path() + ": architecture '" + c.arch + "' is not supported (flash runs: llama)");
    c.rope_kind = info->rope;
    c.name = std::string(g.get_string("general.name").value_or(""));

    const std::string p = c.arch + ".";
    auto req = [&](const std::string& k) { return positive(g, p + k, g.require_int(p + k)); };
    auto opt = [&](const std::string& k, int64_t def) {
        auto v = g.get_int(p + k);
        return v ? positive(g, p + k, *v) : def;
    };
    c.n_layer = req("block_count");
    c.n_embd = req("embedding_length");
    c.n_ff = req("feed_forward_length");
    c.n_head = req("attention.head_count");
    c.n_head_kv = opt("attention.head_count_kv", c.n_head);
    c.head_dim = opt("attention.key_length", c.n_embd / c.n_head);
    c.head_dim_v = opt("attention.value_length", c.head_dim);
    c.n_ctx_train = opt("context_length", 2048);
    c.n_rot = opt("rope.dimension_count", c.head_dim);
    c.rms_eps = static_cast<float>(g.get_float(p + "attention.layer_norm_rms_epsilon").value_or(1e-5));
    c.rope_base = static_cast<float>(g.get_float(p + "rope.freq_base").value_or(10000.0));

    if (c.n_head % c.n_head_kv != 0)
        throw Error(g.path() + ": head_count " + std::to_string(c.n_head) + " is not a multiple of head_count_kv " +
                    std::to_string(c.n_head_kv));
    if (c.n_rot > c.head_dim || c.n_rot % 2 != 0)
        throw Error(g.path() + ": rope.dimension_count " + std::to_string(c.n_rot) + " does not fit head size " +
                    std::to_string(c.head_dim));

    const std::string scaling(g.get_string(p + "rope.scaling.type").value_or("none"));
    if (scaling == "linear") {
        const double factor = g.get_float(p + "rope.scaling.factor").value_or(1.0);
        if (!(factor > 0)) throw Error(g.path() + ": rope.scaling.factor must be positive");
        c.rope_freq_scale = static_cast<float>(1.0 / factor);
    } else if (scaling != "none") {
        throw Error(g.path() + ": rope scaling type '" + scaling + "' is not supported (none, linear)");
    }

    const GgufTensor& embd = g.require_tensor("token_embd.weight");
    if (embd.dims.size() != 2 || embd.dims[0] != c.n_embd)
        throw Error(g.path() + ": token_embd.weight has shape " + embd.shape_string() + ", expected [" +
                    std::to_string(c.n_embd) + ", n_vocab]");
    c.n_vocab = embd.dims[1];
    return c;
}

}  // namespace flash
