#include "retrieval/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

#include "core/error.h"

namespace flash::retrieval {

Database::Database(const std::string& file, std::string kind, std::string remedy)
    : file_(file), kind_(std::move(kind)), remedy_(std::move(remedy)) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        const std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close(db_);
        db_ = nullptr;
        throw Error(file + ": cannot open " + kind_ + ": " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    // Another flash process may be adding files; wait for it rather than fail at once.
    sqlite3_busy_timeout(db_, 10000);
}

Database::~Database() {
    sqlite3_close_v2(db_);
}

void Database::fail(int rc, const std::string& what) const {
    const int primary = rc & 0xFF;
    const std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
        throw Error(file_ + ": " + kind_ + " is corrupt or not a database (" + msg + "); " +
                    remedy_);
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        throw Error(file_ + ": " + kind_ +
                    " is busy (another flash process is writing to it); try again when it has "
                    "finished");
    if (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN || primary == SQLITE_PERM)
        throw Error(file_ + ": cannot write " + kind_ + " (" + msg + ")");
    if (primary == SQLITE_FULL) throw Error(file_ + ": the disk is full (" + msg + ")");
    throw Error(file_ + ": " + what + ": " + msg);
}

void Database::exec(const char* sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) fail(rc, std::string("running '") + sql + "'");
}

int64_t Database::last_insert_rowid() const {
    return sqlite3_last_insert_rowid(db_);
}

Statement::Statement(Database& db, const char* sql) : db_(db) {
    const int rc = sqlite3_prepare_v2(db.handle(), sql, -1, &stmt_, nullptr);
    if (rc != SQLITE_OK) db.fail(rc, std::string("preparing '") + sql + "'");
}

Statement::~Statement() {
    sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, int64_t value) {
    const int rc = sqlite3_bind_int64(stmt_, index, value);
    if (rc != SQLITE_OK) db_.fail(rc, "binding a value");
    return *this;
}

Statement& Statement::bind(int index, double value) {
    const int rc = sqlite3_bind_double(stmt_, index, value);
    if (rc != SQLITE_OK) db_.fail(rc, "binding a value");
    return *this;
}

Statement& Statement::bind(int index, std::string_view text) {
    const int rc =
        sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    if (rc != SQLITE_OK) db_.fail(rc, "binding a value");
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3_reset(stmt_);
    db_.fail(rc, std::string("running '") + sqlite3_sql(stmt_) + "'");
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

int64_t Statement::int64(int column) const {
    return sqlite3_column_int64(stmt_, column);
}
double Statement::real(int column) const {
    return sqlite3_column_double(stmt_, column);
}
bool Statement::is_null(int column) const {
    return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

std::string Statement::text(int column) const {
    // Bytes, not characters: offsets into stored text are byte offsets.
    const void* p = sqlite3_column_blob(stmt_, column);
    const int n = sqlite3_column_bytes(stmt_, column);
    return p ? std::string(static_cast<const char*>(p), static_cast<size_t>(n)) : std::string();
}

Transaction::Transaction(Database& db) : db_(db) {
    db_.exec("BEGIN IMMEDIATE");
}

Transaction::~Transaction() {
    if (!done_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    db_.exec("COMMIT");
    done_ = true;
}

}  // namespace flash::retrieval
