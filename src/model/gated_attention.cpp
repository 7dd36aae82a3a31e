#include "model/gated_attention.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "kernels/recurrent.h"

namespace flash {
namespace {

// Whether rotation pair i of a text token takes the token position (sections t, h, w) or
// position 0 (section e).
bool pair_uses_position(int64_t i, const std::array<int64_t, 4>& s) {
    const int64_t total = s[0] + s[1] + s[2] + s[3];
    if (total <= 0) return true;  // no sections: plain NeoX
    const int64_t sector = i % total;
    return (sector % 3 == 0 && sector < 3 * s[0]) || (sector % 3 == 1 && sector < 3 * s[1]) ||
           (sector % 3 == 2 && sector < 3 * s[2]);
}

}  // namespace

void split_query_gate(const float* qg, int64_t n, int64_t n_head, int64_t head_dim, float* q,
                      float* gate) {
    const size_t bytes = static_cast<size_t>(head_dim) * sizeof(float);
    for (int64_t t = 0; t < n; ++t) {
        for (int64_t h = 0; h < n_head; ++h) {
            const float* src = qg + (t * n_head + h) * 2 * head_dim;
            std::memcpy(q + (t * n_head + h) * head_dim, src, bytes);
            std::memcpy(gate + (t * n_head + h) * head_dim, src + head_dim, bytes);
        }
    }
}

void apply_output_gate(float* attn, const float* gate, int64_t count) {
    kernels::sigmoid_mul(attn, gate, count);
}

std::array<int64_t, 4> read_rope_sections(const GgufFile& g, const std::string& arch) {
    const std::string key = arch + ".rope.dimension_sections";
    std::array<int64_t, 4> s{0, 0, 0, 0};
    const auto a = g.get_int_array(key);
    if (!a) return s;
    if (a->size() > 4)
        throw Error(g.path() + ": metadata key '" + key + "' has " + std::to_string(a->size()) +
                    " entries, expected at most 4");
    for (size_t i = 0; i < a->size(); ++i) {
        if ((*a)[i] < 0)
            throw Error(g.path() + ": metadata key '" + key + "' has a negative section");
        s[i] = (*a)[i];
    }
    return s;
}

void rope_imrope_text(float* x, int64_t head_dim, int64_t n_rot, int64_t pos, float base,
                      float freq_scale, const std::array<int64_t, 4>& sections) {
    (void)head_dim;  // dims n_rot..head_dim are left as they are
    const int64_t half = n_rot / 2;
    // theta_i = p * freq_scale * base^(-2i/n_rot), stepped as ggml does (theta *= base^(-2/n_rot)).
    const float theta_scale = std::pow(base, -2.0f / static_cast<float>(n_rot));
    float theta_base = static_cast<float>(pos);
    for (int64_t i = 0; i < half; ++i, theta_base *= theta_scale) {
        const float th = pair_uses_position(i, sections) ? freq_scale * theta_base : 0.0f;
        const float c = std::cos(th), s = std::sin(th);
        const float x0 = x[i], x1 = x[i + half];
        x[i] = x0 * c - x1 * s;
        x[i + half] = x0 * s + x1 * c;
    }
}

bool imrope_text_is_neox(int64_t n_rot, const std::array<int64_t, 4>& sections) {
    for (int64_t i = 0; i < n_rot / 2; ++i)
        if (!pair_uses_position(i, sections)) return false;
    return true;
}

}  // namespace flash
