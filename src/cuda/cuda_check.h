// Private to src/cuda: CUDA status to flash::Error.
#pragma once

#include <cuda_runtime.h>

namespace flash::cuda {

// Throws flash::Error("CUDA: <what>: <CUDA's message>") unless status is cudaSuccess.
void check(cudaError_t status, const char* what);

}  // namespace flash::cuda
