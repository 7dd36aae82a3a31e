#include "quant/imatrix.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "core/gguf.h"
#include "core/gguf_writer.h"

namespace flash::quant {

void ImportanceMatrix::save(const std::string& path) const {
    if (values.empty()) throw Error("the importance matrix is empty: no weight saw any input");
    GgufWriter w;
    w.set_string("general.type", "imatrix");
    w.set_string("imatrix.dataset", dataset);
    w.set_u32("imatrix.tokens", static_cast<uint32_t>(tokens));
    w.set_u32("imatrix.chunk_count", static_cast<uint32_t>(chunks));
    for (const auto& entry : values) {
        const std::vector<float>& v = entry.second;  // not a structured binding: clang 14
        w.add_tensor(entry.first, DType::F32, {static_cast<int64_t>(v.size())},  // cannot
                     [&v](std::vector<uint8_t>& d) {  // capture those in a lambda
                         d.resize(v.size() * sizeof(float));
                         std::memcpy(d.data(), v.data(), d.size());
                     });
    }
    w.write(path);
}

ImportanceMatrix ImportanceMatrix::load(const std::string& path) {
    const GgufFile g(path);
    if (g.get_string("general.type").value_or("") != "imatrix")
        throw Error(path +
                    ": not an importance matrix (general.type is not 'imatrix'; make one "
                    "with flash imatrix)");
    ImportanceMatrix m;
    m.dataset = std::string(g.get_string("imatrix.dataset").value_or(""));
    m.tokens = g.get_int("imatrix.tokens").value_or(0);
    m.chunks = g.get_int("imatrix.chunk_count").value_or(0);
    for (const GgufTensor& t : g.tensors()) {
        if (t.type != DType::F32 || t.dims.size() != 1)
            throw Error(path + ": tensor " + t.name + " is not a 1-D F32 vector");
        const auto* f = reinterpret_cast<const float*>(t.data);
        std::vector<float> v(f, f + t.dims[0]);
        for (float x : v)
            if (!(x >= 0) || std::isinf(x))
                throw Error(path + ": tensor " + t.name + " holds a negative or non-finite value");
        m.values[t.name] = std::move(v);
    }
    if (m.values.empty()) throw Error(path + ": the importance matrix has no entries");
    return m;
}

const std::vector<float>* ImportanceMatrix::find(const std::string& name, int64_t cols) const {
    const auto it = values.find(name);
    if (it == values.end()) return nullptr;
    if (static_cast<int64_t>(it->second.size()) != cols)
        throw Error("imatrix entry " + name + " has " + std::to_string(it->second.size()) +
                    " values but the weight has " + std::to_string(cols) +
                    " columns: the imatrix was made for another model");
    return &it->second;
}

void ImatrixCollector::add(const std::string& name, const float* in, int64_t rows, int64_t cols) {
    Sums& s = sums_[name];
    if (s.sum2.empty()) s.sum2.assign(static_cast<size_t>(cols), 0.0);
    if (static_cast<int64_t>(s.sum2.size()) != cols)
        throw Error("imatrix: weight " + name + " seen with two input widths");
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t c = 0; c < cols; ++c) {
            const double x = in[r * cols + c];
            s.sum2[static_cast<size_t>(c)] += x * x;
        }
    s.rows += rows;
}

ImportanceMatrix ImatrixCollector::finish(int64_t tokens, int64_t chunks,
                                          const std::string& dataset) const {
    ImportanceMatrix m;
    m.tokens = tokens;
    m.chunks = chunks;
    m.dataset = dataset;
    for (const auto& [name, s] : sums_) {
        std::vector<float> v(s.sum2.size());
        for (size_t c = 0; c < v.size(); ++c)
            v[c] =
                static_cast<float>(s.sum2[c] / static_cast<double>(std::max<int64_t>(1, s.rows)));
        m.values[name] = std::move(v);
    }
    return m;
}

}  // namespace flash::quant
