// The context of a grounded answer: passages retrieved for the question, their sentences
// numbered [1], [2], ... as the model sees them, and for each number where the sentence lives
// (document, sentence index, byte and character offsets), so every citation resolves to text
// that is really in a given document. Depends on retrieval/ and ask/lexical.h.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "retrieval/index.h"

namespace flash::ask {

struct ContextSentence {
    int id = 0;                           // the number the model sees, from 1
    std::string document;                 // the document's path as stored in the index
    size_t document_index = 0;            // into AskContext::documents
    size_t sentence_index = 0;            // the sentence's position in its document, from 0
    size_t start_byte = 0, end_byte = 0;  // in the document's extracted text
    size_t start_char = 0, end_char = 0;  // the same, in Unicode code points
    std::string text;
};

struct AskContext {
    std::vector<std::string> documents;  // citations' document_index refers here
    std::vector<ContextSentence> sentences;
    size_t passages_found = 0;     // passages the search returned
    size_t passages_relevant = 0;  // of those, passages sharing a content word with the question

    const ContextSentence* find(int id) const;
    // The numbered sentences as the prompt shows them, under a line naming each document.
    std::string numbered_text() const;
};

struct RetrievalOptions {
    size_t passages = 3;     // best passages taken from the search
    size_t max_words = 600;  // context budget; lower-ranked passages are dropped past it
};

// Searches `index` for the question and numbers the sentences of the relevant passages
// (grouped by document, in document order). `document_order` (optional, paths as stored)
// fixes the document indices — the order the user gave the documents in; otherwise documents
// are numbered as they first appear.
AskContext build_context(const retrieval::Index& index, std::string_view question,
                         const RetrievalOptions& options,
                         const std::vector<std::string>& document_order = {});

// The last component of a path ("/docs/faq.html" → "faq.html"): how documents are named to
// the model and in citations.
std::string file_name(const std::string& path);

// The number of code points in text[0, byte_offset).
size_t char_offset(std::string_view text, size_t byte_offset);

}  // namespace flash::ask
