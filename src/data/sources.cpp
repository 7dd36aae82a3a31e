#include "data/sources.h"

#include <cctype>
#include <fstream>

#include "core/error.h"
#include "core/json_input.h"

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
    return example_from(example_id, family, kind, "documents.jsonl", id);
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

}  // namespace flash::data
