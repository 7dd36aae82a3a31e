// Files → text: plain text, Markdown, HTML and PDF become a Document whose `text` is what every
// sentence and passage offset refers to. Depends on core/ only (and runs pdftotext for PDFs).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace flash::retrieval {

struct Document {
    std::string path;  // as given to extract_file
    std::string text;  // extracted UTF-8 text; offsets elsewhere are byte offsets into it
    std::string kind;  // "text", "markdown", "html" or "pdf"
};

struct ExtractOptions {
    uint64_t max_bytes = uint64_t{50} << 20;  // larger files (and larger PDF text) are refused
};

// The kind for a path, by extension (.md/.markdown, .html/.htm/.xhtml, .pdf; anything else is
// text) — unless `head` (the file's first bytes) says it is a PDF or an HTML page.
std::string kind_of(std::string_view path, std::string_view head = {});

// Reads and converts one file. Throws flash::Error naming the file when it cannot be read, is
// not a regular file, is empty, is larger than max_bytes, is binary, is not valid UTF-8 (with
// the byte offset) or holds no text once converted.
Document extract_file(const std::string& path, const ExtractOptions& options = {});

// The checks on a file before its bytes are worth reading (exists, regular, not empty, within
// max_bytes), then its bytes. Throws flash::Error naming the file.
std::string read_file_bytes(const std::string& path, const ExtractOptions& options = {});

// Converts the bytes read_file_bytes returned for `path` (a PDF is converted from the file
// itself, by pdftotext).
Document extract_file_bytes(const std::string& path, std::string bytes,
                            const ExtractOptions& options = {});

// Converts bytes already in memory (`kind` as kind_of returns it; not "pdf"). Same checks as
// extract_file; `path` only names the document in errors and in the result.
Document extract_bytes(const std::string& path, std::string_view bytes, const std::string& kind,
                       const ExtractOptions& options = {});

}  // namespace flash::retrieval
