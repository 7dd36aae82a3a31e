// The hand-written sources the builder draws on (data/train/sources/): documents whose every
// sentence comes with the question it answers, and a catalogue of functions with requests,
// their calls, a stub result and a final answer. Loading checks each line and names the file
// and line of anything malformed.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "data/example.h"

namespace flash::data {

struct SourceSentence {
    std::string text, question, answer, kind;
};

struct SourceDocument {
    std::string id, genre, title;
    std::vector<SourceSentence> sentences;
    struct Unanswerable {
        std::string question, kind;
    };
    std::vector<Unanswerable> unanswerable;
    std::string source_file = "documents.jsonl";  // named in the examples' `source`
    // A document read from the machine has its whole text here, and only its annotated
    // sentences in `sentences`.
    std::string full_text;

    std::string text() const;  // full_text, or the sentences joined by spaces
    // An example drawn from this document: its source and split group are the document.
    Example example(const std::string& id, const std::string& family,
                    const std::string& kind) const;
    std::string file_name() const;  // from the title: "returns_at_lindqvist_outdoor.txt"
};

struct SourceRequest {
    std::string text;
    Json arguments;
};

struct CatalogFunction {
    std::string domain;
    Json function;  // OpenAI's {"name", "description", "parameters"}
    std::vector<SourceRequest> requests;
    Json result;         // the stub's answer to requests[0]
    std::string answer;  // the final reply to requests[0], from `result`
    struct Missing {
        std::string text, argument, question;
    } missing;

    std::string name() const { return function.value("name", ""); }
    // An example drawn from this function: its source and split group are the function.
    Example example(const std::string& id, const std::string& family,
                    const std::string& kind) const;
    Json tool() const { return Json{{"type", "function"}, {"function", function}}; }
};

std::vector<SourceDocument> load_documents(const std::string& path);

// Documents read from this machine at build time — real texts under permissive terms that a
// Debian system carries (the licence texts in /usr/share/common-licenses) — from a JSONL list
// of {id, path, title, licence, questions: [{sentence, question, kind}], unanswerable:
// [{question, kind}]}, where `sentence` is a snippet of the one sentence that answers. A file
// that cannot be read, or whose annotated sentence is not there (another version of the
// text), is skipped and reported, not fatal.
struct MachineDocuments {
    std::vector<SourceDocument> documents;
    std::vector<std::string> skipped;                             // "path: why"
    std::vector<std::pair<std::string, std::string>> read_files;  // path, sha256
    std::vector<std::string> licences;  // "`path` (title): its terms", for the card
};
MachineDocuments load_machine_documents(const std::string& list_path);
std::vector<CatalogFunction> load_catalog(const std::string& path);

}  // namespace flash::data
