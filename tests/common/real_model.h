// The real models the end-to-end tests use, found through environment variables that
// scripts/test.sh sets after `flash pull` (FLASH_SMOLLM2, FLASH_GEMMA3). A test without its
// model is skipped with a message saying how to get it.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace flash::testing {

// The path of a pulled model named by an environment variable, or "" when unset or missing.
inline std::string model_from_env(const char* variable) {
    const char* env = std::getenv(variable);
    return env && *env && std::filesystem::exists(env) ? env : "";
}

}  // namespace flash::testing

// Declares `path` as the model in `variable`, skipping the test (saying how to get the model)
// when it is not there.
#define REQUIRE_MODEL(path, variable, catalog_name)                                              \
    const std::string path = ::flash::testing::model_from_env(variable);                         \
    if (path.empty())                                                                            \
        GTEST_SKIP() << variable << " is not set to the pulled model (scripts/test.sh sets it; " \
                     << "or run: flash pull " << catalog_name << ")";
#define REQUIRE_SMOLLM2(path) REQUIRE_MODEL(path, "FLASH_SMOLLM2", "smollm2")
#define REQUIRE_GEMMA3(path) REQUIRE_MODEL(path, "FLASH_GEMMA3", "gemma3-270m")
