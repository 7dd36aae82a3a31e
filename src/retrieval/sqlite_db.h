// A thin RAII layer over SQLite: a connection, prepared statements and transactions, with every
// failure turned into a flash::Error that names the database file. Depends on core/ and SQLite.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace flash::retrieval {

class Database;

class Statement {
  public:
    Statement(Database& db, const char* sql);
    ~Statement();
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, int64_t value);
    Statement& bind(int index, double value);
    Statement& bind(int index, std::string_view text);
    // Advances to the next row; false when done. Throws on error.
    bool step();
    // Runs a statement that returns no rows, then resets it for reuse.
    void run();
    void reset();

    int64_t int64(int column) const;
    double real(int column) const;
    std::string text(int column) const;
    bool is_null(int column) const;

  private:
    Database& db_;
    sqlite3_stmt* stmt_ = nullptr;
};

class Database {
  public:
    // `file` is a path, or ":memory:". Opening is lazy in SQLite: a file that is not a
    // database fails at the first statement, with the message from fail().
    // `kind` and `remedy` word the errors: "the index", "delete it and add the documents
    // again to re-create it".
    explicit Database(const std::string& file, std::string kind = "the index",
                      std::string remedy = "delete it and add the documents again to re-create it");
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    void exec(const char* sql);
    int64_t last_insert_rowid() const;
    const std::string& file() const { return file_; }
    sqlite3* handle() const { return db_; }

    // Throws flash::Error for SQLite result `rc` while doing `what`. A corrupt file or one
    // that is not a database gets a message saying so and how to re-create the index.
    [[noreturn]] void fail(int rc, const std::string& what) const;

  private:
    std::string file_, kind_, remedy_;
    sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE on construction (so a writer waits for others up front instead of failing
// halfway); ROLLBACK on destruction unless commit() ran.
class Transaction {
  public:
    explicit Transaction(Database& db);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

  private:
    Database& db_;
    bool done_ = false;
};

}  // namespace flash::retrieval
