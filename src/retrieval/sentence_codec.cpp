#include "retrieval/sentence_codec.h"

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace flash::retrieval {

std::string encode_sentences(const std::vector<Sentence>& sentences) {
    std::string out = "[";
    for (const Sentence& s : sentences) {
        if (out.size() > 1) out += ',';
        out += '[' + std::to_string(s.start) + ',' + std::to_string(s.end) + ',' +
               (s.heading ? "1" : "0") + ']';
    }
    return out + ']';
}

std::vector<Sentence> decode_sentences(std::string_view json, const std::string& where) {
    const auto j = nlohmann::json::parse(json, nullptr, false);
    if (!j.is_array()) throw Error(where + ": sentence offsets are not a JSON array");
    std::vector<Sentence> out;
    for (const auto& e : j) {
        if (!e.is_array() || e.size() != 3 || !e[0].is_number_unsigned() ||
            !e[1].is_number_unsigned() || !e[2].is_number_integer())
            throw Error(where + ": malformed sentence offsets");
        const Sentence s{e[0].get<size_t>(), e[1].get<size_t>(), e[2].get<int>() != 0};
        if (s.end < s.start) throw Error(where + ": sentence ends before it starts");
        out.push_back(s);
    }
    return out;
}

}  // namespace flash::retrieval
