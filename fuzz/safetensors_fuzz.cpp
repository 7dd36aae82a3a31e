// The safetensors reader (flash convert's input): header length, JSON header, dtypes, shapes
// and data ranges, on arbitrary bytes.
#include "core/safetensors.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    flash::fuzz::with_file(data, size, "safetensors_fuzz", [](const std::string& path) {
        flash::fuzz::expect_only_flash_errors([&] {
            const flash::SafetensorsFile f(path);
            size_t sum = 0;
            for (const flash::SafeTensor& t : f.tensors())
                for (size_t i = 0; i < t.bytes; i += 64) sum += t.data[i];  // every range readable
            (void)sum;
        });
    });
    return 0;
}
