// `flash data build`: the open training dataset from the hand-written sources — examples of
// the three families, each verified by the code that scores the evaluation suites, cleaned of
// duplicates and of any overlap with the suites, split by source (train/valid/test), written
// as JSONL with a dataset card (Hugging Face front matter) and a manifest of sha256 sums.
// Without a teacher the build is deterministic: the same seed and sources give the same bytes.
// Its progress is saved (build_state.h): a build stopped at any point resumes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "data/hygiene.h"
#include "data/tally.h"
#include "data/teacher.h"

namespace flash::data {

struct BuildOptions {
    std::string out_dir;
    // documents.jsonl, tools_catalog.jsonl and (optional) machine_documents.jsonl
    std::string sources_dir = "data/train/sources";
    std::string eval_dir = "data/eval";  // decontaminated against
    uint64_t seed = 1;
    std::string size = "default";  // small | default | large
    TeacherOptions teacher;        // no URL: built replies only
    bool restart = false;          // discard a saved state instead of resuming it
    std::string tokenizer;         // a GGUF whose vocabulary counts the card's token lengths
};

struct SplitCounts {
    int64_t train = 0, valid = 0, test = 0;
};

struct BuildReport {
    Tally tally;
    HygieneReport hygiene;
    SplitCounts splits;
    size_t eval_files = 0;
    std::optional<TeacherReport> teacher;
    std::vector<std::string> machine_licences;   // documents read from this machine
    std::vector<std::string> skipped_documents;  // "path: why"
    bool resumed = false;
    double seconds = 0;
};

// A line for the person waiting: `status` lines report progress and may be overwritten by the
// next; the others are milestones.
using BuildProgress = std::function<void(const std::string& line, bool status)>;

BuildReport build_dataset(const BuildOptions& options, const BuildProgress& progress = {});

// "train", "valid" or "test" for a source group: about 90/5/5, the same for every seed.
std::string split_of(const std::string& group);

}  // namespace flash::data
