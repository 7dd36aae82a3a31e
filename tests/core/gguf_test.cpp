// The GGUF reader on good files (the reference models) and on every kind of bad one: each
// must be a flash::Error that says what and where — never a crash or an over-read (this
// file also runs under ASan/UBSan in CI).
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "common/gguf_builder.h"
#include "common/testdata.h"
#include "core/error.h"
#include "core/gguf.h"

namespace flash {
namespace {

using testing::GgufBuilder;
using testing::temp_path;

// Expects GgufFile(path) to throw flash::Error whose message contains `needle`.
void expect_gguf_error(const std::string& path, const std::string& needle) {
    try {
        GgufFile g(path);
        ADD_FAILURE() << "no error for " << path << " (expected: " << needle << ")";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << "message: " << e.what();
    }
}

TEST(Gguf, ReadsReferenceModelMetadataAndTensors) {
    GgufFile g(testing::testdata_path("models/llama-Q4_K_M.gguf"));
    EXPECT_EQ(g.version(), 3u);
    EXPECT_EQ(g.require_string("general.architecture"), "llama");
    EXPECT_EQ(g.require_int("llama.block_count"), 2);
    EXPECT_EQ(g.require_int("llama.embedding_length"), 256);
    EXPECT_FLOAT_EQ(static_cast<float>(g.require_float("llama.rope.freq_base")), 10000.0f);
    ASSERT_NE(g.get_string_array("tokenizer.ggml.tokens"), nullptr);
    EXPECT_EQ(g.get_string_array("tokenizer.ggml.tokens")->size(), 128u);
    EXPECT_EQ(g.tensors().size(), 20u);
    const GgufTensor& embd = g.require_tensor("token_embd.weight");
    EXPECT_EQ(embd.type, DType::Q6_K);
    EXPECT_EQ(embd.dims, (std::vector<int64_t>{256, 128}));
    EXPECT_EQ(embd.n_bytes, 128u * 210u);
    EXPECT_EQ(g.require_tensor("blk.0.ffn_down.weight").type, DType::Q5_0);
    // Every tensor lies inside the file and is aligned.
    for (const GgufTensor& t : g.tensors()) {
        EXPECT_EQ((g.data_offset() + t.offset) % g.alignment(), 0u) << t.name;
        EXPECT_LE(g.data_offset() + t.offset + t.n_bytes, g.file_size()) << t.name;
    }
}

TEST(Gguf, TypedAccessorsRejectWrongTypesWithTheKeyName) {
    GgufFile g(testing::testdata_path("models/llama-F32.gguf"));
    EXPECT_THROW(g.require_int("general.architecture"), Error);
    try {
        g.require_string("llama.block_count");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("llama.block_count"), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("expected string"), std::string::npos);
    }
    EXPECT_THROW(g.require_int("no.such.key"), Error);
    EXPECT_FALSE(g.get_int("no.such.key").has_value());
    EXPECT_THROW(g.require_tensor("blk.99.attn_q.weight"), Error);
}

TEST(Gguf, BuiltFileRoundTripsEveryScalarAndArrayType) {
    GgufBuilder b;
    b.header(1, 5).kv_u32("a.u32", 7).kv_f32("a.f32", 1.5f).kv_str("a.str", "héllo").kv_bool("a.bool", true);
    b.kv_i32_array("a.arr", {-1, 2, 3});
    b.tensor("w", {32, 2}, 0 /*F32*/, 0).align().zeros(32 * 2 * 4);
    GgufFile g(b.write(temp_path("roundtrip.gguf")));
    EXPECT_EQ(g.require_int("a.u32"), 7);
    EXPECT_DOUBLE_EQ(g.require_float("a.f32"), 1.5);
    EXPECT_EQ(g.require_string("a.str"), "héllo");
    EXPECT_EQ(g.get_bool("a.bool"), true);
    EXPECT_EQ(*g.get_int_array("a.arr"), (std::vector<int64_t>{-1, 2, 3}));
    EXPECT_EQ(g.require_tensor("w").rows(), 2);
}

TEST(Gguf, TruncatedAtEveryHeaderOffsetAndManyDataOffsetsIsAClearError) {
    const std::string src = testing::testdata_path("models/llama-Q4_0.gguf");
    const std::vector<uint8_t> full = testing::read_file(src);
    ASSERT_GT(full.size(), 1000u);
    const uint64_t data_start = GgufFile(src).data_offset();
    const std::string cut = temp_path("truncated.gguf");
    std::vector<size_t> offsets;
    for (size_t n = 0; n < data_start; n += (n < 256 ? 1 : 7)) offsets.push_back(n);
    for (size_t n = data_start; n < full.size(); n += full.size() / 97) offsets.push_back(n);
    offsets.push_back(full.size() - 1);
    for (size_t n : offsets) {
        testing::write_file(cut, full, n);
        EXPECT_THROW(GgufFile g(cut), Error) << "cut at " << n;
    }
    // Cut inside the data section: the message names a tensor and the end of file.
    testing::write_file(cut, full, full.size() - 1);
    expect_gguf_error(cut, "past end of file");
}

TEST(Gguf, WrongMagicAndUnsupportedVersions) {
    GgufBuilder b;
    b.put<uint32_t>(0x12345678).put<uint32_t>(3).put<uint64_t>(0).put<uint64_t>(0);
    expect_gguf_error(b.write(temp_path("magic.gguf")), "not a GGUF file");
    GgufBuilder v1;
    v1.header(0, 0, 1);
    expect_gguf_error(v1.write(temp_path("v1.gguf")), "version 1");
    GgufBuilder empty;
    expect_gguf_error(empty.write(temp_path("empty.gguf")), "magic");
}

TEST(Gguf, TensorDataPastEndOfFile) {
    GgufBuilder b;
    b.header(1, 0).tensor("blk.0.attn_q.weight", {32, 4}, 0, 0).align().zeros(32 * 3 * 4);  // 4 rows promised, 3 given
    expect_gguf_error(b.write(temp_path("short.gguf")), "tensor 'blk.0.attn_q.weight': data");
    GgufBuilder far;
    far.header(1, 0).tensor("w", {32}, 0, uint64_t{1} << 40).align().zeros(128);
    expect_gguf_error(far.write(temp_path("far.gguf")), "past end of file");
}

TEST(Gguf, AbsurdLengthsCountsAndDimensions) {
    GgufBuilder key;
    key.header(0, 1).put<uint64_t>(uint64_t{1} << 62);
    expect_gguf_error(key.write(temp_path("keylen.gguf")), "absurd string length");

    GgufBuilder strval;
    strval.header(0, 1).str("k").put<uint32_t>(8).put<uint64_t>(uint64_t{1} << 20);
    expect_gguf_error(strval.write(temp_path("strlen.gguf")), "truncated");

    GgufBuilder arr;
    arr.header(0, 1).str("k").put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(uint64_t{1} << 60);
    expect_gguf_error(arr.write(temp_path("arrcount.gguf")), "cannot fit");

    GgufBuilder counts;
    counts.header(uint64_t{1} << 50, 0);
    expect_gguf_error(counts.write(temp_path("counts.gguf")), "absurd tensor count");

    GgufBuilder dims;
    dims.header(1, 0).tensor("w", {uint64_t{1} << 40, uint64_t{1} << 40}, 0, 0).align();
    expect_gguf_error(dims.write(temp_path("dims.gguf")), "absurd dimension");

    GgufBuilder ndims;
    ndims.header(1, 0).tensor("w", {1, 1, 1, 1, 1}, 0, 0).align();
    expect_gguf_error(ndims.write(temp_path("ndims.gguf")), "dimension count 5");
}

TEST(Gguf, UnknownTensorTypeAndBadBlockMultiples) {
    GgufBuilder b;
    b.header(1, 0).tensor("w", {32}, 99, 0).align().zeros(64);
    expect_gguf_error(b.write(temp_path("type.gguf")), "unknown or unsupported type 99");
    GgufBuilder rows;
    rows.header(1, 0).tensor("w", {33}, 2 /*Q4_0*/, 0).align().zeros(64);
    expect_gguf_error(rows.write(temp_path("block.gguf")), "not a multiple of the Q4_0 block size");
}

TEST(Gguf, BadValueTypesAlignmentAndDuplicates) {
    GgufBuilder type;
    type.header(0, 1).str("k").put<uint32_t>(77);
    expect_gguf_error(type.write(temp_path("vtype.gguf")), "is not a GGUF type");
    GgufBuilder dup;
    dup.header(0, 2).kv_u32("k", 1).kv_u32("k", 2);
    expect_gguf_error(dup.write(temp_path("dup.gguf")), "duplicate key");
    GgufBuilder align;
    align.header(0, 1).kv_u32("general.alignment", 3);
    expect_gguf_error(align.write(temp_path("align.gguf")), "power of two");
    GgufBuilder boolv;
    boolv.header(0, 1).str("k").put<uint32_t>(7).put<uint8_t>(5);
    expect_gguf_error(boolv.write(temp_path("bool.gguf")), "neither 0 nor 1");
    GgufBuilder overlap;
    overlap.header(2, 0).tensor("a", {32}, 0, 0).tensor("b", {32}, 0, 64).align().zeros(256);
    expect_gguf_error(overlap.write(temp_path("overlap.gguf")), "overlap");
}

TEST(Gguf, RandomByteFlipsInTheHeaderNeverCrash) {
    const std::vector<uint8_t> full = testing::read_file(testing::testdata_path("models/llama-Q8_0.gguf"));
    const uint64_t header_end = GgufFile(testing::testdata_path("models/llama-Q8_0.gguf")).data_offset();
    std::mt19937 rng(1234);
    const std::string path = temp_path("flipped.gguf");
    int errors = 0;
    for (int trial = 0; trial < 300; ++trial) {
        std::vector<uint8_t> bytes = full;
        for (int k = 0; k < 4; ++k) bytes[rng() % header_end] ^= static_cast<uint8_t>(1u << (rng() % 8));
        testing::write_file(path, bytes, bytes.size());
        try {
            GgufFile g(path);
            for (const GgufTensor& t : g.tensors()) ASSERT_LE(g.data_offset() + t.offset + t.n_bytes, g.file_size());
        } catch (const Error&) {
            ++errors;
        }
    }
    EXPECT_GT(errors, 0);  // some flips must have been caught
}

}  // namespace
}  // namespace flash
