// PDF → text through Debian's poppler-utils: `pdftotext -layout -enc UTF-8 FILE -`, run without
// a shell. Depends on core/ only.
//
// store/subprocess.h is not reused: it interleaves the child's stderr with its stdout, and
// pdftotext writes warnings about damaged PDFs to stderr that must not land in the text.
#pragma once

#include <string>

namespace flash::retrieval {

// The text of every page (pages separated by a form feed, as pdftotext writes them).
// Throws flash::Error naming the file when pdftotext is missing ("install poppler-utils"),
// fails (encrypted or damaged file, with its last message) or produces more than
// `max_bytes` of text.
std::string pdf_to_text(const std::string& path, size_t max_bytes);

// True when a pdftotext program is on PATH.
bool pdftotext_available();

}  // namespace flash::retrieval
