#include "doctor/hardware.h"

#include <sys/statvfs.h>
#include <unistd.h>
#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "kernels/kernels.h"

namespace flash::doctor {
namespace {

#if defined(__APPLE__)
std::string sysctl_string(const char* name) {
    size_t size = 0;
    if (sysctlbyname(name, nullptr, &size, nullptr, 0) != 0 || size == 0) return {};
    std::string out(size, '\0');
    if (sysctlbyname(name, out.data(), &size, nullptr, 0) != 0) return {};
    out.resize(std::strlen(out.c_str()));
    return out;
}
#else
// The value of the first "key: value" line in a /proc file, or "".
std::string proc_value(const char* file, const std::string& key) {
    std::ifstream in(file);
    for (std::string line; std::getline(in, line);) {
        if (!line.starts_with(key)) continue;
        const size_t colon = line.find(':');
        if (colon == std::string::npos) continue;
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        return value;
    }
    return {};
}

uint64_t meminfo_bytes(const std::string& key) {
    const std::string v = proc_value("/proc/meminfo", key);  // "24542180 kB"
    return v.empty() ? 0 : std::stoull(v) * 1024;
}
#endif

// The nearest existing folder at or above `path` (the models directory may not exist yet).
std::string existing_parent(std::filesystem::path path) {
    std::error_code ec;
    while (!path.empty() && !std::filesystem::exists(path, ec)) path = path.parent_path();
    return path.empty() ? "/" : path.string();
}

// Reads a buffer larger than the caches a few times with every core; GB/s of the best pass.
double read_bandwidth_gb_per_s(int threads) {
    constexpr size_t kBytes = size_t{256} << 20;
    const size_t n = kBytes / sizeof(uint64_t);
    std::unique_ptr<uint64_t[]> buffer(new uint64_t[n]);
    for (size_t i = 0; i < n; ++i) buffer[i] = i;  // touch every page before timing
    double best = 0;
    for (int pass = 0; pass < 3; ++pass) {
        std::vector<uint64_t> sums(static_cast<size_t>(threads));
        std::vector<std::thread> workers;
        const auto t0 = std::chrono::steady_clock::now();
        for (int t = 0; t < threads; ++t)
            workers.emplace_back([&, t] {
                const size_t begin = n * static_cast<size_t>(t) / static_cast<size_t>(threads);
                const size_t end = n * static_cast<size_t>(t + 1) / static_cast<size_t>(threads);
                uint64_t s = 0;
                for (size_t i = begin; i < end; ++i) s += buffer[i];
                sums[static_cast<size_t>(t)] = s;
            });
        for (std::thread& w : workers) w.join();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (sums[0] == 1) return 0;  // keeps the reads from being optimised away
        best = std::max(best, static_cast<double>(kBytes) / seconds / 1e9);
    }
    return best;
}

}  // namespace

Hardware detect_hardware(const std::string& models_dir, bool measure_bandwidth) {
    Hardware h;
    h.isa = kernels::isa_name();
    h.cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
#if defined(__APPLE__)
    h.os = "macOS";
    h.cpu = sysctl_string("machdep.cpu.brand_string");
    uint64_t mem = 0;
    size_t size = sizeof mem;
    if (sysctlbyname("hw.memsize", &mem, &size, nullptr, 0) == 0) h.ram_total = mem;
#else
    h.os = "Linux";
    h.cpu = proc_value("/proc/cpuinfo", "model name");
    if (h.cpu.empty()) {  // ARM kernels name the core by implementer and part numbers
        const std::string implementer = proc_value("/proc/cpuinfo", "CPU implementer");
        if (!implementer.empty())
            h.cpu = "ARM (implementer " + implementer + ", part " +
                    proc_value("/proc/cpuinfo", "CPU part") + ")";
    }
    h.ram_total = meminfo_bytes("MemTotal");
    h.ram_available = meminfo_bytes("MemAvailable");
#endif
    h.disk_path = existing_parent(models_dir);
    struct statvfs fs {};
    if (statvfs(h.disk_path.c_str(), &fs) == 0)
        h.disk_free = static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (measure_bandwidth) h.read_gb_per_s = read_bandwidth_gb_per_s(h.cores);
    return h;
}

nlohmann::json to_json(const Hardware& h) {
    nlohmann::json gpus = nlohmann::json::array();
    for (const Gpu& g : h.gpus)
        gpus.push_back({{"name", g.name}, {"memory_bytes", g.memory_bytes}});
    return {{"os", h.os},
            {"cpu", h.cpu},
            {"isa", h.isa},
            {"cores", h.cores},
            {"ram_total_bytes", h.ram_total},
            {"ram_available_bytes", h.ram_available},
            {"disk_path", h.disk_path},
            {"disk_free_bytes", h.disk_free},
            {"gpus", gpus},
            {"read_gb_per_s", h.read_gb_per_s}};
}

}  // namespace flash::doctor
