// CudaModel (cuda_model.h): the forward pass of model/model.cpp for the rows of one or several
// sequences, a chunk of rows at a time, queued on the GPU through cuda/launch.h with one wait per
// chunk that returns logits (when they come back).
#include "cuda/cuda_model.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
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

// $FLASH_CUDA_GRAPHS=0 launches every kernel one by one (for measuring what graphs save).
bool graphs_disabled_by_environment() {
    const char* v = std::getenv("FLASH_CUDA_GRAPHS");
    return v && std::strcmp(v, "0") == 0;
}

}  // namespace

CudaModel::CudaModel(const Model& model, int64_t n_ctx, CudaOptions options)
    : model_(model),
      n_ctx_(n_ctx),
      slots_(options.slots),
      first_layer_(cuda::first_gpu_layer(model.config().n_layer, options.gpu_layers)),
      use_graphs_(options.graphs && !graphs_disabled_by_environment()),
      matmul_kernel_(options.matmul),
      attention_part_(options.attention_part) {
    const ModelConfig& c = model.config();
    const ModelWeights& W = model.weights();
    if (const std::string why = forward_unsupported(c); !why.empty())
        throw Error("the GPU cannot run this model: " + why + "; run it on the CPU");
    if (n_ctx <= 0 || n_ctx > c.n_ctx_train)
        throw Error("GPU context of " + std::to_string(n_ctx) + " tokens: must be 1.." +
                    std::to_string(c.n_ctx_train));
    if (slots_ <= 0)
        throw Error("GPU sequence slots: " + std::to_string(slots_) + ", must be >= 1");
    for (const WeightRef& w : uploaded_weights(W, first_layer_))
        if (w.rows > 1 && !matvec_supports(w.type))
            throw Error("the GPU cannot run this model: no GPU kernel for " +
                        std::string(dtype_name(w.type)) + " weights");
    if (attention_part_ <= 0)
        throw Error("GPU attention part of " + std::to_string(attention_part_) +
                    " positions: must be >= 1");
    const DeviceMemory plan =
        forward_device_memory(c, W, n_ctx, slots_, first_layer_, attention_part_);
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
    if (first_layer_ > 0) {
        cpu_pool_ =
            std::make_unique<ThreadPool>(ThreadPool::threads_or_default(options.cpu_threads));
        cpu_ws_ = std::make_unique<Workspace>();
    }
    for (int64_t l = first_layer_; l < c.n_layer; ++l) {
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
        if (c.layers[l].kind == LayerKind::Recurrent) {
            const DeltaNetWeights& dn = *src.deltanet;
            const DeltaNetConfig& dc = *c.deltanet;
            L.recurrent = true;
            L.dn_qkv = on_device(dn.qkv);
            L.dn_gate = on_device(dn.gate);
            L.dn_alpha = on_device(dn.alpha);
            L.dn_beta = on_device(dn.beta);
            L.dn_out = on_device(dn.out);
            L.dn_conv = device_vector(dn.conv1d);
            L.dn_a = device_vector(dn.a);
            L.dn_dt_bias = device_vector(dn.dt_bias);
            L.dn_norm = device_vector(dn.norm);
            L.conv_states = floats(slots_ * dc.conv_state_floats());
            L.ssm_states = floats(slots_ * dc.ssm_state_floats());
            device_bytes_ += L.conv_states.bytes() + L.ssm_states.bytes();
            continue;
        }
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
    attn_partial_ =
        floats(chunk_ * c.n_head * attention_parts(n_ctx, attention_part_) * (c.head_dim_v + 2));
    logits_ = floats(kLogitRows * c.n_vocab);
    rows_ = DeviceBuffer(static_cast<size_t>(2 * chunk_) * sizeof(int32_t));
    if (c.gated_attention) {
        qg_ = floats(chunk_ * 2 * c.q_dim());
        attn_gate_ = floats(chunk_ * c.q_dim());
    }
    if (c.deltanet) {
        const DeltaNetConfig& dc = *c.deltanet;
        dn_x_ = floats(chunk_ * dc.conv_channels());
        dn_z_ = floats(chunk_ * dc.value_dim());
        dn_decay_ = floats(chunk_ * dc.n_v_heads);
        dn_beta_ = floats(chunk_ * dc.n_v_heads);
        dn_core_ = floats(chunk_ * dc.value_dim());
        slot_next_.assign(static_cast<size_t>(slots_), 0);
    }
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
    // The CPU's layers of a partial offload keep their keys, values and states in a cache.
    if (first_layer_ > 0 && !own_cache_)
        own_cache_ = std::make_unique<KvCache>(model_.config(), n_ctx_, n_ctx_);
    const SequenceBatch seq{tokens, pos, own_cache_.get(), logits, all_logits};
    forward_batch(std::span<const SequenceBatch>(&seq, 1));
}

// Where a sequence's recurrent state stands: the position after its last pass (0 for a cache
// without a slot yet). It may go on from there or restart at 0; nothing else.
int64_t CudaModel::next_position(const KvCache* cache) const {
    const int32_t slot = find_slot(cache);
    return slot < 0 ? 0 : slot_next_[static_cast<size_t>(slot)];
}

// Zeroes the slot's recurrent states when its sequence restarts; records where it will stand.
void CudaModel::continue_or_restart(int32_t slot, int64_t pos, int64_t n) {
    if (pos == 0) {
        for (Layer& L : layers_) {
            if (!L.recurrent) continue;
            for (DeviceBuffer* b : {&L.conv_states, &L.ssm_states}) {
                const size_t per_slot = b->bytes() / static_cast<size_t>(slots_);
                launch::zero(static_cast<char*>(b->data()) + slot * per_slot, per_slot);
            }
        }
    }
    slot_next_[static_cast<size_t>(slot)] = pos + n;
}

int32_t CudaModel::find_slot(const KvCache* cache) const {
    const auto it = std::find(slot_owner_.begin(), slot_owner_.end(), cache);
    return it == slot_owner_.end() ? -1 : static_cast<int32_t>(it - slot_owner_.begin());
}

int32_t CudaModel::slot_of(const KvCache* cache) {
    if (const int32_t slot = find_slot(cache); slot >= 0) return slot;
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
        if (first_layer_ > 0 && !seq.cache)
            throw Error(
                "GPU forward: the CPU layers of a partial offload need each sequence's KvCache");
        if (c.deltanet && seq.pos != 0 && seq.pos != next_position(seq.cache))
            throw Error("GPU forward: " + c.arch + "'s recurrent state stands at position " +
                        std::to_string(next_position(seq.cache)) +
                        "; a sequence goes on from there or restarts at 0, not at " +
                        std::to_string(seq.pos));
    }
    for (const SequenceBatch& seq : seqs) {
        const auto n = static_cast<int64_t>(seq.tokens.size());
        if (n == 0) continue;
        const int32_t slot = slot_of(seq.cache);
        if (c.deltanet) continue_or_restart(slot, seq.pos, n);
        for (int64_t t = 0; t < n; ++t) {
            float* logits = nullptr;
            if (seq.all_logits) logits = seq.logits + t * c.n_vocab;
            if (!seq.all_logits && t + 1 == n) logits = seq.logits;
            rows.push_back({seq.tokens[t], slot, static_cast<int32_t>(seq.pos + t), logits});
        }
    }
    // Partial offload: the CPU's layers for every row first (their caches are the sequences'
    // KvCaches), then the GPU's from the hidden states they leave.
    if (first_layer_ > 0) {
        hidden_.resize(rows.size() * static_cast<size_t>(c.n_embd));
        model_.forward_hidden(seqs, first_layer_, *cpu_ws_, *cpu_pool_, kernels::Precision::Exact,
                              hidden_.data());
    }
    for (size_t r0 = 0; r0 < rows.size(); r0 += static_cast<size_t>(chunk_))
        run_chunk(std::span<const Row>(rows).subspan(
                      r0, std::min(rows.size() - r0, static_cast<size_t>(chunk_))),
                  first_layer_ > 0 ? hidden_.data() + r0 * c.n_embd : nullptr);
}

// The rows of one chunk through every layer, then the logits of those that want them.
// hidden: the rows' states after the CPU's layers (partial offload), or null to start from the
// tokens' embedding rows, read on the host as the CPU path reads them.
void CudaModel::run_chunk(std::span<const Row> rows, const float* hidden) {
    const ModelConfig& c = model_.config();
    const auto m = static_cast<int64_t>(rows.size());
    for (int64_t t = 0; t < m; ++t) {
        if (!hidden) model_.embed(rows[t].token, embeddings_.data() + t * c.n_embd);
        rows_host_[t] = rows[t].pos;
        rows_host_[m + t] = rows[t].slot;
    }
    x_.upload(hidden ? hidden : embeddings_.data(),
              static_cast<size_t>(m * c.n_embd) * sizeof(float));
    rows_.upload(rows_host_.data(), static_cast<size_t>(2 * m) * sizeof(int32_t));
    if (use_graphs_ && m <= kGraphRows)
        replay_layers(m);
    else
        queue_layers(m);
    logits_of(rows);
}

void CudaModel::matmul(const WeightRef& w, const float* x, int64_t n, float* y) const {
    launch::matmul(w.type, w.data, w.rows, w.cols, x, n, y, matmul_kernel_);
}

void CudaModel::queue_layers(int64_t m) {
    for (int64_t l = first_layer_; l < model_.config().n_layer; ++l) layer_step(l, m);
}

// The layers' launches depend only on the row count, their inputs being in x_ and rows_ already,
// so they are recorded once per count and replayed. The first pass of a count is launched as
// usual: every kernel it needs is then loaded (CUDA loads modules lazily, which a capture may
// not do), and a count seen once is not recorded. A recording that fails turns graphs off for
// this model (graphs_off_reason says why) and the pass is launched kernel by kernel.
void CudaModel::replay_layers(int64_t m) {
    if (seen_rows_.insert(m).second) return queue_layers(m);
    auto it = graphs_.find(m);
    if (it == graphs_.end()) {
        try {
            it = graphs_.emplace(m, record_layers(m)).first;
        } catch (const Error& e) {
            use_graphs_ = false;
            graphs_off_reason_ = e.what();
            return queue_layers(m);
        }
    }
    launch::replay(*it->second);
}

launch::GraphPtr CudaModel::record_layers(int64_t m) {
    launch::begin_capture();
    try {
        queue_layers(m);
    } catch (...) {
        launch::end_capture();
        throw;
    }
    return launch::end_capture();
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

// One layer for the chunk's m rows (model.cpp's order): the mixer (attention, or Gated DeltaNet
// for a recurrent layer) with its residual, then the feed-forward with its residual.
void CudaModel::layer_step(int64_t l, int64_t m) {
    const ModelConfig& c = model_.config();
    Layer& L = layers_[l];
    const int64_t d = c.n_embd;
    launch::rmsnorm(f(x_), L.attn_norm, m, d, c.rms_eps, f(xn_));
    if (L.recurrent) {
        deltanet_step(l, m);
    } else {
        attention_step(l, m);
    }
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

// Attention of the chunk's m rows (from xn_ into y_), gated for qwen35.
void CudaModel::attention_step(int64_t l, int64_t m) {
    const ModelConfig& c = model_.config();
    const LayerConfig& lc = c.layers[l];
    Layer& L = layers_[l];
    const int64_t hd = c.head_dim;
    const auto* positions = static_cast<const int32_t*>(rows_.data());
    const int32_t* slots = positions + m;

    if (c.gated_attention) {
        matmul(L.wq, f(xn_), m, f(qg_));
        launch::split_query_gate(f(qg_), m, c.n_head, hd, f(q_), f(attn_gate_));
    } else {
        matmul(L.wq, f(xn_), m, f(q_));
    }
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
                      c.head_dim_v, c.kv_dim(), c.v_dim(), c.attn_scale, attention_part_,
                      f(scores_), f(attn_partial_), f(attn_));
    if (c.gated_attention)
        launch::output_gate(f(attn_), f(attn_gate_), m * c.n_head * c.head_dim_v);
    matmul(L.wo, f(attn_), m, f(y_));
}

// Gated DeltaNet for the chunk's m rows (model/deltanet.cpp's steps, from xn_ into y_).
void CudaModel::deltanet_step(int64_t l, int64_t m) {
    const DeltaNetConfig& dc = *model_.config().deltanet;
    Layer& L = layers_[l];
    const auto* slots = static_cast<const int32_t*>(rows_.data()) + m;
    matmul(L.dn_qkv, f(xn_), m, f(dn_x_));
    matmul(L.dn_gate, f(xn_), m, f(dn_z_));
    matmul(L.dn_alpha, f(xn_), m, f(dn_decay_));
    matmul(L.dn_beta, f(xn_), m, f(dn_beta_));
    launch::deltanet_gates(f(dn_decay_), f(dn_beta_), L.dn_a, L.dn_dt_bias, m, dc.n_v_heads);
    launch::conv_silu_norm(f(dn_x_), m, dc.conv_channels(), L.dn_conv, dc.conv_kernel,
                           f(L.conv_states), slots, 2 * dc.n_k_heads, dc.head_k_dim, dc.eps);
    const float scale = 1.0f / std::sqrt(static_cast<float>(dc.head_k_dim));
    launch::delta_rule(f(dn_x_), f(dn_decay_), f(dn_beta_), m, dc.n_k_heads, dc.n_v_heads,
                       dc.head_k_dim, dc.head_v_dim, scale, f(L.ssm_states), slots, f(dn_core_));
    launch::rmsnorm_gated(f(dn_core_), L.dn_norm, f(dn_z_), m * dc.n_v_heads, dc.head_v_dim,
                          dc.eps);
    matmul(L.dn_out, f(dn_core_), m, f(y_));
}

}  // namespace flash::cuda
