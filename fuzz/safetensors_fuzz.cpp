// The safetensors reader (flash convert's input): header length, JSON header, dtypes, shapes
// and data ranges, on arbitrary bytes.
#include <sys/mman.h>
#include <unistd.h>

#include "core/safetensors.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // SafetensorsFile maps a path: hand it the input through an in-memory file.
    const int fd = memfd_create("safetensors_fuzz", 0);
    if (fd < 0) return 0;
    if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) {
        close(fd);
        return 0;
    }
    const std::string path = "/proc/self/fd/" + std::to_string(fd);
    flash::fuzz::expect_only_flash_errors([&] {
        const flash::SafetensorsFile f(path);
        size_t sum = 0;
        for (const flash::SafeTensor& t : f.tensors())
            for (size_t i = 0; i < t.bytes; i += 64) sum += t.data[i];  // every range readable
        (void)sum;
    });
    close(fd);
    return 0;
}
