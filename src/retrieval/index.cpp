#include "retrieval/index.h"

#include <sys/stat.h>

#include <filesystem>

#include "core/sha256.h"
#include "retrieval/sentence_codec.h"
#include "retrieval/sentences.h"
#include "retrieval/sqlite_db.h"

namespace flash::retrieval {
namespace fs = std::filesystem;
namespace {

constexpr const char* k_schema_version = "1";

// Passage text lives in the FTS table only (the document row keeps the whole text); passage
// rows hold offsets. porter + unicode61: English stemming over Unicode-aware word splitting.
constexpr const char* k_schema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents(
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  file_bytes INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS passages(
  id INTEGER PRIMARY KEY,
  doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
  start_byte INTEGER NOT NULL,
  end_byte INTEGER NOT NULL,
  sentences TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS passages_by_doc ON passages(doc_id);
CREATE VIRTUAL TABLE IF NOT EXISTS passage_fts
  USING fts5(text, tokenize = 'porter unicode61 remove_diacritics 2');
)sql";

struct FileStat {
    uint64_t bytes = 0;
    int64_t mtime_ns = 0;
};

FileStat stat_file(const std::string& path) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return {};  // read_file_bytes reports the reason
    return {static_cast<uint64_t>(st.st_size),
            static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

struct Known {
    int64_t id = 0;
    uint64_t bytes = 0;
    int64_t mtime_ns = 0;
    std::string sha256;
    size_t passages = 0;
};

std::optional<Known> lookup(Database& db, const std::string& path) {
    Statement q(db,
                "SELECT id, file_bytes, mtime_ns, sha256, "
                "(SELECT count(*) FROM passages WHERE doc_id = documents.id) "
                "FROM documents WHERE path = ?1");
    q.bind(1, path);
    if (!q.step()) return std::nullopt;
    return Known{q.int64(0), static_cast<uint64_t>(q.int64(1)), q.int64(2), q.text(3),
                 static_cast<size_t>(q.int64(4))};
}

void delete_passages(Database& db, int64_t doc_id) {
    Statement fts(db,
                  "DELETE FROM passage_fts WHERE rowid IN "
                  "(SELECT id FROM passages WHERE doc_id = ?1)");
    fts.bind(1, doc_id).run();
    Statement rows(db, "DELETE FROM passages WHERE doc_id = ?1");
    rows.bind(1, doc_id).run();
}

void prepare_schema(Database& db, bool on_disk) {
    if (on_disk) {
        // WAL: a writer never blocks readers, and a crash mid-transaction leaves the last
        // committed state. This is also the first read of the file, where garbage shows up.
        Statement wal(db, "PRAGMA journal_mode = WAL");
        wal.step();
        db.exec("PRAGMA synchronous = NORMAL");
    }
    db.exec("PRAGMA foreign_keys = ON");
    Statement tables(db,
                     "SELECT count(*), sum(name = 'meta') FROM sqlite_master WHERE type = 'table'");
    tables.step();
    const int64_t n_tables = tables.int64(0);
    const bool has_meta = !tables.is_null(1) && tables.int64(1) > 0;
    if (n_tables > 0 && !has_meta)
        throw Error(db.file() +
                    ": not a flash index (a SQLite database with other tables); "
                    "delete it or choose another index directory");
    if (has_meta) {
        Statement version(db, "SELECT value FROM meta WHERE key = 'schema'");
        const std::string v = version.step() ? version.text(0) : "";
        if (v != k_schema_version)
            throw Error(db.file() + ": index format '" + v + "' is not the one this flash uses (" +
                        k_schema_version + "); delete it and add the documents again");
        return;
    }
    Transaction t(db);
    db.exec(k_schema);
    Statement meta(db, "INSERT INTO meta(key, value) VALUES ('schema', ?1)");
    meta.bind(1, std::string_view(k_schema_version)).run();
    t.commit();
}

}  // namespace

std::string index_path(const std::string& path) {
    std::error_code ec;
    fs::path p = fs::absolute(path, ec);
    if (ec) return path;
    fs::path canonical = fs::weakly_canonical(p, ec);
    return (ec ? p : canonical).lexically_normal().string();
}

Index::Index(std::unique_ptr<Database> db, IndexOptions options)
    : db_(std::move(db)), options_(std::move(options)) {}
Index::Index(Index&&) noexcept = default;
Index& Index::operator=(Index&&) noexcept = default;
Index::~Index() = default;

Index Index::open(const std::string& dir, IndexOptions options) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (!fs::is_directory(dir))
        throw Error(dir + ": cannot create the index directory" +
                    (ec ? ": " + ec.message() : std::string(" (a file is in the way)")));
    const std::string file = (fs::path(dir) / "index.sqlite").string();
    if (fs::exists(file, ec) && !fs::is_regular_file(file, ec))
        throw Error(file + ": not a file; delete it or choose another index directory");
    auto db = std::make_unique<Database>(file);
    prepare_schema(*db, true);
    return Index(std::move(db), std::move(options));
}

Index Index::in_memory(IndexOptions options) {
    auto db = std::make_unique<Database>(":memory:");
    prepare_schema(*db, false);
    return Index(std::move(db), std::move(options));
}

const std::string& Index::file() const {
    return db_->file();
}

AddResult Index::add(const std::string& path) {
    const std::string stored = index_path(path);
    const FileStat st = stat_file(stored);
    const std::optional<Known> known = lookup(*db_, stored);
    if (known && st.bytes == known->bytes && st.mtime_ns == known->mtime_ns)
        return {stored, AddStatus::unchanged, known->passages};
    std::string bytes;
    try {
        bytes = read_file_bytes(path, options_.extract);
    } catch (const Error& e) {
        throw DocumentError(e.what());
    }
    const std::string sha = sha256_hex(bytes);
    if (known && sha == known->sha256) {
        // Touched but not changed: remember the new stamp so the next check is cheap.
        Statement touch(*db_, "UPDATE documents SET file_bytes = ?1, mtime_ns = ?2 WHERE id = ?3");
        touch.bind(1, static_cast<int64_t>(st.bytes)).bind(2, st.mtime_ns).bind(3, known->id).run();
        return {stored, AddStatus::unchanged, known->passages};
    }
    Document doc;
    try {
        doc = extract_file_bytes(path, std::move(bytes), options_.extract);
    } catch (const Error& e) {
        throw DocumentError(e.what());
    }
    return store(stored, doc, sha, st.bytes, st.mtime_ns);
}

AddResult Index::add_document(const Document& doc) {
    const std::string sha = sha256_hex(doc.text);
    if (const auto known = lookup(*db_, doc.path); known && known->sha256 == sha)
        return {doc.path, AddStatus::unchanged, known->passages};
    return store(doc.path, doc, sha, doc.text.size(), 0);
}

AddResult Index::store(const std::string& path, const Document& doc, const std::string& sha256,
                       uint64_t file_bytes, int64_t mtime_ns) {
    SplitOptions split;
    split.hard_line_breaks = doc.kind == "html";
    const std::vector<Passage> passages =
        group_passages(doc.text, split_sentences(doc.text, split), options_.passages);

    Transaction t(*db_);
    const std::optional<Known> known = lookup(*db_, path);
    int64_t doc_id = 0;
    if (known) {
        doc_id = known->id;
        delete_passages(*db_, doc_id);
        Statement up(*db_,
                     "UPDATE documents SET kind = ?1, file_bytes = ?2, mtime_ns = ?3, "
                     "sha256 = ?4, text = ?5 WHERE id = ?6");
        up.bind(1, doc.kind).bind(2, static_cast<int64_t>(file_bytes)).bind(3, mtime_ns);
        up.bind(4, sha256).bind(5, doc.text).bind(6, doc_id).run();
    } else {
        Statement ins(*db_,
                      "INSERT INTO documents(path, kind, file_bytes, mtime_ns, sha256, text) "
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
        ins.bind(1, path).bind(2, doc.kind).bind(3, static_cast<int64_t>(file_bytes));
        ins.bind(4, mtime_ns).bind(5, sha256).bind(6, doc.text).run();
        doc_id = db_->last_insert_rowid();
    }
    Statement row(*db_,
                  "INSERT INTO passages(doc_id, start_byte, end_byte, sentences) "
                  "VALUES (?1, ?2, ?3, ?4)");
    Statement fts(*db_, "INSERT INTO passage_fts(rowid, text) VALUES (?1, ?2)");
    for (const Passage& p : passages) {
        row.bind(1, doc_id).bind(2, static_cast<int64_t>(p.start));
        row.bind(3, static_cast<int64_t>(p.end)).bind(4, encode_sentences(p.sentences)).run();
        const int64_t id = db_->last_insert_rowid();
        fts.bind(1, id).bind(2, std::string_view(doc.text).substr(p.start, p.end - p.start)).run();
    }
    if (options_.before_commit) options_.before_commit();
    t.commit();
    return {path, known ? AddStatus::updated : AddStatus::added, passages.size()};
}

std::optional<std::string> Index::stored_path(const std::string& path) const {
    for (const std::string& candidate : {index_path(path), path}) {
        Statement q(*db_, "SELECT path FROM documents WHERE path = ?1");
        q.bind(1, candidate);
        if (q.step()) return q.text(0);
    }
    return std::nullopt;
}

size_t Index::remove(const std::string& path) {
    std::vector<int64_t> ids;
    if (const auto p = stored_path(path)) {
        Statement q(*db_, "SELECT id FROM documents WHERE path = ?1");
        q.bind(1, *p);
        while (q.step()) ids.push_back(q.int64(0));
    } else {
        // A directory: every document whose path lies under it.
        std::string prefix = index_path(path);
        while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
        prefix += '/';
        Statement q(*db_, "SELECT id FROM documents WHERE substr(path, 1, length(?1)) = ?1");
        q.bind(1, prefix);
        while (q.step()) ids.push_back(q.int64(0));
    }
    if (ids.empty()) return 0;
    Transaction t(*db_);
    Statement del(*db_, "DELETE FROM documents WHERE id = ?1");
    for (int64_t id : ids) {
        delete_passages(*db_, id);
        del.bind(1, id).run();
    }
    t.commit();
    return ids.size();
}

}  // namespace flash::retrieval
