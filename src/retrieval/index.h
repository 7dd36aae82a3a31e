// The document index: files → extracted text → sentences → passages, stored in SQLite
// (dir/index.sqlite, WAL journal) with an FTS5 table over passage text ranked by BM25.
// A caller gets, for any passage, its document's path and each sentence's text and byte
// offsets in that document's extracted text — what citations need.
// Depends on core/ and SQLite (and OpenSSL for content hashes).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "retrieval/extract.h"
#include "retrieval/passages.h"

namespace flash::retrieval {

class Database;

// A problem with one input file (unreadable, binary, not UTF-8, ...) rather than with the
// index; add_directory reports these and goes on, any other Error stops it.
class DocumentError : public Error {
  public:
    using Error::Error;
};

struct IndexOptions {
    ExtractOptions extract;
    PassageOptions passages;
    // Test seam: runs inside add()'s transaction just before COMMIT (to kill or throw there).
    std::function<void()> before_commit;
};

enum class AddStatus { added, updated, unchanged };

struct AddResult {
    std::string path;  // as stored: absolute and normalised
    AddStatus status = AddStatus::unchanged;
    size_t passages = 0;
};

// What add_directory did with one file. `error` is set (and `result` empty) for a file that
// was skipped.
struct FileReport {
    std::string path;
    std::optional<AddResult> result;
    std::string error;
};

struct DirectoryResult {
    size_t added = 0, updated = 0, unchanged = 0;
    size_t skipped = 0;  // files that failed (each reported with its error)
    size_t ignored = 0;  // known binary types (images, archives, ...) passed over silently
};

struct SentenceText {
    size_t start = 0, end = 0;  // byte offsets in the document's extracted text
    std::string text;
    bool heading = false;
};

struct PassageHit {
    int64_t id = 0;             // stable until the document changes
    std::string path;           // the document
    double score = 0;           // BM25, higher is better (0 when not from a search)
    size_t start = 0, end = 0;  // byte offsets in the document's extracted text
    std::string text;           // the passage: text[start, end)
    std::vector<SentenceText> sentences;
};

struct DocumentInfo {
    std::string path, kind;
    uint64_t file_bytes = 0, text_bytes = 0;
    size_t passages = 0;
};

// One connection to the index; use an Index from one thread at a time. Several processes may
// share an index directory (SQLite locks it; a writer waits up to 10 s for another).
class Index {
  public:
    // Creates `dir` and dir/index.sqlite if needed. Throws flash::Error naming the file when
    // it is not a flash index or is corrupt (suggesting to delete and re-create it).
    static Index open(const std::string& dir, IndexOptions options = {});
    // An index that lives in memory only (documents given directly with a question).
    static Index in_memory(IndexOptions options = {});

    Index(Index&&) noexcept;
    Index& operator=(Index&&) noexcept;
    ~Index();

    // Ingests one file (DocumentError when the file is the problem). Unchanged content (same
    // sha256) is a no-op; changed content replaces the document's passages. All in one transaction:
    // a crash leaves the previous state.
    AddResult add(const std::string& path);
    // Ingests text already extracted (doc.path is stored as given).
    AddResult add_document(const Document& doc);
    // Adds every regular, non-hidden file under `dir` (recursively; images, archives and other
    // known binary types are passed over). A file that fails is reported with its error and
    // the walk goes on. `on_file` (optional) hears about each file as it is done.
    DirectoryResult add_directory(const std::string& dir,
                                  const std::function<void(const FileReport&)>& on_file = {});
    // Removes a document — or every document under a directory path. Returns how many.
    size_t remove(const std::string& path);

    // The k best passages for a free-text query (any punctuation is fine), best first.
    std::vector<PassageHit> search(std::string_view query, size_t k = 5) const;
    std::optional<PassageHit> passage(int64_t id) const;
    std::vector<DocumentInfo> documents() const;
    // The extracted text of a stored document (offsets in PassageHit refer to it).
    std::optional<std::string> document_text(const std::string& path) const;
    // Every sentence of a stored document, in order (a sentence's position here is its index
    // in the document, as citations report it); empty when the document is not stored.
    std::vector<SentenceText> document_sentences(const std::string& path) const;

    // dir/index.sqlite, or ":memory:".
    const std::string& file() const;

  private:
    Index(std::unique_ptr<Database> db, IndexOptions options);
    AddResult store(const std::string& path, const Document& doc, const std::string& sha256,
                    uint64_t file_bytes, int64_t mtime_ns);
    std::optional<std::string> stored_path(const std::string& path) const;

    std::unique_ptr<Database> db_;
    IndexOptions options_;
};

// The absolute, normalised form under which `path` is stored (symlinks resolved when it
// exists).
std::string index_path(const std::string& path);

}  // namespace flash::retrieval
