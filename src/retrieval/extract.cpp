#include "retrieval/extract.h"

#include <sys/stat.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "core/error.h"
#include "retrieval/html_text.h"
#include "retrieval/markdown_text.h"
#include "retrieval/pdf_text.h"
#include "retrieval/text_check.h"

namespace flash::retrieval {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string mib(uint64_t bytes) {
    return std::to_string(bytes >> 20) + (bytes % (uint64_t{1} << 20) ? "+" : "") + " MiB";
}

// "\r\n" and lone "\r" → "\n", so line logic downstream sees one convention.
std::string normalize_newlines(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            out += '\n';
            if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
        } else {
            out += s[i];
        }
    }
    return out;
}

// pdftotext -layout pads columns with runs of spaces and separates pages with form feeds;
// neither carries meaning for search, so runs become one space and pages a blank line.
std::string tidy_pdf_text(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c == '\f') {
            while (!out.empty() && out.back() == ' ') out.pop_back();
            out += "\n\n";
        } else if (c == ' ' || c == '\t') {
            if (!out.empty() && out.back() != ' ' && out.back() != '\n') out += ' ';
        } else if (c == '\n') {
            while (!out.empty() && out.back() == ' ') out.pop_back();
            out += '\n';
        } else {
            out += c;
        }
    }
    return out;
}

bool has_text(std::string_view s) {
    for (char c : s)
        if (!std::isspace(static_cast<unsigned char>(c))) return true;
    return false;
}

}  // namespace

std::string read_file_bytes(const std::string& path, const ExtractOptions& options) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) throw Error(path + ": cannot read: " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, not a file");
    if (!S_ISREG(st.st_mode)) throw Error(path + ": not a regular file");
    if (st.st_size == 0) throw Error(path + ": empty file");
    if (static_cast<uint64_t>(st.st_size) > options.max_bytes)
        throw Error(path + ": file is " + std::to_string(st.st_size) +
                    " bytes, larger than the limit of " + mib(options.max_bytes));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(path + ": cannot read: " + std::strerror(errno));
    std::string bytes(static_cast<size_t>(st.st_size), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (in.gcount() != static_cast<std::streamsize>(bytes.size()))
        throw Error(path + ": cannot read: the file changed or shrank while it was read");
    return bytes;
}

std::string kind_of(std::string_view path, std::string_view head) {
    if (head.starts_with("%PDF-")) return "pdf";
    std::string_view h = head;
    if (h.starts_with("\xEF\xBB\xBF")) h.remove_prefix(3);
    while (!h.empty() && std::isspace(static_cast<unsigned char>(h.front()))) h.remove_prefix(1);
    const std::string start = lower(h.substr(0, 14));
    if (start.starts_with("<!doctype html") || start.starts_with("<html")) return "html";
    const size_t slash = path.find_last_of('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const size_t dot = name.find_last_of('.');
    const std::string ext = dot == std::string_view::npos ? "" : lower(name.substr(dot + 1));
    if (ext == "md" || ext == "markdown" || ext == "mdown" || ext == "mkd") return "markdown";
    if (ext == "html" || ext == "htm" || ext == "xhtml") return "html";
    if (ext == "pdf") return "pdf";
    return "text";
}

Document extract_bytes(const std::string& path, std::string_view bytes, const std::string& kind,
                       const ExtractOptions& options) {
    if (bytes.empty()) throw Error(path + ": empty file");
    if (bytes.size() > options.max_bytes)
        throw Error(path + ": " + std::to_string(bytes.size()) +
                    " bytes, larger than the limit of " + mib(options.max_bytes));
    check_text(bytes, path);
    if (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);  // a UTF-8 byte-order mark
    const std::string source = normalize_newlines(bytes);
    Document doc{path, {}, kind};
    if (kind == "markdown") {
        doc.text = markdown_to_text(source);
    } else if (kind == "html") {
        doc.text = html_to_text(source);
    } else if (kind == "text") {
        doc.text = source;
    } else {
        throw Error(path + ": cannot convert document kind '" + kind + "' from memory");
    }
    if (!has_text(doc.text))
        throw Error(path + ": no text in the file (only markup or whitespace)");
    return doc;
}

Document extract_file(const std::string& path, const ExtractOptions& options) {
    return extract_file_bytes(path, read_file_bytes(path, options), options);
}

Document extract_file_bytes(const std::string& path, std::string bytes,
                            const ExtractOptions& options) {
    const std::string kind = kind_of(path, std::string_view(bytes).substr(0, 64));
    if (kind != "pdf") return extract_bytes(path, bytes, kind, options);
    bytes.clear();
    std::string raw = pdf_to_text(path, options.max_bytes);
    try {
        check_text(raw, path + " (text from pdftotext)");
    } catch (const Error&) {
        // NUL or control bytes in extracted text are pdftotext artefacts, not a binary file.
        std::string cleaned;
        for (char c : raw)
            if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t' || c == '\f')
                cleaned += c;
        check_text(cleaned, path + " (text from pdftotext)");
        raw = std::move(cleaned);
    }
    Document doc{path, tidy_pdf_text(raw), "pdf"};
    if (!has_text(doc.text))
        throw Error(path +
                    ": the PDF holds no text (a scanned PDF has only images; run OCR on it "
                    "first, e.g. with ocrmypdf)");
    return doc;
}

}  // namespace flash::retrieval
