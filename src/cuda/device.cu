// Device discovery and device memory (cuda_backend.h). Every CUDA call's status is checked and
// turned into a flash::Error that says what was being done.
#include <cuda_runtime.h>

#include <string>
#include <utility>

#include "core/error.h"
#include "cuda/cuda_backend.h"
#include "cuda/cuda_check.h"
#include "cuda/launch.h"

namespace flash::cuda {

void check(cudaError_t status, const char* what) {
    if (status == cudaSuccess) return;
    throw Error(std::string("CUDA: ") + what + ": " + cudaGetErrorString(status));
}

cudaStream_t stream() {
    static const cudaStream_t created = [] {
        cudaStream_t s = nullptr;
        check(cudaStreamCreate(&s), "creating the launch stream");
        return s;
    }();
    return created;
}

int device_count() {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError();  // no driver or no device: clear the sticky status, report none
        return 0;
    }
    return n;
}

DeviceInfo device_info(int device) {
    cudaDeviceProp prop{};
    check(cudaGetDeviceProperties(&prop, device), "reading the device's properties");
    check(cudaSetDevice(device), "selecting the device");
    DeviceInfo info;
    info.name = prop.name;
    info.compute_capability = prop.major * 10 + prop.minor;
    info.multiprocessors = prop.multiProcessorCount;
    check(cudaMemGetInfo(&info.free_bytes, &info.total_bytes), "reading the device's memory");
    return info;
}

DeviceBuffer::DeviceBuffer(size_t bytes) : bytes_(bytes) {
    if (bytes == 0) return;
    check(cudaMalloc(&data_, bytes), ("allocating " + std::to_string(bytes) + " bytes").c_str());
}

DeviceBuffer::~DeviceBuffer() {
    if (data_) cudaFree(data_);
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
        if (data_) cudaFree(data_);
        data_ = std::exchange(other.data_, nullptr);
        bytes_ = std::exchange(other.bytes_, 0);
    }
    return *this;
}

namespace {

void check_range(size_t offset, size_t n, size_t bytes, const char* what) {
    if (offset > bytes || n > bytes - offset)
        throw Error(std::string("CUDA: ") + what + " of " + std::to_string(n) + " bytes at " +
                    std::to_string(offset) + " outside a buffer of " + std::to_string(bytes));
}

}  // namespace

void DeviceBuffer::upload(const void* src, size_t n, size_t offset) {
    check_range(offset, n, bytes_, "upload");
    if (n == 0) return;
    check(cudaMemcpy(static_cast<char*>(data_) + offset, src, n, cudaMemcpyHostToDevice),
          "copying to the device");
}

void DeviceBuffer::download(void* dst, size_t n, size_t offset) const {
    check_range(offset, n, bytes_, "download");
    if (n == 0) return;
    check(cudaMemcpy(dst, static_cast<const char*>(data_) + offset, n, cudaMemcpyDeviceToHost),
          "copying from the device");
}

void launch::copy(void* dst, const void* src, size_t n) {
    if (n == 0) return;
    check(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToDevice, stream()),
          "queueing a device copy");
}

void launch::zero(void* dst, size_t n) {
    if (n == 0) return;
    check(cudaMemsetAsync(dst, 0, n, stream()), "queueing a device fill");
}

void launch::synchronize(const char* what) {
    check(cudaGetLastError(), what);
    check(cudaDeviceSynchronize(), what);
}

struct launch::Graph {
    cudaGraphExec_t exec = nullptr;
};

void launch::GraphDeleter::operator()(Graph* graph) const {
    if (graph->exec) cudaGraphExecDestroy(graph->exec);
    delete graph;
}

void launch::begin_capture() {
    // Thread-local: another thread's unrelated CUDA calls do not spoil the capture.
    check(cudaStreamBeginCapture(stream(), cudaStreamCaptureModeThreadLocal),
          "starting a graph capture");
}

launch::GraphPtr launch::end_capture() {
    cudaGraph_t graph = nullptr;
    check(cudaStreamEndCapture(stream(), &graph), "ending a graph capture");
    GraphPtr out(new Graph);
    const cudaError_t status = cudaGraphInstantiate(&out->exec, graph, 0);
    cudaGraphDestroy(graph);
    check(status, "instantiating a graph");
    return out;
}

void launch::replay(const Graph& graph) {
    check(cudaGraphLaunch(graph.exec, stream()), "launching a graph");
}

}  // namespace flash::cuda
