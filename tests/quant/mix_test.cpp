// The per-layer rules of the _M/_S mixes on a 16-layer model (the testdata models have only
// two layers, too few to show them): which layers' attn_v and ffn_down get more bits, as
// llama.cpp's use_more_bits() picks them — the first and last eighth and every third between.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>

#include "core/gguf.h"
#include "core/gguf_writer.h"
#include "quant/mix.h"

namespace flash::quant {
namespace {

constexpr int kLayers = 16;

// n_embd 256 so every K-quant fits; ffn_down rows of 512. Weights are one row each: the
// chooser reads names and shapes only.
std::string write_model(int head_count_kv) {
    const std::string path =
        ::testing::TempDir() + "flash-mix-" + std::to_string(head_count_kv) + ".gguf";
    GgufWriter w(32);
    w.set_string("general.architecture", "llama");
    w.set_u32("llama.block_count", kLayers);
    w.set_u32("llama.attention.head_count", 8);
    w.set_u32("llama.attention.head_count_kv", static_cast<uint32_t>(head_count_kv));
    auto add = [&](const std::string& name, int64_t cols) {
        w.add_tensor(name, DType::F32, {cols, 1}, [cols](std::vector<uint8_t>& d) {
            d.assign(static_cast<size_t>(cols) * 4, 0);
        });
    };
    add("token_embd.weight", 256);
    for (int i = 0; i < kLayers; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        for (const char* t : {"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up"})
            add(b + t + ".weight", 256);
        add(b + "ffn_down.weight", 512);
        w.add_tensor(b + "attn_norm.weight", DType::F32, {256},
                     [](std::vector<uint8_t>& d) { d.assign(256 * 4, 0); });
    }
    w.write(path);
    return path;
}

// Layer → type of the tensors whose name contains `part`.
std::map<int, DType> chosen(const GgufFile& g, const char* target, const std::string& part) {
    TypeChooser chooser(g, find_target(target));
    std::map<int, DType> out;
    for (const GgufTensor& t : g.tensors()) {
        const DType type = chooser.choose(t);
        if (t.name.find(part) != std::string::npos) out[std::stoi(t.name.substr(4))] = type;
    }
    return out;
}

TEST(QuantMix, Q4_K_M_GivesMoreBitsToChosenLayers) {
    const GgufFile g(write_model(8));
    // use_more_bits(i, 16): i < 2, i >= 14, or (i - 2) % 3 == 2 → 0, 1, 4, 7, 10, 13, 14, 15.
    const std::set<int> more = {0, 1, 4, 7, 10, 13, 14, 15};
    for (const auto* part : {".attn_v.", ".ffn_down."})
        for (const auto& [layer, type] : chosen(g, "Q4_K_M", part))
            EXPECT_EQ(type, more.count(layer) ? DType::Q6_K : DType::Q4_K) << part << layer;
    for (const auto& [layer, type] : chosen(g, "Q4_K_M", ".attn_q."))
        EXPECT_EQ(type, DType::Q4_K) << layer;
    // The tied embedding is the output matrix: Q6_K.
    TypeChooser c(g, find_target("Q4_K_M"));
    EXPECT_EQ(c.choose(g.require_tensor("token_embd.weight")), DType::Q6_K);
    EXPECT_EQ(c.choose(g.require_tensor("blk.0.attn_norm.weight")), DType::F32);
}

TEST(QuantMix, SmallMixesAndGroupedQueryAttention) {
    const GgufFile mha(write_model(8)), gqa(write_model(2));
    for (const auto& [layer, type] : chosen(mha, "Q3_K_M", ".attn_v."))
        EXPECT_EQ(type, layer < 2 ? DType::Q5_K : DType::Q4_K) << layer;
    for (const auto& [layer, type] : chosen(mha, "Q3_K_M", ".ffn_down."))
        EXPECT_EQ(type, layer < 1 ? DType::Q5_K : DType::Q4_K) << layer;  // n/16 = 1
    for (const auto& [layer, type] : chosen(mha, "Q4_K_S", ".attn_v."))
        EXPECT_EQ(type, layer < 4 ? DType::Q5_K : DType::Q4_K) << layer;
    for (const auto& [layer, type] : chosen(mha, "Q2_K", ".attn_v.")) EXPECT_EQ(type, DType::Q3_K);
    // Four query heads per KV head: Q2_K keeps attn_v at Q4_K.
    for (const auto& [layer, type] : chosen(gqa, "Q2_K", ".attn_v.")) EXPECT_EQ(type, DType::Q4_K);
    for (const auto& [layer, type] : chosen(mha, "Q2_K", ".attn_output."))
        EXPECT_EQ(type, DType::Q3_K);
    for (const auto& [layer, type] : chosen(mha, "Q5_K_S", ".ffn_down."))
        EXPECT_EQ(type, DType::Q5_K);
    for (const auto& [layer, type] : chosen(mha, "Q8_0", ".attn_v.")) EXPECT_EQ(type, DType::Q8_0);
    TypeChooser c(mha, find_target("Q8_0"));
    EXPECT_EQ(c.choose(mha.require_tensor("token_embd.weight")), DType::Q8_0);
}

}  // namespace
}  // namespace flash::quant
