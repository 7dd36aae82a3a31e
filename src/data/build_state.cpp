#include "data/build_state.h"

#include <filesystem>

#include "core/error.h"

namespace flash::data {
namespace {

using retrieval::Statement;
using retrieval::Transaction;

// The state's path; on a restart the old state goes first, whatever it holds (even a file
// that is not a database).
std::string state_file(const std::string& out_dir, bool restart) {
    std::filesystem::create_directories(out_dir);
    const std::string file = (std::filesystem::path(out_dir) / BuildState::kFileName).string();
    if (restart)
        for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(file + suffix);
    return file;
}

// "seed 1 there, 2 now; sources changed" — what differs between two settings objects.
std::string differences(const Json& there, const Json& now) {
    std::string out;
    for (const auto& [key, value] : now.items()) {
        const Json old = there.value(key, Json());
        if (old == value) continue;
        if (!out.empty()) out += "; ";
        out += key;
        if (value.is_structured() || old.is_structured()) {
            out += " changed";
        } else {
            out += ' ';
            out += old.dump() + " there, " + value.dump() + " now";
        }
    }
    return out.empty() ? "the state was written by another version" : out;
}

}  // namespace

Json tally_to_json(const Tally& tally) {
    return Json{{"kept", tally.kept}, {"rejected", tally.rejected}};
}

Tally tally_from_json(const Json& json) {
    Tally t;
    t.kept = json.at("kept").get<std::map<std::string, int64_t>>();
    t.rejected = json.at("rejected").get<std::map<std::string, int64_t>>();
    return t;
}

BuildState::BuildState(const std::string& out_dir, const Json& settings, bool restart)
    : db_(state_file(out_dir, restart), "the build's state",
          "delete it (or pass --restart) to build from the start") {
    {
        Statement wal(db_, "PRAGMA journal_mode = WAL");
        while (wal.step()) {
        }
    }
    db_.exec(
        "CREATE TABLE IF NOT EXISTS settings (json TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS stages (name TEXT PRIMARY KEY, tally TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS examples (stage TEXT NOT NULL, seq INTEGER NOT NULL, "
        "  json TEXT NOT NULL, PRIMARY KEY (stage, seq));"
        "CREATE TABLE IF NOT EXISTS teacher (id TEXT PRIMARY KEY, message TEXT NOT NULL, "
        "  reason TEXT NOT NULL);"
        "CREATE TABLE IF NOT EXISTS facts (key TEXT PRIMARY KEY, value TEXT NOT NULL);");
    Transaction tx(db_);
    std::optional<Json> stored;
    {
        Statement q(db_, "SELECT json FROM settings");
        if (q.step()) stored = Json::parse(q.text(0));
    }
    if (stored && *stored != settings && !restart)
        throw Error(db_.file() + ": this directory holds a build with other settings (" +
                    differences(*stored, settings) +
                    "); pass --restart to build it again from the start, or choose another --out");
    if (stored && *stored != settings) stored.reset();
    if (restart || !stored) {
        db_.exec(
            "DELETE FROM settings; DELETE FROM stages; DELETE FROM examples; "
            "DELETE FROM teacher; DELETE FROM facts;");
        Statement(db_, "INSERT INTO settings (json) VALUES (?)").bind(1, settings.dump()).run();
    } else {
        Statement q(db_, "SELECT (SELECT count(*) FROM stages) + (SELECT count(*) FROM teacher)");
        resumed_ = q.step() && q.int64(0) > 0;
    }
    tx.commit();
}

std::optional<StageResult> BuildState::stage(const std::string& name) {
    std::lock_guard lock(mutex_);
    Statement q(db_, "SELECT tally FROM stages WHERE name = ?");
    q.bind(1, name);
    if (!q.step()) return std::nullopt;
    StageResult r;
    r.tally = tally_from_json(Json::parse(q.text(0)));
    Statement rows(db_, "SELECT json FROM examples WHERE stage = ? ORDER BY seq");
    rows.bind(1, name);
    while (rows.step()) r.examples.push_back(Example::from_state(Json::parse(rows.text(0))));
    return r;
}

void BuildState::save_stage(const std::string& name, const StageResult& result) {
    std::lock_guard lock(mutex_);
    Transaction tx(db_);
    Statement(db_, "DELETE FROM examples WHERE stage = ?").bind(1, name).run();
    Statement insert(db_, "INSERT INTO examples (stage, seq, json) VALUES (?, ?, ?)");
    for (size_t i = 0; i < result.examples.size(); ++i)
        insert.bind(1, name)
            .bind(2, static_cast<int64_t>(i))
            .bind(3, result.examples[i].to_state().dump())
            .run();
    Statement(db_, "INSERT OR REPLACE INTO stages (name, tally) VALUES (?, ?)")
        .bind(1, name)
        .bind(2, tally_to_json(result.tally).dump())
        .run();
    tx.commit();
}

std::map<std::string, TeacherRecord> BuildState::teacher_records() {
    std::lock_guard lock(mutex_);
    std::map<std::string, TeacherRecord> out;
    Statement q(db_, "SELECT id, message, reason FROM teacher");
    while (q.step()) out[q.text(0)] = TeacherRecord{Json::parse(q.text(1)), q.text(2)};
    return out;
}

void BuildState::save_teacher_record(const std::string& id, const TeacherRecord& record) {
    std::lock_guard lock(mutex_);
    Statement(db_, "INSERT OR REPLACE INTO teacher (id, message, reason) VALUES (?, ?, ?)")
        .bind(1, id)
        .bind(2, record.message.dump())
        .bind(3, record.reason)
        .run();
}

std::optional<std::string> BuildState::value(const std::string& key) {
    std::lock_guard lock(mutex_);
    Statement q(db_, "SELECT value FROM facts WHERE key = ?");
    q.bind(1, key);
    if (!q.step()) return std::nullopt;
    return q.text(0);
}

void BuildState::set_value(const std::string& key, const std::string& value) {
    std::lock_guard lock(mutex_);
    Statement(db_, "INSERT OR REPLACE INTO facts (key, value) VALUES (?, ?)")
        .bind(1, key)
        .bind(2, value)
        .run();
}

}  // namespace flash::data
