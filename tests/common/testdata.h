// Where the reference data lives: $FLASH_TESTDATA, or ../shared/testdata beside the checkout.
// A missing directory is a test failure with a plain message, never a silent skip.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace flash::testing {

inline std::string testdata_dir() {
    if (const char* env = std::getenv("FLASH_TESTDATA"); env && *env) return env;
    return FLASH_DEFAULT_TESTDATA;  // set by tests/CMakeLists.txt
}

// Path of a file under the testdata directory; fails the calling test if it does not exist.
inline std::string testdata_path(const std::string& relative) {
    const std::string p = testdata_dir() + "/" + relative;
    if (!std::filesystem::exists(p)) {
        ADD_FAILURE() << "reference data missing: " << p
                      << " (set FLASH_TESTDATA to the shared/testdata directory)";
    }
    return p;
}

}  // namespace flash::testing
