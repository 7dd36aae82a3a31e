// flash's CUDA backend (issue 24), its first part: device discovery, device memory, the row
// operations of the forward pass, and the decode matrix-vector product for every weight type
// flash reads, each weight dequantized in
// registers with the same per-element accessors as the CPU's scalar reference
// (kernels/k_scales.h). Host code includes only this header; the kernels are in the .cu files.
// Built with -DFLASH_CUDA=ON (the `cuda` preset). Depends on core/ and kernels/k_scales.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/dtype.h"

namespace flash::cuda {

struct DeviceInfo {
    std::string name;
    int compute_capability = 0;  // major * 10 + minor: 80 for A100, 89 for L4, 90 for H100
    int multiprocessors = 0;
    size_t total_bytes = 0, free_bytes = 0;
};

// The devices the driver reports: 0 where there is no driver or no GPU (never throws).
int device_count();
// Also makes `device` the current one (its free memory is read there). Throws flash::Error
// with CUDA's message.
DeviceInfo device_info(int device = 0);

// Bytes on the current device, freed on destruction; moves, does not copy.
class DeviceBuffer {
  public:
    DeviceBuffer() = default;
    explicit DeviceBuffer(size_t bytes);  // throws flash::Error when the device is out of memory
    ~DeviceBuffer();
    DeviceBuffer(DeviceBuffer&& other) noexcept;
    DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;
    DeviceBuffer(const DeviceBuffer&) = delete;
    DeviceBuffer& operator=(const DeviceBuffer&) = delete;

    void* data() const { return data_; }
    size_t bytes() const { return bytes_; }
    // Copies between the host and [offset, offset + n) of the buffer; throws when out of range.
    void upload(const void* src, size_t n, size_t offset = 0);
    void download(void* dst, size_t n, size_t offset = 0) const;

  private:
    void* data_ = nullptr;
    size_t bytes_ = 0;
};

// The weight types matvec reads: F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K..Q6_K.
bool matvec_supports(DType t);
// How a warp walks its row (matvec.cu): Blocks, 256 weights at a time with 8 per lane and the
// warp's loads coalesced; Elements, the first kernel, one element per lane at a time (the
// baseline it is measured against). Float rows take Elements either way.
enum class MatvecKernel { Blocks, Elements };
// Blocks, or Elements when $FLASH_CUDA_MATVEC is "elements": what the forward pass uses.
MatvecKernel default_matvec_kernel();
// y[r] = sum_k W[r][k] * x[k] for r < rows, all on the device: W holds `rows` rows of `cols`
// elements of type t, row_bytes(t, cols) apart; x holds cols floats, y rows floats. One warp per
// row; synchronous. Throws flash::Error for an unsupported type, cols not a whole number of the
// type's blocks, or buffers too small.
void matvec(DType t, const DeviceBuffer& w, int64_t rows, int64_t cols, const DeviceBuffer& x,
            DeviceBuffer& y, MatvecKernel kernel = default_matvec_kernel());

// The kernel of a prompt chunk's product (matmul.cu): Simt, f32 fused multiply-adds; Tf32x3,
// the tensor cores with each operand split into two TF32 parts (f32's accuracy, three products).
enum class MatmulKernel { Simt, Tf32x3 };
// Simt, or Tf32x3 when $FLASH_CUDA_MATMUL is "tf32x3": what CudaOptions starts from.
MatmulKernel default_matmul_kernel();

// Row operations of the forward pass, on the device, as kernels/ defines them on the CPU:
// out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w for `rows` rows of n floats (sum of squares in
// double; w: n floats, or null for no scale). out may be x.
void rmsnorm(const DeviceBuffer& x, const DeviceBuffer* w, int64_t rows, int64_t n, float eps,
             DeviceBuffer& out);
// gate[i] = silu(gate[i]) * up[i] and gelu (tanh approximation) likewise, for i < n.
void swiglu(DeviceBuffer& gate, const DeviceBuffer& up, int64_t n);
void geglu(DeviceBuffer& gate, const DeviceBuffer& up, int64_t n);
// Rotary embedding in place on n_tokens x n_heads heads of head_dim floats, token t at
// positions[t] (int32 on the device): kernels::rope's arithmetic (theta advanced by repeated
// multiplication, divided by freq_factors[i] when given), pairs (2i, 2i+1) or, neox, (i, i +
// n_rot/2).
void rope(DeviceBuffer& x, int64_t n_tokens, int64_t n_heads, int64_t head_dim, int64_t n_rot,
          const DeviceBuffer& positions, float base, float freq_scale, bool neox,
          const DeviceBuffer* freq_factors = nullptr);

}  // namespace flash::cuda
