// Private to src/cuda: CUDA status to flash::Error, and the stream the kernels are queued on.
#pragma once

#include <cuda_runtime.h>

namespace flash::cuda {

// Throws flash::Error("CUDA: <what>: <CUDA's message>") unless status is cudaSuccess.
void check(cudaError_t status, const char* what);

// The stream every launcher queues on (created on first use, on the current device). A blocking
// stream, so the synchronous copies of DeviceBuffer (the legacy default stream) stay ordered
// with it; not the default stream itself, which CUDA cannot capture into a graph (launch.h).
cudaStream_t stream();

}  // namespace flash::cuda
