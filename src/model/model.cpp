#include "model/model.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "core/error.h"
#include "kernels/kernels.h"
#include "model/gated_attention.h"

namespace flash {
namespace {

// The observer of the forward pass running on this thread (set for its duration).
thread_local const Model::MatmulObserver* t_observer = nullptr;

// out[t] += bias for the n rows of a product with w (no bias: nothing).
void add_bias(float* out, int64_t n, const WeightRef& w, const WeightRef& bias) {
    if (!bias.present()) return;
    for (int64_t t = 0; t < n; ++t)
        for (int64_t r = 0; r < w.rows; ++r) out[t * w.rows + r] += bias.f32()[r];
}

// out[t] = W · in[t] (+ bias) for a batch of n rows.
void matmul(const WeightRef& w, const float* in, int64_t n, float* out, ThreadPool& pool,
            kernels::Precision p, const WeightRef& bias = {}) {
    if (t_observer) (*t_observer)(w.data, in, n, w.cols);
    kernels::matmul(w.type, w.data, w.panels, w.rows, w.cols, in, n, out, pool, p);
    add_bias(out, n, w, bias);
}

// One of several products that meet the same input: out = W · in (+ bias).
struct Product {
    const WeightRef& w;
    float* out;
    const WeightRef& bias;
};

// The products, each as matmul does it. One row (decode): one pass over the pool for all of
// them (kernels::matvec_group, the same floats as a matmul each); more rows: a matmul each.
void matmul_each(std::initializer_list<Product> products, const float* in, int64_t n,
                 ThreadPool& pool, kernels::Precision p) {
    if (n != 1) {
        for (const Product& m : products) matmul(m.w, in, n, m.out, pool, p, m.bias);
        return;
    }
    std::vector<kernels::MatvecJob> jobs;
    for (const Product& m : products) {
        if (t_observer) (*t_observer)(m.w.data, in, 1, m.w.cols);
        jobs.push_back({m.w.type, m.w.data, m.w.rows, m.out});
    }
    kernels::matvec_group(jobs, in, products.begin()->w.cols, pool, p);
    for (const Product& m : products) add_bias(m.out, 1, m.w, m.bias);
}

// fn(t0, t1) over rows [0, n), split across the pool when the rows hold enough work (`cost`
// each, roughly in floats touched) to pay for waking it; a prompt's row-wise steps would
// otherwise leave all but one core waiting. Each row is computed the same way either way.
void for_rows(ThreadPool& pool, int64_t n, int64_t cost,
              const std::function<void(int64_t, int64_t)>& fn) {
    constexpr int64_t kParallelCost = 1 << 15;
    if (pool.size() > 1 && n > 1 && n * cost >= kParallelCost) {
        pool.parallel_for(n, fn);
    } else {
        fn(0, n);
    }
}

// out row t = RMSNorm(x row t) * w for the n rows of length d (out may be x).
void rmsnorm_rows(float* out, const float* x, int64_t n, int64_t d, const WeightRef& w, float eps,
                  ThreadPool& pool) {
    for_rows(pool, n, d, [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; ++t) kernels::rmsnorm(out + t * d, x + t * d, w.f32(), d, eps);
    });
}

// x += y over n rows of length d.
void add_rows(float* x, const float* y, int64_t n, int64_t d, ThreadPool& pool) {
    for_rows(pool, n, d, [&](int64_t t0, int64_t t1) {
        for (int64_t i = t0 * d; i < t1 * d; ++i) x[i] += y[i];
    });
}

}  // namespace

Model::Model(const std::string& path)
    : gguf_(path),
      config_(ModelConfig::from_gguf(gguf_)),
      weights_(ModelWeights::bind(gguf_, config_)) {}

std::unique_ptr<Model> Model::load(const std::string& path) {
    return std::unique_ptr<Model>(new Model(path));
}

size_t Model::repack_for_fast(ThreadPool& pool) {
    std::vector<WeightRef*> matrices{&weights_.output};
    for (LayerWeights& L : weights_.layers) {
        for (WeightRef* w : {&L.wq, &L.wk, &L.wv, &L.wo, &L.w_gate, &L.w_up, &L.w_down})
            matrices.push_back(w);
        if (L.deltanet) {
            for (WeightRef* w : {&L.deltanet->qkv, &L.deltanet->gate, &L.deltanet->alpha,
                                 &L.deltanet->beta, &L.deltanet->out})
                matrices.push_back(w);
        }
    }
    size_t added = 0;
    for (WeightRef* w : matrices) {
        if (!w->present() || w->panels || !kernels::repacks(w->type)) continue;
        panels_.push_back(kernels::repack_int8(w->type, w->data, w->rows, w->cols, pool));
        w->panels = &panels_.back();
        added += panels_.back().bytes.size();
    }
    return added;
}

void Model::forward(std::span<const int32_t> tokens, int64_t pos, KvCache& cache, Workspace& ws,
                    ThreadPool& pool, float* logits, bool all_logits,
                    kernels::Precision precision) const {
    const SequenceBatch seq{tokens, pos, &cache, logits, all_logits};
    forward_batch(std::span<const SequenceBatch>(&seq, 1), ws, pool, precision);
}

void Model::embed(int32_t token, float* x) const {
    const WeightRef& e = weights_.token_embd;
    const int64_t d = config_.n_embd;
    kernels::dequantize_row(
        e.type, static_cast<const uint8_t*>(e.data) + token * row_bytes(e.type, d), x, d);
    if (config_.embed_scale != 1.0f)
        for (int64_t i = 0; i < d; ++i) x[i] *= config_.embed_scale;
}

void Model::check(const SequenceBatch& seq) const {
    const int64_t n = static_cast<int64_t>(seq.tokens.size());
    if (!seq.cache || !seq.logits)
        throw Error("forward: a sequence without a cache or logits buffer");
    if (seq.pos < 0 || seq.pos + n > seq.cache->n_ctx())
        throw Error("context full: positions " + std::to_string(seq.pos) + ".." +
                    std::to_string(seq.pos + n - 1) + " exceed the context size " +
                    std::to_string(seq.cache->n_ctx()));
    if (n > seq.cache->max_batch())
        throw Error("batch of " + std::to_string(n) + " tokens exceeds the cache's batch size " +
                    std::to_string(seq.cache->max_batch()));
    for (const int32_t id : seq.tokens)
        if (id < 0 || id >= config_.n_vocab)
            throw Error("token id " + std::to_string(id) + " out of range [0, " +
                        std::to_string(config_.n_vocab) + ")");
}

void Model::forward_batch(std::span<const SequenceBatch> seqs, Workspace& ws, ThreadPool& pool,
                          kernels::Precision precision) const {
    run(seqs, config_.n_layer, ws, pool, precision, nullptr);
}

void Model::forward_hidden(std::span<const SequenceBatch> seqs, int64_t layers, Workspace& ws,
                           ThreadPool& pool, kernels::Precision precision, float* hidden) const {
    if (layers < 0 || layers > config_.n_layer)
        throw Error("forward_hidden: " + std::to_string(layers) + " layers of " +
                    std::to_string(config_.n_layer));
    run(seqs, layers, ws, pool, precision, hidden);
}

void Model::run(std::span<const SequenceBatch> seqs, int64_t layers, Workspace& ws,
                ThreadPool& pool, kernels::Precision precision, float* hidden) const {
    const ModelConfig& c = config_;
    const ModelWeights& W = weights_;
    const int64_t d = c.n_embd;
    struct ObserverScope {
        explicit ObserverScope(const MatmulObserver& o) { t_observer = o ? &o : nullptr; }
        ~ObserverScope() { t_observer = nullptr; }
    } scope(observer_);

    RowPlan plan;
    int64_t n = 0, logit_rows = 0;
    for (size_t s = 0; s < seqs.size(); ++s) {
        check(seqs[s]);
        const int64_t len = static_cast<int64_t>(seqs[s].tokens.size());
        plan.first_row.push_back(n);
        for (int64_t t = 0; t < len; ++t) {
            plan.seq_of_row.push_back(static_cast<int64_t>(s));
            plan.pos_of_row.push_back(seqs[s].pos + t);
        }
        n += len;
        if (len > 0) logit_rows += seqs[s].all_logits ? len : 1;
    }
    if (n == 0) return;
    ws.reserve(c, n, pool.size());

    // x = embedding rows of the tokens
    for (int64_t row = 0; row < n; ++row) {
        const SequenceBatch& seq = seqs[plan.seq_of_row[row]];
        embed(seq.tokens[row - plan.first_row[plan.seq_of_row[row]]], ws.x.data() + row * d);
    }

    for (int64_t l = 0; l < layers; ++l) {
        const LayerWeights& L = W.layers[l];

        // Mixer: x += post_norm(attention(norm(x))) or x += deltanet(norm(x))
        rmsnorm_rows(ws.xn.data(), ws.x.data(), n, d, L.attn_norm, c.rms_eps, pool);
        if (c.layers[l].kind == LayerKind::Recurrent) {
            // The recurrent state runs through each sequence's tokens in order.
            for (size_t s = 0; s < seqs.size(); ++s) {
                const int64_t row = plan.first_row[s],
                              len = static_cast<int64_t>(seqs[s].tokens.size());
                if (len == 0) continue;
                gated_deltanet_forward(*c.deltanet, *L.deltanet, ws.xn.data() + row * d, len,
                                       seqs[s].cache->recurrent(l), ws.y.data() + row * d, pool,
                                       precision);
            }
        } else {
            attention(l, seqs, plan, ws, pool, precision);
        }
        if (L.attn_post_norm.present())
            rmsnorm_rows(ws.y.data(), ws.y.data(), n, d, L.attn_post_norm, c.rms_eps, pool);
        add_rows(ws.x.data(), ws.y.data(), n, d, pool);

        // Feed-forward: x += post_norm(W_down · (act(W_gate · norm(x)) * (W_up · norm(x))))
        rmsnorm_rows(ws.xn.data(), ws.x.data(), n, d, L.ffn_norm, c.rms_eps, pool);
        const WeightRef none;
        matmul_each({{L.w_gate, ws.ffn_gate.data(), none}, {L.w_up, ws.ffn_up.data(), none}},
                    ws.xn.data(), n, pool, precision);
        const int64_t ff = c.n_ff;
        const bool gelu = c.ffn_activation == FfnActivation::GeluTanh;
        for_rows(pool, n, 8 * ff, [&](int64_t t0, int64_t t1) {  // an exp or tanh per element
            float* gate = ws.ffn_gate.data() + t0 * ff;
            const float* up = ws.ffn_up.data() + t0 * ff;
            if (gelu) {
                kernels::geglu(gate, up, (t1 - t0) * ff);
            } else {
                kernels::swiglu(gate, up, (t1 - t0) * ff);
            }
        });
        matmul(L.w_down, ws.ffn_gate.data(), n, ws.y.data(), pool, precision);
        if (L.ffn_post_norm.present())
            rmsnorm_rows(ws.y.data(), ws.y.data(), n, d, L.ffn_post_norm, c.rms_eps, pool);
        add_rows(ws.x.data(), ws.y.data(), n, d, pool);
    }

    if (hidden) {
        std::copy_n(ws.x.data(), static_cast<size_t>(n * d), hidden);
        return;
    }

    // logits = W_out · norm(x), for every token of a sequence or its last one. One sequence
    // writes straight into its buffer; a batch goes through ws.logits and is handed out.
    int64_t out_row = 0;
    for (size_t s = 0; s < seqs.size(); ++s) {
        const int64_t len = static_cast<int64_t>(seqs[s].tokens.size());
        if (len == 0) continue;
        const int64_t first = plan.first_row[s] + (seqs[s].all_logits ? 0 : len - 1);
        for (int64_t row = first; row < plan.first_row[s] + len; ++row, ++out_row)
            kernels::rmsnorm(ws.xn.data() + out_row * d, ws.x.data() + row * d, W.output_norm.f32(),
                             d, c.rms_eps);
    }
    if (seqs.size() == 1) {
        matmul(W.output, ws.xn.data(), logit_rows, seqs[0].logits, pool, precision);
        return;
    }
    const size_t n_vocab = static_cast<size_t>(c.n_vocab);
    if (ws.logits.size() < logit_rows * n_vocab) ws.logits.resize(logit_rows * n_vocab);
    matmul(W.output, ws.xn.data(), logit_rows, ws.logits.data(), pool, precision);
    const float* from = ws.logits.data();
    for (const SequenceBatch& seq : seqs) {
        if (seq.tokens.empty()) continue;
        const size_t rows = seq.all_logits ? seq.tokens.size() : 1;
        std::copy_n(from, rows * n_vocab, seq.logits);
        from += rows * n_vocab;
    }
}

// Attention layer: ws.xn (normed input) → ws.y (output projection, before the residual).
// For each row (a token of sequence s at absolute position p) and query head h:
//   out = sum_j softmax_j(scale * q·k_j) v_j over s's cached positions j <= p (j > p - window
//   for sliding layers), query heads sharing key/value heads in groups (GQA).
void Model::attention(int64_t l, std::span<const SequenceBatch> seqs, const RowPlan& plan,
                      Workspace& ws, ThreadPool& pool, kernels::Precision precision) const {
    const ModelConfig& c = config_;
    const LayerConfig& lc = c.layers[l];
    const LayerWeights& L = weights_.layers[l];
    const int64_t hd = c.head_dim, hdv = c.head_dim_v;
    const int64_t n = static_cast<int64_t>(plan.seq_of_row.size());

    // Projections (Qwen3.5: the query projection carries a gate per head).
    float* q = c.gated_attention ? ws.q_gate.data() : ws.q.data();
    matmul_each({{L.wq, q, L.bq}, {L.wk, ws.k.data(), L.bk}, {L.wv, ws.v.data(), L.bv}},
                ws.xn.data(), n, pool, precision);
    if (c.gated_attention)
        split_query_gate(ws.q_gate.data(), n, c.n_head, hd, ws.q.data(), ws.gate.data());
    if (c.qk_norm) {
        rmsnorm_rows(ws.q.data(), ws.q.data(), n * c.n_head, hd, L.q_norm, c.rms_eps, pool);
        rmsnorm_rows(ws.k.data(), ws.k.data(), n * c.n_head_kv, hd, L.k_norm, c.rms_eps, pool);
    }

    // Rotate q and k in place (the heads of a row share its angles), then append k and v to
    // each sequence's cache.
    const auto style =
        c.rope_kind == RopeKind::NeoX ? kernels::RopeStyle::NeoX : kernels::RopeStyle::Normal;
    const float* freq_factors = weights_.rope_freqs.present() ? weights_.rope_freqs.f32() : nullptr;
    const int64_t heads = c.n_head + c.n_head_kv;
    for_rows(pool, n, heads * hd, [&](int64_t t0, int64_t t1) {
        thread_local std::vector<float> angles;  // each thread's own, reused (decode runs here)
        angles.resize(static_cast<size_t>(c.n_rot));
        for (int64_t t = t0; t < t1; ++t) {
            const int64_t p = plan.pos_of_row[t];
            float* q = ws.q.data() + t * c.q_dim();
            float* k = ws.k.data() + t * c.kv_dim();
            auto each_head = [&](auto&& rotate) {
                for (int64_t h = 0; h < c.n_head; ++h) rotate(q + h * hd);
                for (int64_t h = 0; h < c.n_head_kv; ++h) rotate(k + h * hd);
            };
            if (c.rope_sections_used) {
                each_head([&](float* head) {
                    rope_imrope_text(head, hd, c.n_rot, p, lc.rope_base, lc.rope_freq_scale,
                                     c.rope_sections);
                });
            } else {
                kernels::rope_angles(angles.data(), c.n_rot, p, lc.rope_base, lc.rope_freq_scale,
                                     freq_factors);
                each_head([&](float* head) {
                    kernels::rope_rotate(head, c.n_rot, style, angles.data());
                });
            }
            KvCache& cache = *seqs[plan.seq_of_row[t]].cache;
            kernels::store_kv_row(cache.types().k, k, cache.k(l, p), c.kv_dim());
            kernels::store_kv_row(cache.types().v, ws.v.data() + t * c.v_dim(), cache.v(l, p),
                                  c.v_dim());
        }
    });

    // Work items: a kv head and a block of rows. With fewer (kv head, row) pairs than twice the
    // threads (decoding a few sequences) blocks are single rows and each row's positions are
    // split into pieces whose partial softmaxes are merged afterwards (flash-decoding), so
    // every thread has work. Otherwise rows of one sequence at consecutive positions (a
    // prompt) form blocks of up to kAttentionBlockRows: the positions all of a block's rows
    // see are attended by its tokens x group query heads together (attention_add_block, a
    // GEMM), and each row's own remainder (the block's later positions, a sliding window's
    // start) by the row's group, which reads the shared rows head by head.
    const int64_t group = c.n_head / c.n_head_kv;
    const int64_t pairs = n * c.n_head_kv;
    auto window = [&](int64_t t) {
        const int64_t last = plan.pos_of_row[t];
        return std::pair<int64_t, int64_t>{
            lc.sliding ? std::max<int64_t>(0, last - c.sliding_window + 1) : 0, last};
    };
    int64_t splits = 1;
    if (pairs < 2 * pool.size()) {
        int64_t longest = 0;
        for (int64_t t = 0; t < n; ++t)
            longest = std::max(longest, window(t).second - window(t).first + 1);
        constexpr int64_t kMinPiece = 64;  // positions: below this a split costs more than it saves
        splits = std::clamp<int64_t>(longest / kMinPiece, 1, (2 * pool.size() + pairs - 1) / pairs);
    }
    const int64_t block_rows = pairs < 2 * pool.size() ? 1 : kAttentionBlockRows;
    std::vector<int64_t>& blocks = ws.attn_blocks;  // first row of each block, then n
    blocks.clear();
    for (int64_t t = 0; t < n; ++t) {
        const bool joins = t > 0 && t - blocks.back() < block_rows &&
                           plan.seq_of_row[t] == plan.seq_of_row[t - 1] &&
                           plan.pos_of_row[t] == plan.pos_of_row[t - 1] + 1;
        if (!joins) blocks.push_back(t);
    }
    const auto n_blocks = static_cast<int64_t>(blocks.size());
    blocks.push_back(n);
    const size_t part_floats = static_cast<size_t>(pairs * (splits - 1) * group * hdv);
    if (ws.attn_parts.size() < part_floats) ws.attn_parts.resize(part_floats);
    const size_t n_runs = static_cast<size_t>(pairs * splits * group);
    if (ws.attn_runs.size() < n_runs) ws.attn_runs.resize(n_runs);

    pool.run([&](int ith, int nth) {
        float* scratch = ws.scores[ith].data();
        std::vector<const float*> queries;
        for (int64_t item = ith; item < c.n_head_kv * n_blocks * splits; item += nth) {
            // kv-head-major: consecutive items read the same head's keys and values, which
            // stay in L2 across the batch's tokens.
            const int64_t piece = item % splits, kvh = item / splits / n_blocks;
            const int64_t t0 = blocks[item / splits % n_blocks];
            const int64_t t1 = blocks[item / splits % n_blocks + 1];
            KvCache& cache = *seqs[plan.seq_of_row[t0]].cache;
            // Run (row t, head g of the group) of this piece; a block's runs are consecutive.
            auto run_of = [&](int64_t t) {
                return &ws.attn_runs[static_cast<size_t>(((kvh * n + t) * splits + piece) * group)];
            };
            for (int64_t t = t0; t < t1; ++t) {
                const int64_t pair = kvh * n + t;
                for (int64_t g = 0; g < group; ++g) {
                    const int64_t h = kvh * group + g;
                    float* out = piece == 0
                                     ? ws.attn.data() + t * c.n_head * hdv + h * hdv
                                     : ws.attn_parts.data() +
                                           ((pair * (splits - 1) + piece - 1) * group + g) * hdv;
                    kernels::attention_begin(run_of(t)[g], out, hd, hdv);
                }
            }
            const float* q = ws.q.data() + kvh * group * hd;  // + t * q_dim: row t's group
            // Positions from..to-1 in runs of consecutive slots (a sliding ring wraps once).
            const int64_t capacity = cache.capacity(l);
            auto each_run = [&](int64_t from, int64_t to, auto&& attend) {
                for (int64_t j = from; j < to;) {
                    const int64_t len = std::min(to - j, capacity - j % capacity);
                    attend(kernels::AttentionRows{cache.k(l, j) + kvh * cache.k_head_bytes(),
                                                  cache.v(l, j) + kvh * cache.v_head_bytes(),
                                                  cache.k_row_bytes(), cache.v_row_bytes(), len,
                                                  cache.types().k, cache.types().v});
                    j += len;
                }
            };
            auto attend_row = [&](int64_t t, int64_t from, int64_t to) {
                each_run(from, to, [&](const kernels::AttentionRows& rows) {
                    kernels::attention_add_group(run_of(t), group, rows, q + t * c.q_dim(), hd,
                                                 c.attn_scale, scratch);
                });
            };
            if (t1 - t0 == 1) {
                const auto [first, last] = window(t0);
                const int64_t span = last - first + 1;
                attend_row(t0, first + span * piece / splits, first + span * (piece + 1) / splits);
            } else {
                // Positions every row sees: from the last row's window start to the first
                // row's position.
                const int64_t shared_from = window(t1 - 1).first, shared_to = window(t0).second + 1;
                if (shared_from < shared_to) {
                    queries.clear();
                    for (int64_t t = t0; t < t1; ++t)
                        for (int64_t g = 0; g < group; ++g)
                            queries.push_back(q + t * c.q_dim() + g * hd);
                    each_run(shared_from, shared_to, [&](const kernels::AttentionRows& rows) {
                        kernels::attention_add_block(run_of(t0), queries.data(), (t1 - t0) * group,
                                                     rows, c.attn_scale, scratch);
                    });
                }
                for (int64_t t = t0; t < t1; ++t) {
                    const auto [first, last] = window(t);
                    if (shared_from >= shared_to) {
                        attend_row(t, first, last + 1);
                        continue;
                    }
                    attend_row(t, first, shared_from);
                    attend_row(t, shared_to, last + 1);
                }
            }
            if (splits == 1)
                for (int64_t t = t0; t < t1; ++t)
                    for (int64_t g = 0; g < group; ++g) kernels::attention_finish(run_of(t)[g]);
        }
    });
    if (splits > 1) {
        for (int64_t pair = 0; pair < pairs; ++pair)
            for (int64_t g = 0; g < group; ++g) {
                kernels::AttentionRun& whole =
                    ws.attn_runs[static_cast<size_t>(pair * splits * group + g)];
                for (int64_t piece = 1; piece < splits; ++piece)
                    kernels::attention_merge(
                        whole,
                        ws.attn_runs[static_cast<size_t>((pair * splits + piece) * group + g)]);
                kernels::attention_finish(whole);
            }
    }
    if (c.gated_attention) apply_output_gate(ws.attn.data(), ws.gate.data(), n * c.n_head * hdv);
    matmul(L.wo, ws.attn.data(), n, ws.y.data(), pool, precision);
}

}  // namespace flash
