// flash convert on the testdata models: GGUF -> Hugging Face checkpoint -> GGUF gives back the
// same tensors (names, types, shapes, bytes) and hyperparameters for every float file and
// architecture; quantized files come back as their dequantized values; a sharded checkpoint
// and a multimodal Qwen3.5 one read like a single text-only file; llama's q/k permutation and
// Qwen3.5's value-head tiling are llama.cpp's; vocabularies go to tokenizer.json and back
// (byte-level BPE: the same keys; SentencePiece: the same ids); bad input is a clear error.
// (transformers' own logits on the converted checkpoints: tests/convert/transformers_parity.py.)
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "common/error_of.h"
#include "common/temp_dir.h"
#include "common/testdata.h"
#include "convert/convert.h"
#include "convert/hf_names.h"
#include "convert/hf_tokenizer.h"
#include "core/gguf.h"
#include "core/gguf_writer.h"
#include "core/safetensors.h"
#include "kernels/kernels.h"
#include "tokenizer/tokenizer.h"

namespace flash::convert {
namespace {

using testing::error_of;
using testing::TempDir;
namespace fs = std::filesystem;

std::string model(const std::string& name) {
    return testing::testdata_path("models/" + name);
}

// Converts `gguf` to a checkpoint and back; returns the path of the GGUF written.
std::string round_trip(const std::string& gguf, const TempDir& dir, const ConvertOptions& o = {}) {
    gguf_to_hf(gguf, dir / "hf", o);
    hf_to_gguf(dir / "hf", dir / "back.gguf", o);
    return dir / "back.gguf";
}

void expect_same_model(const GgufFile& a, const GgufFile& b) {
    ASSERT_EQ(a.tensors().size(), b.tensors().size());
    for (const GgufTensor& t : a.tensors()) {
        SCOPED_TRACE(t.name);
        const GgufTensor* u = b.find_tensor(t.name);
        ASSERT_NE(u, nullptr);
        EXPECT_EQ(u->type, t.type);
        EXPECT_EQ(u->dims, t.dims);
        ASSERT_EQ(u->n_bytes, t.n_bytes);
        // Bytes, Qwen3.5's ssm_a included: its trip through A_log = log(-ssm_a) is exact where
        // |A_log| < 1 and happens to be for the testdata's one larger value (-3.4); another
        // model's could move by up to 3 ulps there (Qwen35DecayRateSurvivesALog).
        EXPECT_EQ(std::memcmp(u->data, t.data, t.n_bytes), 0);
    }
    const std::string arch(a.require_string("general.architecture"));
    EXPECT_EQ(b.require_string("general.architecture"), arch);
    size_t compared = 0;
    for (const auto& [key, value] : a.metadata()) {
        if (key.rfind(arch + ".", 0) != 0) continue;
        SCOPED_TRACE(key);
        const GgufValue* other = b.find(key);
        ASSERT_NE(other, nullptr);
        EXPECT_EQ(other->type, value.type);
        EXPECT_EQ(other->to_string(64), value.to_string(64));
        ++compared;
    }
    EXPECT_GE(compared, 12u);
}

class FloatRoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(FloatRoundTrip, GivesBackTheSameTensorsAndHyperparameters) {
    TempDir dir;
    const std::string original = model(GetParam() + ".gguf");
    const GgufFile a(original);
    const GgufFile b(round_trip(original, dir));
    expect_same_model(a, b);
    EXPECT_TRUE(fs::exists(dir / "hf/config.json"));
    const SafetensorsFile st(dir / "hf/model.safetensors");
    EXPECT_EQ(st.metadata().at("format"), "pt");
}

INSTANTIATE_TEST_SUITE_P(Testdata, FloatRoundTrip,
                         ::testing::Values("llama-F32", "llama-F16", "llama-BF16", "qwen2-F32",
                                           "qwen2-F16", "qwen3-F32", "qwen3-F16", "gemma3-F32",
                                           "gemma3-F16", "qwen35-F32", "qwen35-F16"),
                         [](const auto& info) {
                             std::string n = info.param;
                             for (char& c : n)
                                 if (c == '-') c = '_';
                             return n;
                         });

TEST(Convert, QuantizedTensorsComeBackAsTheirDequantizedValues) {
    TempDir dir;
    const std::string original = model("llama-Q4_K_M.gguf");
    const GgufFile a(original);
    const GgufFile b(round_trip(original, dir));
    for (const GgufTensor& t : a.tensors()) {
        SCOPED_TRACE(t.name);
        const GgufTensor& u = b.require_tensor(t.name);
        EXPECT_EQ(u.type, DType::F32);
        std::vector<float> want(static_cast<size_t>(t.n_elements));
        const size_t row = row_bytes(t.type, t.dims[0]);
        for (int64_t r = 0; r < t.rows(); ++r)
            kernels::dequantize_row(t.type, t.data + r * row, want.data() + r * t.dims[0],
                                    t.dims[0]);
        ASSERT_EQ(u.n_bytes, want.size() * 4);
        EXPECT_EQ(std::memcmp(u.data, want.data(), u.n_bytes), 0);
    }
    // --type F16 stores the matrices in F16; the norms stay F32 in GGUF as llama.cpp keeps them.
    TempDir half;
    ConvertOptions o;
    o.type = FloatType::F16;
    const GgufFile c(round_trip(original, half, o));
    EXPECT_EQ(c.require_tensor("blk.0.attn_q.weight").type, DType::F16);
    EXPECT_EQ(c.require_tensor("blk.0.attn_norm.weight").type, DType::F32);
}

TEST(Convert, Qwen35ConvKernelStaysF32InGgufWhateverTheType) {
    // ggml's ssm_conv takes only F32 kernels (flash refuses others), as llama.cpp stores them.
    TempDir dir;
    ConvertOptions o;
    o.type = FloatType::F16;
    const GgufFile g(round_trip(model("qwen35-F32.gguf"), dir, o));
    EXPECT_EQ(g.require_tensor("blk.0.ssm_conv1d.weight").type, DType::F32);
    EXPECT_EQ(g.require_tensor("blk.0.attn_qkv.weight").type, DType::F16);
    const SafetensorsFile st(dir / "hf/model.safetensors");
    EXPECT_EQ(st.find("model.layers.0.linear_attn.conv1d.weight")->shape,
              (std::vector<int64_t>{768, 1, 4}));
}

TEST(Convert, AMultimodalQwen35CheckpointConvertsAsItsTextModel) {
    // Qwen3_5ForConditionalGeneration's layout: the text model's config in text_config, its
    // tensors under model.language_model., a vision tower and an MTP head beside them.
    TempDir dir;
    gguf_to_hf(model("qwen35-F32.gguf"), dir / "hf", {});
    const SafetensorsFile text(dir / "hf/model.safetensors");
    fs::create_directories(dir / "vl");
    SafetensorsWriter w;
    for (const SafeTensor& t : text.tensors()) {
        const std::string name =
            t.name.rfind("model.", 0) == 0 ? "model.language_model." + t.name.substr(6) : t.name;
        w.add(name, t.dtype, t.shape,
              [&t](std::vector<uint8_t>& out) { out.assign(t.data, t.data + t.bytes); });
    }
    for (const char* extra : {"model.visual.patch_embed.proj.weight", "mtp.fc.weight"})
        w.add(extra, SafeDType::F32, {2, 2}, [](std::vector<uint8_t>& out) { out.assign(16, 0); });
    w.write(dir / "vl/model.safetensors");
    std::ifstream in(dir / "hf/config.json");
    const Json text_config = Json::parse(in);
    const Json config{{"architectures", {"Qwen3_5ForConditionalGeneration"}},
                      {"model_type", "qwen3_5"},
                      {"text_config", text_config},
                      {"vision_config", {{"depth", 27}}}};
    dir.write("vl/config.json", config.dump());
    const ConvertReport report = hf_to_gguf(dir / "vl", dir / "vl.gguf", {});
    expect_same_model(GgufFile(model("qwen35-F32.gguf")), GgufFile(dir / "vl.gguf"));
    ASSERT_FALSE(report.notes.empty());
    EXPECT_NE(report.notes.back().find("2 vision and multi-token-prediction tensors left out"),
              std::string::npos);
}

TEST(Convert, AQwen35ConfigItsTensorsOrLlamaCppCannotFollowIsAClearError) {
    TempDir dir;
    gguf_to_hf(model("qwen35-F32.gguf"), dir / "hf", {});
    std::ifstream in(dir / "hf/config.json");
    const Json good = Json::parse(in);
    auto error_with = [&](const char* key, const Json& value) {
        Json config = good;
        config[key] = value;
        dir.write("hf/config.json", config.dump());
        ConvertOptions force;
        force.force = true;
        return error_of([&] { hf_to_gguf(dir / "hf", dir / "o.gguf", force); });
    };
    // Twice the value heads, half as wide: the same inner size, but 2 rows of in_proj_a.
    Json heads = good;
    heads["linear_num_value_heads"] = 4;
    heads["linear_value_head_dim"] = 64;
    dir.write("hf/config.json", heads.dump());
    EXPECT_NE(error_of([&] {
                  hf_to_gguf(dir / "hf", dir / "o.gguf", {});
              }).find("rows, which do not split into the heads of its config"),
              std::string::npos);
    EXPECT_NE(error_with("layer_types", {"linear_attention"})
                  .find("'layer_types' must list one type per layer"),
              std::string::npos);
    Json rope = good["rope_parameters"];
    rope["mrope_section"] = {1, 1, 2};
    EXPECT_NE(error_with("rope_parameters", rope).find("unrotated in llama.cpp's RoPE"),
              std::string::npos);
    rope["rope_type"] = "yarn";
    EXPECT_NE(error_with("rope_parameters", rope).find("rope_type \"yarn\" is not converted yet"),
              std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "o.gguf"));
}

TEST(Convert, AShardedCheckpointReadsLikeOneFile) {
    TempDir dir;
    gguf_to_hf(model("qwen2-F32.gguf"), dir / "hf", {});
    const SafetensorsFile whole(dir / "hf/model.safetensors");
    // Two shards and an index, as transformers writes a large model.
    fs::create_directories(dir / "sharded");
    fs::copy_file(dir / "hf/config.json", dir / "sharded/config.json");
    SafetensorsWriter one, two;
    std::string map;
    for (size_t i = 0; i < whole.tensors().size(); ++i) {
        const SafeTensor& t = whole.tensors()[i];
        SafetensorsWriter& w = i % 2 ? two : one;
        w.add(t.name, t.dtype, t.shape,
              [&t](std::vector<uint8_t>& out) { out.assign(t.data, t.data + t.bytes); });
        map += std::string(map.empty() ? "" : ",") + "\"" + t.name + "\":\"" +
               (i % 2 ? "model-00002-of-00002.safetensors" : "model-00001-of-00002.safetensors") +
               "\"";
    }
    one.write(dir / "sharded/model-00001-of-00002.safetensors");
    two.write(dir / "sharded/model-00002-of-00002.safetensors");
    dir.write("sharded/model.safetensors.index.json", "{\"weight_map\":{" + map + "}}");
    hf_to_gguf(dir / "hf", dir / "single.gguf", {});
    hf_to_gguf(dir / "sharded", dir / "sharded.gguf", {});
    expect_same_model(GgufFile(dir / "single.gguf"), GgufFile(dir / "sharded.gguf"));
}

TEST(Convert, LlamaQkPermutationIsLlamaCpps) {
    // 2 heads of 4 rows, 1 byte per row: llama.cpp's reshape(2, 2, 2).swapaxes(1, 2) takes
    // rows [0 1 2 3 | 4 5 6 7] to [0 2 1 3 | 4 6 5 7].
    const std::vector<uint8_t> rows = {0, 1, 2, 3, 4, 5, 6, 7};
    const std::vector<uint8_t> permuted = permute_rows(rows, 8, 1, 2);
    EXPECT_EQ(permuted, (std::vector<uint8_t>{0, 2, 1, 3, 4, 6, 5, 7}));
    EXPECT_EQ(unpermute_rows(permuted, 8, 1, 2), rows);
}

TEST(Convert, Qwen35ValueHeadTilingIsLlamaCpps) {
    // 2 key heads with 2 value heads each, one row per head: llama.cpp's
    // reshape(2, 2, 1).swapaxes(0, 1) takes heads [k0v0 k0v1 k1v0 k1v1] to [k0v0 k1v0 k0v1 k1v1].
    VHeadOrder o;
    o.k_heads = 2;
    o.v_per_k = 2;
    o.head_size = 1;
    const std::vector<uint8_t> grouped = {0, 1, 2, 3};
    EXPECT_EQ(tile_v_heads(grouped, 4, o), (std::vector<uint8_t>{0, 2, 1, 3}));
    EXPECT_EQ(group_v_heads(tile_v_heads(grouped, 4, o), 4, o), grouped);
    // The qkv's q and k rows (here 2) stay; heads of 2 rows move whole.
    o.first = 2;
    o.head_size = 2;
    const std::vector<uint8_t> qkv = {9, 8, 0, 1, 2, 3, 4, 5, 6, 7};
    EXPECT_EQ(tile_v_heads(qkv, 10, o), (std::vector<uint8_t>{9, 8, 0, 1, 4, 5, 2, 3, 6, 7}));
    EXPECT_TRUE(v_heads_fit(o, 10, 1));
    EXPECT_FALSE(v_heads_fit(o, 9, 1));
    // The output projection: heads along each of its rows.
    o = {2, 2, 0, 1, true};
    const std::vector<uint8_t> out_proj = {0, 1, 2, 3, 4, 5, 6, 7};
    EXPECT_EQ(tile_v_heads(out_proj, 2, o), (std::vector<uint8_t>{0, 2, 1, 3, 4, 6, 5, 7}));
    EXPECT_FALSE(v_heads_fit(o, 2, 3));
}

TEST(Convert, Qwen35TensorChangesAreLlamaCpps) {
    const auto arch = *architecture_from_gguf("qwen35");
    HeadCounts h;
    h.q = 2;
    h.kv = 2;
    h.linear_k = 2;
    h.linear_v = 4;
    h.linear_k_dim = 8;
    h.linear_v_dim = 16;
    // Zero-centred RMSNorms are stored + 1; the DeltaNet's gated norm is not.
    for (const char* norm : {"blk.0.attn_norm.weight", "blk.1.attn_q_norm.weight",
                             "blk.0.post_attention_norm.weight", "output_norm.weight"})
        EXPECT_TRUE(tensor_change(arch, norm, h).plus_one) << norm;
    EXPECT_FALSE(tensor_change(arch, "blk.0.ssm_norm.weight", h).plus_one);
    EXPECT_TRUE(tensor_change(arch, "blk.0.ssm_a", h).minus_exp);
    const TensorChange conv = tensor_change(arch, "blk.0.ssm_conv1d.weight", h);
    EXPECT_TRUE(conv.squeezed && conv.f32_in_gguf);
    EXPECT_EQ(conv.v_heads.first, 2 * 2 * 8);
    EXPECT_EQ(conv.v_heads.head_size, 16);
    EXPECT_TRUE(tensor_change(arch, "blk.0.ssm_out.weight", h).v_heads.columns);
    EXPECT_EQ(tensor_change(arch, "blk.0.ssm_dt.bias", h).v_heads.head_size, 1);
    EXPECT_EQ(tensor_change(arch, "blk.1.attn_q.weight", h).v_heads.k_heads, 0);
    EXPECT_EQ(tensor_change(arch, "blk.1.attn_q.weight", h).permute_heads, 0);
    // As many value heads as key heads: the orders agree, nothing moves.
    h.linear_v = 2;
    EXPECT_EQ(tensor_change(arch, "blk.0.attn_gate.weight", h).v_heads.k_heads, 0);
}

TEST(Convert, Qwen35DecayRateSurvivesALog) {
    // ssm_a -> A_log -> ssm_a: exact where |A_log| < 1, within 3 ulps over transformers'
    // initial range of A (0.01 to 16) and beyond, where f32 has fewer A_log values than A ones.
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> a_log(-7.0f, 7.0f);
    for (int i = 0; i < 100000; ++i) {
        const float a = ssm_a_from_a_log(a_log(rng));
        const float back = ssm_a_from_a_log(a_log_from_ssm_a(a));
        int32_t x, y;
        std::memcpy(&x, &a, 4);
        std::memcpy(&y, &back, 4);
        if (std::abs(a_log_from_ssm_a(a)) < 1.0f) {
            ASSERT_EQ(x, y) << a;
        }
        ASSERT_LE(std::abs(x - y), 3) << a;
    }
    EXPECT_EQ(ssm_a_from_a_log(0.0f), -1.0f);
}

TEST(Convert, NamesMapBothWaysForEveryArchitecture) {
    for (const char* a : {"llama", "qwen2", "qwen3", "gemma3", "qwen35"}) {
        const auto arch = architecture_from_gguf(a);
        ASSERT_TRUE(arch) << a;
        const GgufFile g(model(std::string(a) + "-F32.gguf"));
        for (const GgufTensor& t : g.tensors()) {
            const auto hf = hf_name(*arch, t.name);
            ASSERT_TRUE(hf) << a << ": " << t.name;
            EXPECT_EQ(gguf_name(*arch, *hf), t.name) << a;
        }
    }
    const auto llama = *architecture_from_gguf("llama");
    EXPECT_EQ(hf_name(llama, "blk.11.attn_q.weight"), "model.layers.11.self_attn.q_proj.weight");
    EXPECT_EQ(hf_name(llama, "blk.0.ffn_norm.weight"),
              "model.layers.0.post_attention_layernorm.weight");
    EXPECT_EQ(hf_name(*architecture_from_gguf("gemma3"), "blk.0.ffn_norm.weight"),
              "model.layers.0.pre_feedforward_layernorm.weight");
    EXPECT_FALSE(hf_name(llama, "blk.x.attn_q.weight"));
    EXPECT_FALSE(gguf_name(llama, "model.layers.0.self_attn.rotary_emb.inv_freq"));
    const auto qwen35 = *architecture_from_gguf("qwen35");
    EXPECT_EQ(hf_name(qwen35, "blk.0.ssm_a"), "model.layers.0.linear_attn.A_log");
    EXPECT_EQ(hf_name(qwen35, "blk.0.ssm_dt.bias"), "model.layers.0.linear_attn.dt_bias");
    EXPECT_EQ(hf_name(qwen35, "blk.1.post_attention_norm.weight"),
              "model.layers.1.post_attention_layernorm.weight");
    EXPECT_EQ(gguf_name(qwen35, "model.language_model.layers.2.linear_attn.in_proj_z.weight"),
              "blk.2.attn_gate.weight");
    EXPECT_EQ(architecture_from_hf("qwen3_5")->gguf, "qwen35");
    EXPECT_TRUE(outside_text_model("model.visual.blocks.0.attn.qkv.weight"));
    EXPECT_FALSE(outside_text_model("model.language_model.norm.weight"));
}

// tokenizer.json and back: the same vocabulary keys (the texts' ids under Hugging Face's
// tokenizers library: tests/convert/tokenizer_parity.py).
TEST(Convert, ByteLevelBpeVocabulariesRoundTripThroughTokenizerJson) {
    for (const char* name : {"gpt-2", "llama-bpe", "qwen2", "qwen35"}) {
        SCOPED_TRACE(name);
        TempDir dir;
        const GgufFile original(
            testing::testdata_path(std::string("tokenizer/ggml-vocab-") + name + ".gguf"));
        const HfTokenizer hf = hf_tokenizer(original);
        ASSERT_TRUE(hf.tokenizer) << hf.note;
        GgufWriter w;
        w.set_string("general.architecture", "llama");
        gguf_tokenizer(nlohmann::json::parse(hf.tokenizer->dump()), hf.config, w);
        w.write(dir / "vocab.gguf");
        const GgufFile back(dir / "vocab.gguf");
        for (const char* key :
             {"tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens",
              "tokenizer.ggml.token_type", "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id",
              "tokenizer.ggml.eos_token_id", "tokenizer.ggml.padding_token_id",
              "tokenizer.ggml.add_bos_token"}) {
            const GgufValue* a = original.find(key);
            const GgufValue* b = back.find(key);
            if (!a) continue;
            ASSERT_NE(b, nullptr) << key;
            EXPECT_EQ(b->to_string(1u << 30), a->to_string(1u << 30)) << key;
        }
    }
    TempDir dir;
    EXPECT_NE(error_of([&] {
                  GgufWriter w;
                  gguf_tokenizer(Json::parse(R"({"model": {"type": "Unigram"}})"), Json::object(),
                                 w);
              }).find("model type 'Unigram' is not converted yet"),
              std::string::npos);
    const GgufFile gemma4(testing::testdata_path("tokenizer/ggml-vocab-gemma-4.gguf"));
    EXPECT_NE(hf_tokenizer(gemma4).note.find("vocabulary 'gemma4' is not converted yet"),
              std::string::npos);
}

// The shared tokenizer texts (testdata/tokenizer/NAME.special.jsonl), and a few that reach
// what they do not: whitespace runs longer than Llama's longest whitespace token, special-token
// text beside spaces.
std::vector<std::string> tokenizer_texts(const std::string& name) {
    std::vector<std::string> texts = {
        std::string(40, ' '), "a" + std::string(21, ' ') + "b",     "<s>hello</s>",
        "x<s> y</s>  z",      "<|user|>\nhi<|end|>\n<|assistant|>", "<0x0A>"};
    std::ifstream in(testing::testdata_path("tokenizer/" + name + ".special.jsonl"));
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) texts.push_back(nlohmann::json::parse(line).at("text"));
    return texts;
}

// `original`'s vocabulary as tokenizer.json and back into a vocabulary-only GGUF.
void sentencepiece_round_trip(const GgufFile& original, const std::string& out,
                              const std::function<void(Json&)>& edit = {}) {
    const HfTokenizer hf = hf_tokenizer(original);
    ASSERT_TRUE(hf.tokenizer) << hf.note;
    Json tokenizer = *hf.tokenizer;
    if (edit) edit(tokenizer);
    GgufWriter w;
    w.set_string("general.architecture", "llama");
    // llama.cpp knows Phi-3's whitespace-swallowing special tokens by the model's name.
    if (const auto name = original.get_string("general.name"))
        w.set_string("general.name", std::string(*name));
    gguf_tokenizer(nlohmann::json::parse(tokenizer.dump()), hf.config, w);
    w.write(out);
}

void expect_same_ids(const GgufFile& original, const GgufFile& back,
                     const std::vector<std::string>& texts) {
    const Tokenizer a = Tokenizer::from_gguf(original);
    const Tokenizer b = Tokenizer::from_gguf(back);
    for (const std::string& text : texts)
        for (const bool special : {false, true})
            EXPECT_EQ(b.encode(text, special), a.encode(text, special))
                << text << (special ? " (special tokens parsed)" : "");
}

// GGUF -> tokenizer.json -> GGUF for SentencePiece: the scores come back as minus the merge
// ranks, not the same floats, but in the same order, so flash's tokenizer on the GGUF written
// back gives the original's ids for every text, special-token text parsed or not.
TEST(Convert, SentencePieceVocabulariesRoundTripToTheSameIds) {
    for (const char* name : {"llama-spm", "phi-3"}) {
        SCOPED_TRACE(name);
        TempDir dir;
        const GgufFile original(
            testing::testdata_path(std::string("tokenizer/ggml-vocab-") + name + ".gguf"));
        sentencepiece_round_trip(original, dir / "vocab.gguf");
        const GgufFile back(dir / "vocab.gguf");
        for (const char* key :
             {"tokenizer.ggml.model", "tokenizer.ggml.tokens", "tokenizer.ggml.bos_token_id",
              "tokenizer.ggml.eos_token_id", "tokenizer.ggml.unknown_token_id",
              "tokenizer.ggml.padding_token_id", "tokenizer.ggml.add_bos_token",
              "tokenizer.ggml.add_eos_token"}) {
            const GgufValue* a = original.find(key);
            const GgufValue* b = back.find(key);
            if (!a) continue;
            ASSERT_NE(b, nullptr) << key;
            EXPECT_EQ(b->to_string(1u << 30), a->to_string(1u << 30)) << key;
        }
        EXPECT_EQ(back.get_bool("tokenizer.ggml.add_space_prefix"), true);
        // Llama 2's types are those llama.cpp's converter wrote: unknown, control, byte, normal.
        if (std::string(name) == "llama-spm") {
            EXPECT_EQ(back.get_int_array("tokenizer.ggml.token_type"),
                      original.get_int_array("tokenizer.ggml.token_type"));
        }
        expect_same_ids(original, back, tokenizer_texts(name));
    }
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
    const auto* p = reinterpret_cast<const uint8_t*>(values.data());
    return std::vector<uint8_t>(p, p + values.size() * sizeof(T));
}

// Gemma's SentencePiece adds no space prefix: tokenizer.json has no Prepend, and back.
TEST(Convert, SentencePieceWithoutASpacePrefixRoundTrips) {
    TempDir dir;
    const GgufFile llama(testing::testdata_path("tokenizer/ggml-vocab-llama-spm.gguf"));
    GgufWriter w;  // Llama 2's vocabulary, Gemma's flag
    w.set_string("general.architecture", "llama");
    w.set_string("tokenizer.ggml.model", "llama");
    const auto* texts = llama.get_string_array("tokenizer.ggml.tokens");
    w.set_string_array("tokenizer.ggml.tokens", {texts->begin(), texts->end()});
    const auto scores = *llama.get_float_array("tokenizer.ggml.scores");
    w.set_array("tokenizer.ggml.scores", GgufType::F32, bytes_of(scores), scores.size());
    const auto types64 = *llama.get_int_array("tokenizer.ggml.token_type");
    const std::vector<int32_t> types(types64.begin(), types64.end());
    w.set_array("tokenizer.ggml.token_type", GgufType::I32, bytes_of(types), types.size());
    w.set_bool("tokenizer.ggml.add_space_prefix", false);
    w.write(dir / "gemma-style.gguf");
    const GgufFile original(dir / "gemma-style.gguf");

    const HfTokenizer hf = hf_tokenizer(original);
    ASSERT_TRUE(hf.tokenizer) << hf.note;
    EXPECT_EQ((*hf.tokenizer)["normalizer"]["type"], "Replace");
    sentencepiece_round_trip(original, dir / "back.gguf");
    const GgufFile back(dir / "back.gguf");
    EXPECT_EQ(back.get_bool("tokenizer.ggml.add_space_prefix"), false);
    expect_same_ids(original, back, tokenizer_texts("llama-spm"));

    // Newer files spell the prefix as a Metaspace pre-tokenizer; "never" prepends nothing.
    for (const char* scheme : {"always", "first", "never"}) {
        sentencepiece_round_trip(llama, dir / "metaspace.gguf", [&](Json& t) {
            t["normalizer"] = nullptr;
            t["pre_tokenizer"] = {{"type", "Metaspace"},
                                  {"replacement", "\xE2\x96\x81"},
                                  {"prepend_scheme", scheme},
                                  {"split", false}};
        });
        EXPECT_EQ(GgufFile(dir / "metaspace.gguf").get_bool("tokenizer.ggml.add_space_prefix"),
                  std::string(scheme) != "never")
            << scheme;
    }
    // Gemma's Split on ' ' comes after the normalizer has replaced every space: read as none.
    sentencepiece_round_trip(llama, dir / "split.gguf", [](Json& t) {
        t["pre_tokenizer"] = {{"type", "Split"},
                              {"pattern", {{"String", " "}}},
                              {"behavior", "MergedWithPrevious"},
                              {"invert", false}};
    });
    expect_same_ids(llama, GgufFile(dir / "split.gguf"), tokenizer_texts("llama-spm"));

    const std::pair<std::function<void(Json&)>, std::string> refused[] = {
        {[](Json& t) {
             t["normalizer"] = {{"type", "NFKC"}};
         },
         "normalizer 'NFKC' is not converted"},
        {[](Json& t) { t["normalizer"] = nullptr; }, "spaces are not replaced by U+2581"},
        // A split llama.cpp would merge that Hugging Face's BPE never does.
        {[](Json& t) {
             auto& merges = t["model"]["merges"];
             merges.erase(merges.begin() + 100);
         },
         "make a token but are not a merge (1 such splits in all)"},
    };
    for (const auto& case_ : refused) {  // not a structured binding: clang 15 cannot capture one
        const auto& edit = case_.first;
        EXPECT_NE(error_of([&] {
                      sentencepiece_round_trip(llama, dir / "x.gguf", edit);
                  }).find(case_.second),
                  std::string::npos)
            << case_.second;
    }
}

TEST(Convert, BadInputIsAClearError) {
    TempDir dir;
    GgufWriter mamba;
    mamba.set_string("general.architecture", "mamba");
    mamba.add_tensor("token_embd.weight", DType::F32, {4, 2},
                     [](std::vector<uint8_t>& out) { out.assign(32, 0); });
    mamba.write(dir / "mamba.gguf");
    EXPECT_NE(error_of([&] {
                  gguf_to_hf(dir / "mamba.gguf", dir / "x", {});
              }).find("architecture 'mamba' cannot be converted yet (flash converts: llama"),
              std::string::npos);
    gguf_to_hf(model("llama-F32.gguf"), dir / "hf", {});
    EXPECT_NE(error_of([&] {
                  gguf_to_hf(model("llama-F32.gguf"), dir / "hf", {});
              }).find("exists; pass --force"),
              std::string::npos);
    ConvertOptions force;
    force.force = true;
    gguf_to_hf(model("llama-F32.gguf"), dir / "hf", force);
    EXPECT_NE(
        error_of([&] { hf_to_gguf(dir / "nothing", dir / "o.gguf", {}); }).find("not a directory"),
        std::string::npos);
    // A config.json missing a field, then one naming an unknown architecture.
    fs::create_directories(dir / "broken");
    fs::copy_file(dir / "hf/model.safetensors", dir / "broken/model.safetensors");
    dir.write("broken/config.json", R"({"model_type": "llama", "hidden_size": 256})");
    EXPECT_NE(error_of([&] {
                  hf_to_gguf(dir / "broken", dir / "o.gguf", {});
              }).find("config.json: 'num_attention_heads' must be a non-negative integer"),
              std::string::npos);
    dir.write("broken/config.json", R"({"model_type": "mamba"})");
    EXPECT_NE(error_of([&] {
                  hf_to_gguf(dir / "broken", dir / "o.gguf", {});
              }).find("model_type 'mamba' cannot be converted yet"),
              std::string::npos);
    dir.write("broken/config.json", "{not json");
    EXPECT_NE(error_of([&] { hf_to_gguf(dir / "broken", dir / "o.gguf", {}); }).find("config.json"),
              std::string::npos);
    fs::remove(dir / "broken/model.safetensors");
    dir.write("broken/config.json", R"({"model_type": "llama"})");
    EXPECT_NE(error_of([&] {
                  hf_to_gguf(dir / "broken", dir / "o.gguf", {});
              }).find("no model.safetensors or model.safetensors.index.json"),
              std::string::npos);
    EXPECT_NE(
        error_of([] { (void)float_type("Q4_0"); }).find("--type must be auto, F32, F16 or BF16"),
        std::string::npos);
    EXPECT_FALSE(fs::exists(dir / "o.gguf"));
}

}  // namespace
}  // namespace flash::convert
