// matvec_group (kernels.h): decode's products of one input row with several weights (a layer's
// q, k and v, or its gate and up) in one pass over the pool instead of one pass each. Each
// weight's rows take the same per-row kernel matmul gives one row (the fused exact dot, or the
// activation-rounding dot), so every output is the same float; the threads meet once, and the
// smaller matrices no longer leave a core idle at their own barrier.
#include <algorithm>
#include <vector>

#include "kernels/kernels.h"
#include "kernels/kernels_internal.h"

namespace flash::kernels {
namespace {

// Below this many weight elements in all the helper threads cost more than they save.
constexpr int64_t kMinParallelElems = 32 * 1024;

// One weight's rows, ready: y[r] = row(r).
struct PreparedRows {
    const uint8_t* w = nullptr;
    size_t stride = 0;
    int64_t rows = 0;
    float* y = nullptr;
    detail::ExactDotFn exact = nullptr;  // exact: fused dot with x and its block sums
    detail::VecDotFn dot = nullptr;      // otherwise: dot with the prepared activations
    const uint8_t* act = nullptr;
};

// Whether matmul would take a per-row dot for this weight and one row (true for every type but
// the exact ones without a fused kernel, which dequantize tiles).
bool per_row(DType t, Precision p) {
    return p == Precision::Fast || activation_type(t) == DType::F32 ||
           detail::exact_dot_for(t) != nullptr;
}

}  // namespace

void matvec_group(std::span<const MatvecJob> jobs, const float* x, int64_t n, ThreadPool& pool,
                  Precision precision) {
    int64_t elems = 0;
    bool grouped = pool.size() > 1;
    for (const MatvecJob& j : jobs) {
        detail::check_weight_row(j.type, n, "matvec_group");
        elems += j.rows * n;
        grouped = grouped && per_row(j.type, precision);
    }
    if (!grouped || elems < kMinParallelElems) {
        for (const MatvecJob& j : jobs) matmul(j.type, j.w, j.rows, n, x, 1, j.y, pool, precision);
        return;
    }

    // Prepare each weight's rows: block sums of x once for the exact dots, the activations
    // rounded once per activation type for the others.
    thread_local std::vector<float> sums;
    thread_local std::vector<std::vector<uint8_t>> acts;
    sums.resize(static_cast<size_t>(n / 32));
    bool have_sums = false;
    acts.resize(jobs.size());
    std::vector<PreparedRows> prepared;
    int64_t total = 0;
    for (size_t i = 0; i < jobs.size(); ++i) {
        const MatvecJob& j = jobs[i];
        PreparedRows p{static_cast<const uint8_t*>(j.w), row_bytes(j.type, n), j.rows, j.y};
        const DType at = activation_type(j.type);
        if (precision == Precision::Exact && at != DType::F32) {
            p.exact = detail::exact_dot_for(j.type);
            if (!have_sums) detail::block_sums32(x, n, sums.data());
            have_sums = true;
        } else {
            const detail::TypeKernels k = detail::kernels_for(j.type);
            p.dot = k.dot;
            p.act = reinterpret_cast<const uint8_t*>(x);
            if (at != DType::F32) {
                acts[i].resize(row_bytes(at, n));
                k.quantize(x, acts[i].data(), n);
                p.act = acts[i].data();
            }
        }
        prepared.push_back(p);
        total += j.rows;
    }

    // The rows of all weights, in order, split evenly across the threads. (The lambda names no
    // thread_local: on a worker that would be the worker's own, empty, buffer.)
    const float* block_sums = sums.data();
    pool.run([&](int ith, int nth) {
        const int64_t r0 = total * ith / nth;
        const int64_t r1 = total * (ith + 1) / nth;
        int64_t base = 0;
        for (const PreparedRows& p : prepared) {
            const int64_t from = std::max(r0, base) - base, to = std::min(r1, base + p.rows) - base;
            for (int64_t r = from; r < to; ++r) {
                const uint8_t* row = p.w + r * p.stride;
                detail::prefetch_ahead(row, p.stride);
                p.y[r] = p.exact ? p.exact(n, row, x, block_sums) : p.dot(n, row, p.act);
            }
            base += p.rows;
            if (base >= r1) break;
        }
    });
}

}  // namespace flash::kernels
