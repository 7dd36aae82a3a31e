// --device and --gpu-layers: where the forward pass runs. The decision (cli/device_choice.h) for
// every reason the GPU can be refused, and the flags at the command line of a build without CUDA.
#include <gtest/gtest.h>

#include <string>

#include "cli/device_choice.h"
#include "common/run_command.h"
#include "common/testdata.h"
#include "core/error.h"

namespace flash::cli {
namespace {

DeviceFacts gpu_ready() {
    return {.cuda_built = true, .devices = 1, .unsupported = "", .needed = 100, .free = 1000};
}

bool use_gpu(const std::string& where, const DeviceFacts& f, int64_t gpu_layers = -1) {
    return choose_device({.where = where, .gpu_layers = gpu_layers}, f).gpu;
}

// The message --device cuda fails with, or "" when it is honoured.
std::string refusal(const DeviceFacts& f, int64_t gpu_layers = -1) {
    try {
        EXPECT_TRUE(use_gpu("cuda", f, gpu_layers));
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

// llama.cpp's -ngl: 0 is the CPU, any other count asks for the GPU; one that auto sets aside is
// named in a note, and so is a GPU that is present but set aside (no GPU at all: no note).
TEST(DeviceChoice, GpuLayersZeroIsTheCpuAndAnIgnoredCountIsNoted) {
    EXPECT_FALSE(use_gpu("auto", gpu_ready(), 0));
    EXPECT_NE(refusal(gpu_ready(), 0).find("--gpu-layers 0"), std::string::npos);
    EXPECT_TRUE(use_gpu("auto", gpu_ready(), 3));
    EXPECT_EQ(refusal(gpu_ready(), 3), "");
    EXPECT_EQ(choose_device({}, gpu_ready()).note, "");

    DeviceFacts none = gpu_ready();
    none.devices = 0;
    const DeviceChoice quiet = choose_device({}, none);
    EXPECT_FALSE(quiet.gpu);
    EXPECT_EQ(quiet.note, "");
    // A GPU that is there but set aside by the settings is named, with the reason.
    DeviceFacts fast = gpu_ready();
    fast.exact = false;
    const DeviceChoice set_aside = choose_device({}, fast);
    EXPECT_FALSE(set_aside.gpu);
    EXPECT_NE(set_aside.note.find("runs on the CPU, not the GPU: the GPU computes in f32 only"),
              std::string::npos)
        << set_aside.note;
    EXPECT_EQ(choose_device({.where = "cpu"}, fast).note, "");
    const DeviceChoice noted = choose_device({.gpu_layers = 12}, none);
    EXPECT_FALSE(noted.gpu);
    EXPECT_NE(noted.note.find("--gpu-layers 12 is ignored: no CUDA device"), std::string::npos)
        << noted.note;
    EXPECT_EQ(choose_device({.where = "cpu", .gpu_layers = 12}, none).note, "");
}

// `flash info -ngl N` reports the GPU memory of a partial offload, in every build.
TEST(DeviceChoice, InfoReportsThePartialOffloadsGpuMemory) {
    const std::string info =
        testing::flash_binary() + " info " + testing::testdata_path("models/llama-Q8_0.gguf");
    const auto gpu_line = [](const std::string& out) {
        const size_t at = out.find("GPU (CUDA): ");
        return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) - at);
    };
    const auto all = testing::run_command(info);  // 2 layers
    const auto one = testing::run_command(info + " -ngl 1");
    ASSERT_EQ(all.exit_code, 0) << all.output;
    ASSERT_EQ(one.exit_code, 0) << one.output;
    const std::string all_line = gpu_line(all.output), one_line = gpu_line(one.output);
    EXPECT_EQ(all_line.find("--gpu-layers"), std::string::npos) << all_line;
    EXPECT_NE(one_line.find("for layer 1 of 2 and the output (--gpu-layers 1)"), std::string::npos)
        << one_line;
    EXPECT_NE(one_line.substr(0, 30), all_line.substr(0, 30)) << "no less memory";
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
