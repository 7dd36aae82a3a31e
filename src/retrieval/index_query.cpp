// Reading the index: BM25 search, passages by id, the document list and document text.
#include <cstdio>
#include <string>

#include "retrieval/fts_query.h"
#include "retrieval/index.h"
#include "retrieval/sentence_codec.h"
#include "retrieval/sqlite_db.h"

namespace flash::retrieval {
namespace {

// Columns: passage id, document path, score, start, end, sentences JSON, passage text.
constexpr const char* k_passage_columns =
    "p.id, d.path, %s, p.start_byte, p.end_byte, p.sentences, passage_fts.text "
    "FROM passages p JOIN documents d ON d.id = p.doc_id JOIN passage_fts ON passage_fts.rowid = "
    "p.id";

std::string passage_sql(const char* score, const char* rest) {
    char buf[512];
    std::snprintf(buf, sizeof buf, k_passage_columns, score);
    return std::string("SELECT ") + buf + " " + rest;
}

PassageHit read_hit(const Statement& q, const std::string& file) {
    PassageHit hit;
    hit.id = q.int64(0);
    hit.path = q.text(1);
    hit.score = q.real(2);
    hit.start = static_cast<size_t>(q.int64(3));
    hit.end = static_cast<size_t>(q.int64(4));
    hit.text = q.text(6);
    const std::string where = file + ": passage " + std::to_string(hit.id);
    if (hit.end < hit.start || hit.end - hit.start != hit.text.size())
        throw Error(where +
                    ": offsets do not match its text; the index is corrupt, delete it "
                    "and add the documents again");
    for (const Sentence& s : decode_sentences(q.text(5), where)) {
        if (s.start < hit.start || s.end > hit.end)
            throw Error(where +
                        ": a sentence lies outside the passage; the index is corrupt, "
                        "delete it and add the documents again");
        hit.sentences.push_back(
            {s.start, s.end, hit.text.substr(s.start - hit.start, s.end - s.start), s.heading});
    }
    return hit;
}

}  // namespace

std::vector<PassageHit> Index::search(std::string_view query, size_t k) const {
    const std::string match = fts_match_query(query);
    if (match.empty() || k == 0) return {};
    // FTS5's bm25() is lower-is-better; flip it so scores read naturally.
    const std::string sql = passage_sql(
        "-bm25(passage_fts)", "WHERE passage_fts MATCH ?1 ORDER BY bm25(passage_fts) LIMIT ?2");
    Statement q(*db_, sql.c_str());
    q.bind(1, match).bind(2, static_cast<int64_t>(k));
    std::vector<PassageHit> hits;
    while (q.step()) hits.push_back(read_hit(q, db_->file()));
    return hits;
}

std::optional<PassageHit> Index::passage(int64_t id) const {
    Statement q(*db_, passage_sql("0.0", "WHERE p.id = ?1").c_str());
    q.bind(1, id);
    if (!q.step()) return std::nullopt;
    return read_hit(q, db_->file());
}

std::vector<DocumentInfo> Index::documents() const {
    Statement q(*db_,
                "SELECT path, kind, file_bytes, length(CAST(text AS BLOB)), "
                "(SELECT count(*) FROM passages WHERE doc_id = documents.id) "
                "FROM documents ORDER BY path");
    std::vector<DocumentInfo> out;
    while (q.step())
        out.push_back({q.text(0), q.text(1), static_cast<uint64_t>(q.int64(2)),
                       static_cast<uint64_t>(q.int64(3)), static_cast<size_t>(q.int64(4))});
    return out;
}

std::optional<std::string> Index::document_text(const std::string& path) const {
    const std::optional<std::string> stored = stored_path(path);
    if (!stored) return std::nullopt;
    Statement q(*db_, "SELECT text FROM documents WHERE path = ?1");
    q.bind(1, *stored);
    if (!q.step()) return std::nullopt;
    return q.text(0);
}

std::vector<SentenceText> Index::document_sentences(const std::string& path) const {
    std::vector<SentenceText> out;
    const std::optional<std::string> stored = stored_path(path);
    if (!stored) return out;
    Statement q(*db_, passage_sql("0.0", "WHERE d.path = ?1 ORDER BY p.start_byte").c_str());
    q.bind(1, *stored);
    while (q.step()) {
        PassageHit hit = read_hit(q, db_->file());
        for (SentenceText& s : hit.sentences) out.push_back(std::move(s));
    }
    return out;
}

}  // namespace flash::retrieval
