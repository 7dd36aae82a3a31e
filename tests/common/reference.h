// Readers for the reference files in testdata/models (llama.cpp's logits and greedy ids) and
// the parity measures of testdata/README.md.
#pragma once

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace flash::testing {

struct ReferenceLogits {
    int32_t n_tokens = 0;
    int32_t n_vocab = 0;
    std::vector<float> values;  // n_tokens x n_vocab
    const float* row(int t) const { return values.data() + static_cast<size_t>(t) * n_vocab; }
};

inline ReferenceLogits read_logits(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    ReferenceLogits r;
    in.read(reinterpret_cast<char*>(&r.n_tokens), 4);
    in.read(reinterpret_cast<char*>(&r.n_vocab), 4);
    r.values.resize(static_cast<size_t>(r.n_tokens) * r.n_vocab);
    in.read(reinterpret_cast<char*>(r.values.data()), static_cast<std::streamsize>(r.values.size() * 4));
    if (!in) throw std::runtime_error("truncated " + path);
    return r;
}

inline std::vector<int32_t> read_greedy(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return nlohmann::json::parse(in).at("greedy").get<std::vector<int32_t>>();
}

inline std::vector<int32_t> read_tokens(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<int32_t> ids;
    std::string item;
    while (std::getline(in, item, ',')) ids.push_back(std::stoi(item));
    return ids;
}

// sum((a-b)^2) / sum(b^2)
inline double nmse(const std::vector<float>& a, const std::vector<float>& b) {
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
        const double d = static_cast<double>(a[i]) - b[i];
        num += d * d;
        den += static_cast<double>(b[i]) * b[i];
    }
    return den > 0 ? num / den : num;
}

inline double top1_agreement(const std::vector<float>& a, const std::vector<float>& b, int n_tokens, int n_vocab) {
    int agree = 0;
    for (int t = 0; t < n_tokens; ++t) {
        const float* ra = a.data() + static_cast<size_t>(t) * n_vocab;
        const float* rb = b.data() + static_cast<size_t>(t) * n_vocab;
        int ia = 0, ib = 0;
        for (int v = 1; v < n_vocab; ++v) {
            if (ra[v] > ra[ia]) ia = v;
            if (rb[v] > rb[ib]) ib = v;
        }
        agree += ia == ib;
    }
    return static_cast<double>(agree) / n_tokens;
}

}  // namespace flash::testing
