// `flash doctor`'s rules on invented machines and models: what fits, which level wins, the
// context it leaves, the speed basis and the recipe.
#include <gtest/gtest.h>

#include "core/error.h"
#include "doctor/advice.h"

namespace flash::doctor {
namespace {

constexpr uint64_t GB = 1'000'000'000;

Hardware machine(uint64_t available, std::string os = "Linux") {
    Hardware h;
    h.os = std::move(os);
    h.cores = 8;
    h.isa = "avx2";
    h.ram_total = available + 2 * GB;
    h.ram_available = available;
    h.disk_free = 100 * GB;
    return h;
}

// A 4B model: 36 layers x 8 KV heads x 128 x 2 (k, v) x 2 bytes = 147,456 bytes per token.
ModelFacts four_b() {
    ModelFacts m;
    m.name = "four-b";
    m.parameters = 4'000'000'000;
    m.file_bytes = 8 * GB;
    m.quantization = "F16";
    m.file_bits_per_weight = 16;
    m.context_train = 262144;
    m.kv_bytes_per_token = 147456;
    return m;
}

LevelOption measured(const char* level, uint64_t bytes, double kl, double tps) {
    LevelOption l;
    l.level = level;
    l.bytes = bytes;
    l.kl_mean = kl;
    l.decode_tps = tps;
    l.ladder_threads = 8;
    return l;
}

std::vector<LevelOption> ladder() {
    return {measured("F16", 8 * GB, 0, 4), measured("Q8_0", 4'250'000'000, 0.002, 8),
            measured("Q6_K", 3'300'000'000, 0.008, 10), measured("Q4_K_M", 2'450'000'000, 0.04, 13),
            measured("Q2_K", 1'700'000'000, 0.45, 17)};
}

TEST(DoctorAdvice, PicksTheSmallestFaithfulLevelThatFits) {
    const Advice a = advise(machine(16 * GB), four_b(), ladder());
    ASSERT_TRUE(a.fits);
    EXPECT_EQ(a.choice.level.level, "Q4_K_M");  // KL 0.04 <= 0.05, smallest such
    EXPECT_EQ(a.choice.context, 32768);         // the cap, fits easily in 12.8 GB
    EXPECT_DOUBLE_EQ(a.expected_tps, 13);
    EXPECT_NE(a.speed_basis.find("measured by flash eval ladder with 8 threads"),
              std::string::npos);
    ASSERT_FALSE(a.alternatives.empty());
    EXPECT_EQ(a.alternatives.front().level.level, "Q6_K");  // the next faithful one
    EXPECT_EQ(a.recipe, "colocated");
}

TEST(DoctorAdvice, LessMemoryShortensTheContextThenDropsLevels) {
    // 4 GB available: 3.2 GB usable; Q4_K_M (2.45 GB) + 256 MiB leaves room for 2048 tokens
    // (0.30 GB) but not 4096 (0.60 GB).
    const Advice a = advise(machine(4 * GB), four_b(), ladder());
    ASSERT_TRUE(a.fits);
    EXPECT_EQ(a.choice.level.level, "Q4_K_M");
    EXPECT_EQ(a.choice.context, 2048);
    EXPECT_LE(a.choice.total_bytes, a.budget_bytes);
    // 3 GB: 2.4 GB usable; only Q2_K fits (1.7 + 0.27 + 0.30 GB at 2048 tokens). It is not
    // faithful, yet it is the best that fits.
    const Advice small = advise(machine(3 * GB), four_b(), ladder());
    ASSERT_TRUE(small.fits);
    EXPECT_EQ(small.choice.level.level, "Q2_K");
    EXPECT_TRUE(small.alternatives.empty());
}

TEST(DoctorAdvice, NothingFitsSaysHowMuchIsNeeded) {
    const Advice a = advise(machine(1 * GB), four_b(), ladder());
    EXPECT_FALSE(a.fits);
    ASSERT_FALSE(a.notes.empty());
    EXPECT_NE(a.notes[0].find("no level fits: the smallest (Q2_K) needs"), std::string::npos)
        << a.notes[0];
    EXPECT_FALSE(to_json(a).contains("choice"));
}

TEST(DoctorAdvice, WithoutALadderSizesAreEstimatedAndSpeedComesFromBandwidth) {
    Hardware h = machine(16 * GB);
    h.read_gb_per_s = 30;
    const std::vector<LevelOption> levels = estimated_levels(four_b());
    // The F16 file as it is, and no level above it.
    EXPECT_EQ(levels.front().level, "as is");
    for (const LevelOption& l : levels) EXPECT_NE(l.level, "F16");
    const Advice a = advise(h, four_b(), levels);
    ASSERT_TRUE(a.fits);
    EXPECT_EQ(a.choice.level.level, "Q8_0");  // near-lossless first when nothing is measured
    EXPECT_TRUE(a.choice.level.estimated);
    EXPECT_NEAR(a.expected_tps, 0.6 * 30e9 / (8.5 / 8 * 4e9), 1e-9);
    EXPECT_NE(a.speed_basis.find("estimated: 60% of the 30.0 GB/s"), std::string::npos);
}

TEST(DoctorAdvice, AQuantizedFileIsNotOfferedHigherLevels) {
    ModelFacts m = four_b();
    m.quantization = "Q4_K_M";
    m.file_bits_per_weight = 4.9;
    m.file_bytes = 2'450'000'000;
    std::vector<std::string> names;
    for (const LevelOption& l : estimated_levels(m)) names.push_back(l.level);
    EXPECT_EQ(names, (std::vector<std::string>{"as is", "Q3_K_M", "Q2_K"}));
}

TEST(DoctorAdvice, TheRecipeFollowsTheHardware) {
    Hardware mac = machine(16 * GB, "macOS");
    EXPECT_EQ(advise(mac, four_b(), ladder()).recipe, "apple-silicon");
    Hardware gpu = machine(16 * GB);
    gpu.gpus.push_back({"NVIDIA RTX 4070", 12 * GB});
    EXPECT_EQ(advise(gpu, four_b(), ladder()).recipe, "nvidia");
}

TEST(DoctorAdvice, LadderReportsAreReadAndBadOnesNamed) {
    const nlohmann::json report = nlohmann::json::parse(R"({
        "settings": {"threads": 2},
        "levels": [{"level": "Q8_0", "bytes": 144000000,
                    "fidelity": {"kl_mean": 0.001},
                    "throughput": {"decode_tokens_per_s": 95.5},
                    "suites": {"tools": {"accuracy": 0.5}, "grounded": {"accuracy": 0.7}}}]})");
    const std::vector<LevelOption> levels = levels_from_ladder(report, "ladder.json");
    ASSERT_EQ(levels.size(), 1u);
    EXPECT_EQ(levels[0].level, "Q8_0");
    EXPECT_EQ(levels[0].ladder_threads, 2);
    EXPECT_DOUBLE_EQ(levels[0].decode_tps, 95.5);
    EXPECT_DOUBLE_EQ(*levels[0].kl_mean, 0.001);
    EXPECT_DOUBLE_EQ(*levels[0].score, 0.6);
    try {
        levels_from_ladder(nlohmann::json::parse(R"({"levels": [{"bytes": 5}]})"), "x/ladder.json");
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("x/ladder.json: a level without"), std::string::npos);
    }
    EXPECT_THROW(levels_from_ladder(nlohmann::json::array(), "y"), Error);
}

TEST(DoctorHardware, ThisMachineIsDescribed) {
    const Hardware h = detect_hardware("/nonexistent/models/dir", false);
    EXPECT_GT(h.cores, 0);
    EXPECT_GT(h.ram_total, 0u);
    EXPECT_EQ(h.disk_path, "/");  // the nearest existing folder
    EXPECT_GT(h.disk_free, 0u);
    EXPECT_FALSE(h.isa.empty());
    EXPECT_EQ(h.read_gb_per_s, 0);
}

}  // namespace
}  // namespace flash::doctor

namespace flash::doctor {
namespace {

// A ladder measured from a dequantized 4-bit file: the file itself is as faithful as the
// baseline and the smallest, so serving it as it is wins.
TEST(DoctorAdvice, ThePulledFileCountsAsALevelOfItsOwnLadder) {
    ModelFacts m = four_b();
    m.quantization = "Q4_1";
    m.file_bytes = 2'300'000'000;
    const auto report = nlohmann::json::parse(R"({"source_weights": "Q4_1"})");
    const auto source = source_level(report, m);
    ASSERT_TRUE(source.has_value());
    std::vector<LevelOption> levels = ladder();
    levels.push_back(*source);
    const Advice a = advise(machine(16 * GB), m, levels);
    ASSERT_TRUE(a.fits);
    EXPECT_EQ(a.choice.level.level, "as is");
    EXPECT_FALSE(source_level(nlohmann::json::parse(R"({"source_weights": "F16"})"), m));
}

}  // namespace
}  // namespace flash::doctor

namespace flash::doctor {
namespace {

TEST(DoctorAdvice, AnUnmeasuredLevelTakesItsSpeedFromTheNearestMeasuredOne) {
    ModelFacts m = four_b();
    m.quantization = "Q4_1";
    m.file_bytes = 2'400'000'000;  // a little smaller than Q4_K_M (2.45 GB, 13 tokens/s)
    std::vector<LevelOption> levels = ladder();
    levels.push_back(*source_level(nlohmann::json::parse(R"({"source_weights": "Q4_1"})"), m));
    Hardware h = machine(16 * GB);
    h.read_gb_per_s = 40;  // would give 9.8 tokens/s; the measured neighbour says 13
    const Advice a = advise(h, m, levels);
    ASSERT_EQ(a.choice.level.level, "as is");
    EXPECT_NEAR(a.expected_tps, 13 * 2.45 / 2.40, 1e-9);
    EXPECT_NE(a.speed_basis.find("scaled by size from the ladder's Q4_K_M"), std::string::npos)
        << a.speed_basis;
}

}  // namespace
}  // namespace flash::doctor
