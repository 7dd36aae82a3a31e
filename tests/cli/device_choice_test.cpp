// --device: where the forward pass runs. The decision (cli/device_choice.h) for every reason the
// GPU can be refused, and the flag at the command line of a build without CUDA.
#include <gtest/gtest.h>

#include <string>

#include "cli/device_choice.h"
#include "common/run_command.h"
#include "core/error.h"

namespace flash::cli {
namespace {

DeviceFacts gpu_ready() {
    return {.cuda_built = true, .devices = 1, .unsupported = "", .needed = 100, .free = 1000};
}

// The message --device cuda fails with, or "" when it is honoured.
std::string refusal(const DeviceFacts& f) {
    try {
        EXPECT_TRUE(use_gpu("cuda", f));
        return "";
    } catch (const Error& e) {
        return e.what();
    }
}

TEST(DeviceChoice, AutoTakesTheGpuOnlyWhenEverythingFitsAndCudaSaysWhyNot) {
    EXPECT_TRUE(use_gpu("auto", gpu_ready()));
    EXPECT_EQ(refusal(gpu_ready()), "");
    EXPECT_FALSE(use_gpu("cpu", gpu_ready()));

    const struct {
        void (*spoil)(DeviceFacts&);
        const char* reason;
    } cases[] = {
        {[](DeviceFacts& f) { f.cuda_built = false; }, "built without the CUDA backend"},
        {[](DeviceFacts& f) { f.devices = 0; }, "no CUDA device"},
        {[](DeviceFacts& f) { f.unsupported = "qwen35 has recurrent layers"; }, "recurrent"},
        {[](DeviceFacts& f) { f.exact = false; }, "--precision fast"},
        {[](DeviceFacts& f) { f.default_kv = false; }, "q8_0"},
        {[](DeviceFacts& f) { f.needed = 2000; }, "GPU memory"},
    };
    for (const auto& c : cases) {
        DeviceFacts f = gpu_ready();
        c.spoil(f);
        EXPECT_FALSE(use_gpu("auto", f)) << c.reason;  // auto falls back to the CPU quietly
        EXPECT_FALSE(use_gpu("cpu", f));
        const std::string why = refusal(f);
        EXPECT_NE(why.find("--device cuda"), std::string::npos) << why;
        EXPECT_NE(why.find(c.reason), std::string::npos) << why;
    }
}

#ifndef FLASH_CUDA
TEST(DeviceChoice, CudaOnABuildWithoutItIsAnErrorAndAutoRunsOnTheCpu) {
    const std::string model =
        std::string(FLASH_SOURCE_DIR) + "/fuzz/corpus/gguf/tiny-llama-bpe.gguf";
    const auto cuda = testing::run_command(testing::flash_binary() + " run -m " + model +
                                           " --raw --device cuda -p hi -n 2");
    EXPECT_NE(cuda.exit_code, 0);
    EXPECT_NE(cuda.output.find("--device cuda: this flash was built without the CUDA backend"),
              std::string::npos)
        << cuda.output;
    const auto automatic =
        testing::run_command(testing::flash_binary() + " run -m " + model + " --raw -p hi -n 2");
    EXPECT_EQ(automatic.exit_code, 0) << automatic.output;
}
#endif

}  // namespace
}  // namespace flash::cli
