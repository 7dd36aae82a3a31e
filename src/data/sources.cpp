#include "data/sources.h"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/json_input.h"
#include "core/sha256.h"
#include "retrieval/sentences.h"

namespace flash::data {
namespace {

// Each non-empty line of a JSONL file, parsed; `read` turns it into a T.
template <typename T, typename Read>
std::vector<T> load_jsonl(const std::string& path, Read read) {
    std::ifstream in(path);
    if (!in) throw Error(path + ": cannot be read");
    std::vector<T> out;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const std::string where = path + ":" + std::to_string(number);
        try {
            out.push_back(read(parse_json<Json>(line, where), where));
        } catch (const Json::exception& e) {
            throw Error(where + ": " + e.what());
        }
    }
    if (out.empty()) throw Error(path + ": no entries");
    return out;
}

std::string text_of(const Json& j, const char* key, const std::string& where) {
    if (!j.contains(key) || !j[key].is_string() || j[key].get<std::string>().empty())
        throw Error(where + ": '" + key + "' must be a non-empty string");
    return j[key].get<std::string>();
}

}  // namespace

std::string SourceDocument::text() const {
    if (!full_text.empty()) return full_text;
    std::string out;
    for (size_t i = 0; i < sentences.size(); ++i) out += (i ? " " : "") + sentences[i].text;
    return out + "\n";
}

std::string SourceDocument::file_name() const {
    std::string name;
    for (const char c : title) {
        if (std::isalnum(static_cast<unsigned char>(c)))
            name += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        else if (!name.empty() && name.back() != '_')
            name += '_';
    }
    while (!name.empty() && name.back() == '_') name.pop_back();
    return (name.empty() ? id : name) + ".txt";
}

namespace {

Example example_from(const std::string& id, const std::string& family, const std::string& kind,
                     const std::string& file, const std::string& name) {
    Example e;
    e.id = id;
    e.family = family;
    e.kind = kind;
    e.source = file + "#" + name;
    e.group = name;
    return e;
}

}  // namespace

Example SourceDocument::example(const std::string& example_id, const std::string& family,
                                const std::string& kind) const {
    return example_from(example_id, family, kind, source_file, id);
}

Example CatalogFunction::example(const std::string& id, const std::string& family,
                                 const std::string& kind) const {
    return example_from(id, family, kind, "tools_catalog.jsonl", name());
}

std::vector<SourceDocument> load_documents(const std::string& path) {
    return load_jsonl<SourceDocument>(path, [](const Json& j, const std::string& where) {
        SourceDocument d;
        d.id = text_of(j, "id", where);
        d.genre = text_of(j, "genre", where);
        d.title = text_of(j, "title", where);
        for (const Json& s : j.at("sentences")) {
            SourceSentence x{text_of(s, "text", where), text_of(s, "question", where),
                             text_of(s, "answer", where), text_of(s, "kind", where)};
            if (x.text.find(x.answer) == std::string::npos)
                throw Error(where + ": answer '" + x.answer + "' is not in its sentence");
            d.sentences.push_back(std::move(x));
        }
        for (const Json& u : j.at("unanswerable"))
            d.unanswerable.push_back({text_of(u, "question", where), text_of(u, "kind", where)});
        if (d.sentences.empty()) throw Error(where + ": no sentences");
        return d;
    });
}

std::vector<CatalogFunction> load_catalog(const std::string& path) {
    return load_jsonl<CatalogFunction>(path, [](const Json& j, const std::string& where) {
        CatalogFunction f;
        f.domain = text_of(j, "domain", where);
        f.function = j.at("function");
        if (f.name().empty()) throw Error(where + ": function.name is missing");
        for (const Json& r : j.at("requests"))
            f.requests.push_back({text_of(r, "text", where), r.at("arguments")});
        if (f.requests.empty()) throw Error(where + ": no requests");
        f.result = j.at("result");
        f.answer = text_of(j, "answer", where);
        const Json& m = j.at("missing");
        f.missing = {text_of(m, "text", where), text_of(m, "argument", where),
                     text_of(m, "question", where)};
        return f;
    });
}

namespace {

// Lines joined within paragraphs and runs of spaces collapsed: licence texts are wrapped at 72
// columns, and a sentence should read as one line. Blank lines stay paragraph breaks.
std::string unwrapped(const std::string& text) {
    std::string out;
    bool newline = false, blank = false;
    for (const char c : text) {
        if (c == '\r') continue;
        if (c == '\n') {
            blank = newline;
            newline = true;
            continue;
        }
        if (newline) {
            if (!out.empty()) out += blank ? "\n\n" : " ";
            newline = blank = false;
        }
        if ((c == ' ' || c == '\t') && (out.empty() || out.back() == ' ' || out.back() == '\n'))
            continue;
        out += c == '\t' ? ' ' : c;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
}

}  // namespace

MachineDocuments load_machine_documents(const std::string& list_path) {
    MachineDocuments out;
    struct Entry {
        Json spec;
        std::string where;
    };
    const std::vector<Entry> entries =
        load_jsonl<Entry>(list_path, [](const Json& j, const std::string& where) {
            return Entry{j, where};
        });
    for (const Entry& entry : entries) {
        const Json& j = entry.spec;
        const std::string path = text_of(j, "path", entry.where);
        std::ifstream in(path, std::ios::binary);
        std::stringstream bytes;
        if (in) bytes << in.rdbuf();
        if (!in || bytes.str().empty()) {
            out.skipped.push_back(path + ": cannot be read");
            continue;
        }
        SourceDocument d;
        d.id = text_of(j, "id", entry.where);
        d.genre = "licence";
        d.title = text_of(j, "title", entry.where);
        d.source_file = std::filesystem::path(list_path).filename().string();
        d.full_text = unwrapped(bytes.str());
        // The sentences as retrieval will cut them, so a context's sentence is the same text.
        std::vector<std::string> sentences;
        for (const retrieval::Sentence& s : retrieval::split_sentences(d.full_text))
            sentences.push_back(d.full_text.substr(s.start, s.end - s.start));
        std::string missing;
        for (const Json& q : j.at("questions")) {
            const std::string snippet = text_of(q, "sentence", entry.where);
            const std::string* found = nullptr;
            size_t matches = 0;
            for (const std::string& s : sentences)
                if (s.find(snippet) != std::string::npos) found = &s, ++matches;
            if (matches != 1) {
                missing += (missing.empty() ? "" : "; ") + std::string("\"") + snippet +
                           "\" is in " + std::to_string(matches) + " sentences";
                continue;
            }
            d.sentences.push_back({*found, text_of(q, "question", entry.where), snippet,
                                   text_of(q, "kind", entry.where)});
        }
        if (!missing.empty()) {
            out.skipped.push_back(path + ": not the annotated text (" + missing + ")");
            continue;
        }
        for (const Json& u : j.value("unanswerable", Json::array()))
            d.unanswerable.push_back(
                {text_of(u, "question", entry.where), text_of(u, "kind", entry.where)});
        out.read_files.push_back({path, sha256_file(path)});
        out.licences.push_back("`" + path + "` (" + d.title +
                               "): " + text_of(j, "licence", entry.where));
        out.documents.push_back(std::move(d));
    }
    return out;
}

}  // namespace flash::data
