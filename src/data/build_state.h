// A build's progress in SQLite (as the index keeps its own), so a build killed at any moment —
// by kill -9, a power cut or a teacher that went down — resumes where it stopped with no
// duplicate and no lost example: each family's examples are committed in one transaction when
// the family is done, each teacher reply as it arrives. The state is `.build-state.sqlite` in
// the output directory (hidden: dataset loaders skip it) and is tied to the build's settings.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "data/example.h"
#include "data/tally.h"
#include "retrieval/sqlite_db.h"

namespace flash::data {

struct StageResult {
    std::vector<Example> examples;
    Tally tally;
};

// A teacher's reply to one example and what the checks made of it.
struct TeacherRecord {
    Json message;        // the assistant message as the teacher wrote it
    std::string reason;  // empty: kept; otherwise why it was rejected
};

class BuildState {
  public:
    static constexpr const char* kFileName = ".build-state.sqlite";

    // Opens or creates the state in `out_dir`. A state left by a build with other settings is
    // an error naming them, unless `restart` (then it is emptied).
    BuildState(const std::string& out_dir, const Json& settings, bool restart);

    // Whether this state held work from an earlier run when opened.
    bool resumed() const { return resumed_; }

    std::optional<StageResult> stage(const std::string& name);
    void save_stage(const std::string& name, const StageResult& result);

    std::map<std::string, TeacherRecord> teacher_records();
    // Thread-safe: the teacher's workers save replies as they come.
    void save_teacher_record(const std::string& id, const TeacherRecord& record);

    // Small facts a resumed build must see again (the teacher's model name).
    std::optional<std::string> value(const std::string& key);
    void set_value(const std::string& key, const std::string& value);

  private:
    retrieval::Database db_;
    std::mutex mutex_;
    bool resumed_ = false;
};

Json tally_to_json(const Tally& tally);
Tally tally_from_json(const Json& json);

}  // namespace flash::data
