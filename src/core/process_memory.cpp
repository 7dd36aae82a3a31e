#include "core/process_memory.h"

#include <cstdio>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__APPLE__)
#include <mach/mach.h>
#endif

namespace flash {

#if defined(__APPLE__)

namespace {
mach_task_basic_info_data_t task_basic_info() {
    mach_task_basic_info_data_t info{};
    mach_msg_type_number_t count = MACH_TASK_BASIC_INFO_COUNT;
    task_info(mach_task_self(), MACH_TASK_BASIC_INFO, reinterpret_cast<task_info_t>(&info), &count);
    return info;
}
}  // namespace

int64_t resident_bytes() {
    return static_cast<int64_t>(task_basic_info().resident_size);
}
int64_t peak_resident_bytes() {
    return static_cast<int64_t>(task_basic_info().resident_size_max);
}
void reset_peak_resident() {}

#else

namespace {

// "VmRSS:    12345 kB" → bytes; 0 when the line or the file is absent.
int64_t status_kb(const char* key) {
    FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    int64_t kb = 0;
    const size_t n = std::strlen(key);
    while (std::fgets(line, sizeof line, f))
        if (std::strncmp(line, key, n) == 0 && line[n] == ':') {
            std::sscanf(line + n + 1, "%lld", reinterpret_cast<long long*>(&kb));
            break;
        }
    std::fclose(f);
    return kb * 1024;
}

}  // namespace

int64_t resident_bytes() {
    return status_kb("VmRSS");
}
int64_t peak_resident_bytes() {
    return status_kb("VmHWM");
}

void reset_peak_resident() {
#if defined(__GLIBC__)
    // Freed heap memory glibc keeps would otherwise count in the new starting point.
    malloc_trim(0);
#endif
    if (FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
        std::fputs("5", f);
        std::fclose(f);
    }
}

#endif

}  // namespace flash
