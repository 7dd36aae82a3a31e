// CudaModel (cuda_model.h): the forward pass of model/model.cpp for the rows of one or several
// sequences, a chunk of rows at a time, queued on the GPU through cuda/launch.h with one wait per
// chunk that returns logits (when they come back).
#include "cuda/cuda_model.h"

#include <algorithm>
#include <cstring>

#include "core/error.h"
#include "cuda/launch.h"

namespace flash::cuda {
namespace {

size_t weight_bytes(const WeightRef& w) {
    return w.present() ? static_cast<size_t>(w.rows) * row_bytes(w.type, w.cols) : 0;
}

std::string mib(size_t bytes) {
    return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB";
}

DeviceBuffer floats(int64_t n) {
    return DeviceBuffer(static_cast<size_t>(n) * sizeof(float));
}

DeviceBuffer halves(int64_t n) {
    return DeviceBuffer(static_cast<size_t>(n) * sizeof(uint16_t));
}

float* f(DeviceBuffer& b) {
    return static_cast<float*>(b.data());
}

uint16_t* h(DeviceBuffer& b) {
    return static_cast<uint16_t*>(b.data());
}

void matmul(const WeightRef& w, const float* x, int64_t n, float* y) {
    launch::matmul(w.type, w.data, w.rows, w.cols, x, n, y);
}

}  // namespace

CudaModel::CudaModel(const Model& model, int64_t n_ctx, CudaOptions options)
    : model_(model), n_ctx_(n_ctx), slots_(options.slots) {
    const ModelConfig& c = model.config();
    const ModelWeights& W = model.weights();
    if (const std::string why = forward_unsupported(c); !why.empty())
        throw Error("the GPU cannot run this model: " + why + "; run it on the CPU");
    if (n_ctx <= 0 || n_ctx > c.n_ctx_train)
        throw Error("GPU context of " + std::to_string(n_ctx) + " tokens: must be 1.." +
                    std::to_string(c.n_ctx_train));
    if (slots_ <= 0)
        throw Error("GPU sequence slots: " + std::to_string(slots_) + ", must be >= 1");
    for (const WeightRef& w : uploaded_weights(W))
        if (w.rows > 1 && !matvec_supports(w.type))
            throw Error("the GPU cannot run this model: no GPU kernel for " +
                        std::string(dtype_name(w.type)) + " weights");
    const DeviceMemory plan = forward_device_memory(c, W, n_ctx, slots_);
    const size_t needed = plan.total();
    const DeviceInfo info = device_info(0);
    if (needed > info.free_bytes)
        throw Error("the model needs " + mib(needed) + " on the GPU for " + std::to_string(slots_) +
                    " sequence(s) of " + std::to_string(n_ctx) + " tokens; " + info.name + " has " +
                    mib(info.free_bytes) +
                    " free: use a smaller context (-c), fewer slots, or the CPU");

    output_ = on_device(W.output);
    output_norm_ = device_vector(W.output_norm);
    rope_freqs_ = device_vector(W.rope_freqs);
    layers_.resize(static_cast<size_t>(c.n_layer));
    for (int64_t l = 0; l < c.n_layer; ++l) {
        const LayerWeights& src = W.layers[l];
        Layer& L = layers_[l];
        L.attn_norm = device_vector(src.attn_norm);
        L.q_norm = device_vector(src.q_norm);
        L.k_norm = device_vector(src.k_norm);
        L.bq = device_vector(src.bq);
        L.bk = device_vector(src.bk);
        L.bv = device_vector(src.bv);
        L.attn_post_norm = device_vector(src.attn_post_norm);
        L.ffn_norm = device_vector(src.ffn_norm);
        L.ffn_post_norm = device_vector(src.ffn_post_norm);
        L.wq = on_device(src.wq);
        L.wk = on_device(src.wk);
        L.wv = on_device(src.wv);
        L.wo = on_device(src.wo);
        L.w_gate = on_device(src.w_gate);
        L.w_up = on_device(src.w_up);
        L.w_down = on_device(src.w_down);
        L.k_cache = halves(slots_ * n_ctx * c.kv_dim());
        L.v_cache = halves(slots_ * n_ctx * c.v_dim());
        device_bytes_ += L.k_cache.bytes() + L.v_cache.bytes();
    }
    chunk_ = prefill_chunk(c, n_ctx);
    if (options.max_chunk > 0) chunk_ = std::min(chunk_, options.max_chunk);
    x_ = floats(chunk_ * c.n_embd);
    xn_ = floats(chunk_ * c.n_embd);
    y_ = floats(chunk_ * c.n_embd);
    q_ = floats(chunk_ * c.q_dim());
    k_ = floats(chunk_ * c.kv_dim());
    v_ = floats(chunk_ * c.v_dim());
    attn_ = floats(chunk_ * c.n_head * c.head_dim_v);
    gate_ = floats(chunk_ * c.n_ff);
    up_ = floats(chunk_ * c.n_ff);
    scores_ = floats(chunk_ * c.n_head * n_ctx);
    logits_ = floats(kLogitRows * c.n_vocab);
    rows_ = DeviceBuffer(static_cast<size_t>(2 * chunk_) * sizeof(int32_t));
    device_bytes_ += plan.activations;
    embeddings_.resize(static_cast<size_t>(chunk_ * c.n_embd));
    rows_host_.resize(static_cast<size_t>(2 * chunk_));
}

const void* CudaModel::device_weight(const WeightRef& w) {
    auto it = weights_.find(w.data);
    if (it == weights_.end()) {
        DeviceBuffer b(weight_bytes(w));
        b.upload(w.data, b.bytes());
        device_bytes_ += b.bytes();
        it = weights_.emplace(w.data, std::move(b)).first;
    }
    return it->second.data();
}

WeightRef CudaModel::on_device(const WeightRef& w) {
    WeightRef d = w;
    d.data = w.present() ? device_weight(w) : nullptr;
    return d;
}

const float* CudaModel::device_vector(const WeightRef& w) {
    return w.present() ? static_cast<const float*>(device_weight(w)) : nullptr;
}

void CudaModel::forward(std::span<const int32_t> tokens, int64_t pos, float* logits,
                        bool all_logits) {
    const SequenceBatch seq{tokens, pos, nullptr, logits, all_logits};
    forward_batch(std::span<const SequenceBatch>(&seq, 1));
}

int32_t CudaModel::slot_of(const KvCache* cache) {
    for (size_t s = 0; s < slot_owner_.size(); ++s)
        if (slot_owner_[s] == cache) return static_cast<int32_t>(s);
    if (static_cast<int64_t>(slot_owner_.size()) == slots_)
        throw Error("GPU forward: a sequence beyond the " + std::to_string(slots_) +
                    " the GPU holds caches for");
    slot_owner_.push_back(cache);
    return static_cast<int32_t>(slot_owner_.size() - 1);
}

void CudaModel::forward_batch(std::span<const SequenceBatch> seqs) {
    const ModelConfig& c = model_.config();
    // Check every sequence before anything runs; then lay their tokens out as rows.
    std::vector<Row> rows;
    for (const SequenceBatch& seq : seqs) {
        const auto n = static_cast<int64_t>(seq.tokens.size());
        if (n == 0) continue;
        if (!seq.logits) throw Error("GPU forward: a sequence without a logits buffer");
        if (seq.pos < 0 || seq.pos + n > n_ctx_)
            throw Error("context full: positions " + std::to_string(seq.pos) + ".." +
                        std::to_string(seq.pos + n - 1) + " exceed the GPU context of " +
                        std::to_string(n_ctx_));
        for (const int32_t id : seq.tokens)
            if (id < 0 || id >= c.n_vocab)
                throw Error("token id " + std::to_string(id) + " out of range [0, " +
                            std::to_string(c.n_vocab) + ")");
    }
    for (const SequenceBatch& seq : seqs) {
        const auto n = static_cast<int64_t>(seq.tokens.size());
        if (n == 0) continue;
        const int32_t slot = slot_of(seq.cache);
        for (int64_t t = 0; t < n; ++t) {
            float* logits = nullptr;
            if (seq.all_logits) logits = seq.logits + t * c.n_vocab;
            if (!seq.all_logits && t + 1 == n) logits = seq.logits;
            rows.push_back({seq.tokens[t], slot, static_cast<int32_t>(seq.pos + t), logits});
        }
    }
    for (size_t r0 = 0; r0 < rows.size(); r0 += static_cast<size_t>(chunk_))
        run_chunk(std::span<const Row>(rows).subspan(
            r0, std::min(rows.size() - r0, static_cast<size_t>(chunk_))));
}

// The rows of one chunk through every layer, then the logits of those that want them.
void CudaModel::run_chunk(std::span<const Row> rows) {
    const ModelConfig& c = model_.config();
    const auto m = static_cast<int64_t>(rows.size());
    // The tokens' embedding rows, read on the host as the CPU path reads them.
    for (int64_t t = 0; t < m; ++t) {
        model_.embed(rows[t].token, embeddings_.data() + t * c.n_embd);
        rows_host_[t] = rows[t].pos;
        rows_host_[m + t] = rows[t].slot;
    }
    x_.upload(embeddings_.data(), static_cast<size_t>(m * c.n_embd) * sizeof(float));
    rows_.upload(rows_host_.data(), static_cast<size_t>(2 * m) * sizeof(int32_t));
    for (int64_t l = 0; l < c.n_layer; ++l) layer_step(l, m);
    logits_of(rows);
}

// Logits of the rows that want them, kLogitRows at a time: their x rows gathered, normed, through
// the output matrix, copied back.
void CudaModel::logits_of(std::span<const Row> rows) {
    const ModelConfig& c = model_.config();
    const auto n_vocab = static_cast<size_t>(c.n_vocab);
    std::vector<int64_t> wanted;
    for (size_t t = 0; t < rows.size(); ++t)
        if (rows[t].logits) wanted.push_back(static_cast<int64_t>(t));
    for (size_t g0 = 0; g0 < wanted.size(); g0 += kLogitRows) {
        const auto g = static_cast<int64_t>(std::min<size_t>(kLogitRows, wanted.size() - g0));
        for (int64_t i = 0; i < g; ++i)
            launch::copy(f(xn_) + i * c.n_embd, f(x_) + wanted[g0 + i] * c.n_embd,
                         static_cast<size_t>(c.n_embd) * sizeof(float));
        launch::rmsnorm(f(xn_), output_norm_, g, c.n_embd, c.rms_eps, f(xn_));
        matmul(output_, f(xn_), g, f(logits_));
        launch::synchronize("running the forward pass");
        for (int64_t i = 0; i < g; ++i)
            logits_.download(rows[wanted[g0 + i]].logits, n_vocab * sizeof(float),
                             static_cast<size_t>(i) * n_vocab * sizeof(float));
    }
}

// One attention layer and its feed-forward for the chunk's m rows (model.cpp's order).
void CudaModel::layer_step(int64_t l, int64_t m) {
    const ModelConfig& c = model_.config();
    const LayerConfig& lc = c.layers[l];
    Layer& L = layers_[l];
    const int64_t d = c.n_embd, hd = c.head_dim;
    const auto* positions = static_cast<const int32_t*>(rows_.data());
    const int32_t* slots = positions + m;

    launch::rmsnorm(f(x_), L.attn_norm, m, d, c.rms_eps, f(xn_));
    matmul(L.wq, f(xn_), m, f(q_));
    matmul(L.wk, f(xn_), m, f(k_));
    matmul(L.wv, f(xn_), m, f(v_));
    if (L.bq) launch::add(f(q_), L.bq, m * c.q_dim(), c.q_dim());
    if (L.bk) launch::add(f(k_), L.bk, m * c.kv_dim(), c.kv_dim());
    if (L.bv) launch::add(f(v_), L.bv, m * c.v_dim(), c.v_dim());
    if (c.qk_norm) {
        launch::rmsnorm(f(q_), L.q_norm, m * c.n_head, hd, c.rms_eps, f(q_));
        launch::rmsnorm(f(k_), L.k_norm, m * c.n_head_kv, hd, c.rms_eps, f(k_));
    }
    const float theta_scale = launch::rope_theta_scale(lc.rope_base, c.n_rot);
    const bool neox = c.rope_kind == RopeKind::NeoX;
    launch::rope(f(q_), m, c.n_head, hd, c.n_rot, positions, theta_scale, lc.rope_freq_scale, neox,
                 rope_freqs_);
    launch::rope(f(k_), m, c.n_head_kv, hd, c.n_rot, positions, theta_scale, lc.rope_freq_scale,
                 neox, rope_freqs_);
    launch::store_kv(f(k_), f(v_), h(L.k_cache), h(L.v_cache), m, positions, slots, n_ctx_,
                     c.kv_dim(), c.v_dim());
    launch::attention(f(q_), h(L.k_cache), h(L.v_cache), m, positions, slots, n_ctx_,
                      lc.sliding ? c.sliding_window : 0, c.n_head, c.n_head / c.n_head_kv, hd,
                      c.head_dim_v, c.kv_dim(), c.v_dim(), c.attn_scale, f(scores_), f(attn_));
    matmul(L.wo, f(attn_), m, f(y_));
    if (L.attn_post_norm) launch::rmsnorm(f(y_), L.attn_post_norm, m, d, c.rms_eps, f(y_));
    launch::add(f(x_), f(y_), m * d, m * d);

    launch::rmsnorm(f(x_), L.ffn_norm, m, d, c.rms_eps, f(xn_));
    matmul(L.w_gate, f(xn_), m, f(gate_));
    matmul(L.w_up, f(xn_), m, f(up_));
    launch::glu(c.ffn_activation == FfnActivation::GeluTanh, f(gate_), f(up_), m * c.n_ff);
    matmul(L.w_down, f(gate_), m, f(y_));
    if (L.ffn_post_norm) launch::rmsnorm(f(y_), L.ffn_post_norm, m, d, c.rms_eps, f(y_));
    launch::add(f(x_), f(y_), m * d, m * d);
}

}  // namespace flash::cuda
