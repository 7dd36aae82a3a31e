// executable_path names this test program itself: an existing file of that name.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/executable_path.h"

namespace flash {
namespace {

TEST(ExecutablePath, NamesTheRunningProgram) {
    const std::filesystem::path self = executable_path();
    ASSERT_FALSE(self.empty());
    EXPECT_TRUE(std::filesystem::is_regular_file(self)) << self;
    EXPECT_EQ(self.filename(), "flash_test_core");
}

}  // namespace
}  // namespace flash
