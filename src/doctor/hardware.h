// What `flash doctor` knows about the machine: OS, CPU and the kernels' ISA, cores, memory,
// free disk where models live, GPUs (none until a GPU backend is built) and, when measured, the
// memory read bandwidth that bounds generation speed. Linux reads /proc; macOS branches use
// sysctl and are small enough to check by reading (they are not tested here).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace flash::doctor {

struct Gpu {
    std::string name;
    uint64_t memory_bytes = 0;
};

struct Hardware {
    std::string os;   // "Linux", "macOS", ...
    std::string cpu;  // the CPU's model name
    std::string isa;  // what the kernels run: "avx512", "avx2", "scalar"
    int cores = 0;    // logical CPUs online
    uint64_t ram_total = 0;
    uint64_t ram_available = 0;  // what can be used without swapping others out (0: unknown)
    std::string disk_path;       // the models directory (or its nearest existing parent)
    uint64_t disk_free = 0;
    std::vector<Gpu> gpus;     // empty: this build has no GPU backend, or no GPU is present
    double read_gb_per_s = 0;  // measured memory read bandwidth; 0: not measured
};

// This machine. `measure_bandwidth` spends about half a second reading a 256 MiB buffer.
Hardware detect_hardware(const std::string& models_dir, bool measure_bandwidth);

nlohmann::json to_json(const Hardware& h);

}  // namespace flash::doctor
