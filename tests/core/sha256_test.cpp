// sha256_file and Sha256 against digests computed independently with coreutils' sha256sum.
#include <gtest/gtest.h>

#include <string>

#include "common/temp_dir.h"
#include "core/error.h"
#include "core/sha256.h"

namespace flash {
namespace {

using testing::TempDir;
using testing::write_file;

// `printf 'flash model store\n' | sha256sum`
constexpr const char* kKnownText = "flash model store\n";
constexpr const char* kKnownSha =
    "558779f0722b275992f024902fd4ab86121df091971ab02be684c341db4f4cee";
// `printf '' | sha256sum`
constexpr const char* kEmptySha =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// One million 'a' (crosses the 1 MiB read block size boundary logic and many SHA blocks).
constexpr const char* kMillionASha =
    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

TEST(Sha256, KnownStringFile) {
    TempDir dir;
    write_file(dir / "known.txt", kKnownText);
    EXPECT_EQ(sha256_file(dir / "known.txt"), kKnownSha);
}

TEST(Sha256, EmptyFile) {
    TempDir dir;
    write_file(dir / "empty", "");
    EXPECT_EQ(sha256_file(dir / "empty"), kEmptySha);
}

TEST(Sha256, MillionA) {
    TempDir dir;
    write_file(dir / "a", std::string(1000000, 'a'));
    EXPECT_EQ(sha256_file(dir / "a"), kMillionASha);
}

TEST(Sha256, FileLargerThanReadBlock) {
    TempDir dir;
    std::string data(3 * (1 << 20) + 7, '\0');
    for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 + (i >> 9));
    write_file(dir / "big", data);
    Sha256 h;
    h.update(data.data(), data.size());
    EXPECT_EQ(sha256_file(dir / "big"), h.hex());
}

TEST(Sha256, IncrementalMatchesWhole) {
    Sha256 h;
    const std::string text = kKnownText;
    h.update(text.data(), 5);
    h.update(text.data() + 5, text.size() - 5);
    EXPECT_EQ(h.hex(), kKnownSha);
}

TEST(Sha256, MissingFileNamesPath) {
    try {
        sha256_file("/nonexistent/flash/file.gguf");
        FAIL() << "expected flash::Error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/flash/file.gguf"), std::string::npos)
            << e.what();
    }
}

TEST(Sha256, HexCheck) {
    EXPECT_TRUE(is_sha256_hex(kKnownSha));
    EXPECT_TRUE(is_sha256_hex("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"));
    EXPECT_FALSE(is_sha256_hex("e3b0"));
    EXPECT_FALSE(is_sha256_hex(std::string(63, 'a') + "g"));
}

}  // namespace
}  // namespace flash
