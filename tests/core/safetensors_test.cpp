// safetensors: a file laid out by hand from the format's description reads back right; our
// writer's files read back the same values; every malformed header is a clear error naming the
// file and the tensor.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "common/error_of.h"
#include "common/temp_dir.h"
#include "core/safetensors.h"

namespace flash {
namespace {

using testing::error_of;
using testing::TempDir;

// 8-byte little-endian header length, the header, then the data.
std::string file_bytes(const std::string& header, const std::string& data) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((header.size() >> (8 * i)) & 0xff);
    return out + header + data;
}

std::string floats(std::initializer_list<float> values) {
    std::string out(values.size() * 4, '\0');
    size_t i = 0;
    for (const float v : values) std::memcpy(&out[4 * i++], &v, 4);
    return out;
}

TEST(Safetensors, AFileLaidOutByHandReadsBack) {
    TempDir dir;
    const std::string path = dir.write(
        "a.safetensors",
        file_bytes(
            R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[16,18]}})",
            floats({1, 2, 3, 4}) + std::string("\x80\x3f", 2)));
    const SafetensorsFile f(path);
    ASSERT_EQ(f.tensors().size(), 2u);
    const SafeTensor* w = f.find("w");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->dtype, SafeDType::F32);
    EXPECT_EQ(w->shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(w->elements(), 4);
    float v[4];
    std::memcpy(v, w->data, 16);
    EXPECT_EQ(v[3], 4.0f);
    const SafeTensor* b = f.find("b");
    ASSERT_NE(b, nullptr);
    EXPECT_EQ(b->dtype, SafeDType::BF16);
    EXPECT_EQ(b->data[1], 0x3f);  // bf16 1.0 = 0x3f80, little endian
    EXPECT_EQ(f.metadata().at("format"), "pt");
    EXPECT_EQ(f.find("missing"), nullptr);
}

TEST(Safetensors, WrittenFilesReadBackTheSameValues) {
    TempDir dir;
    SafetensorsWriter w;
    w.set_metadata("format", "pt");
    w.add("x", SafeDType::F16, {3}, [](std::vector<uint8_t>& out) { out = {1, 2, 3, 4, 5, 6}; });
    w.add("y", SafeDType::I64, {1, 1}, [](std::vector<uint8_t>& out) { out.assign(8, 7); });
    w.add("empty", SafeDType::F32, {0, 4}, [](std::vector<uint8_t>&) {});
    w.write(dir / "m.safetensors");
    std::ifstream raw(dir / "m.safetensors", std::ios::binary);
    uint8_t length[8];
    raw.read(reinterpret_cast<char*>(length), 8);
    EXPECT_EQ(length[0] % 8, 0);  // the header is padded so the data is 8-byte aligned
    const SafetensorsFile f(dir / "m.safetensors");
    ASSERT_EQ(f.tensors().size(), 3u);
    EXPECT_EQ(f.tensors()[0].name, "x");
    EXPECT_EQ(std::vector<uint8_t>(f.tensors()[0].data, f.tensors()[0].data + 6),
              (std::vector<uint8_t>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(f.find("y")->data[7], 7);
    EXPECT_EQ(f.find("empty")->bytes, 0u);
    EXPECT_EQ(f.metadata().at("format"), "pt");

    SafetensorsWriter bad;
    bad.add("z", SafeDType::F32, {2}, [](std::vector<uint8_t>& out) { out.assign(4, 0); });
    EXPECT_NE(error_of([&] {
                  bad.write(dir / "bad.safetensors");
              }).find("'z' produced 4 bytes, expected 8"),
              std::string::npos);
    EXPECT_FALSE(std::filesystem::exists(dir / "bad.safetensors"));
    EXPECT_FALSE(std::filesystem::exists(dir / "bad.safetensors.part"));
}

TEST(Safetensors, MalformedFilesAreClearErrors) {
    TempDir dir;
    auto error_for = [&](const std::string& bytes) {
        const std::string path = dir.write("x.safetensors", bytes);
        return error_of([&] { SafetensorsFile f(path); });
    };
    const std::string four = floats({1});
    EXPECT_NE(error_for("abc").find("too short"), std::string::npos);
    EXPECT_NE(error_for(std::string(8, '\xff')).find("runs past the file"), std::string::npos);
    EXPECT_NE(error_for(file_bytes("{not json", "")).find("header is not JSON"), std::string::npos);
    EXPECT_NE(error_for(file_bytes("[1]", "")).find("not a JSON object"), std::string::npos);
    EXPECT_NE(
        error_for(file_bytes(R"({"t":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", "x"))
            .find("tensor 't': dtype 'F8_E4M3' is not supported"),
        std::string::npos);
    EXPECT_NE(
        error_for(file_bytes(R"({"t":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}})", four))
            .find("fall outside the 4 data bytes"),
        std::string::npos);
    EXPECT_NE(
        error_for(file_bytes(R"({"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}})", four))
            .find("need 8 bytes, data_offsets give 4"),
        std::string::npos);
    EXPECT_NE(
        error_for(
            file_bytes(
                R"({"a":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},"b":{"dtype":"U8","shape":[2],"data_offsets":[2,4]}})",
                four))
            .find("overlap"),
        std::string::npos);
    EXPECT_NE(
        error_for(file_bytes(R"({"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", four))
            .find("non-negative"),
        std::string::npos);
    EXPECT_NE(error_for(file_bytes(R"({"t":{"dtype":"F32"}})", four)).find("needs dtype, shape"),
              std::string::npos);
    EXPECT_NE(error_for(file_bytes(R"({"__metadata__":{"k":1}})", "")).find("not a string"),
              std::string::npos);
}

}  // namespace
}  // namespace flash
