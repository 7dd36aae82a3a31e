// How a passage's sentence offsets are stored in the index: a JSON array of
// [start, end, heading] triples. Depends on core/ and nlohmann_json.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "retrieval/sentences.h"

namespace flash::retrieval {

std::string encode_sentences(const std::vector<Sentence>& sentences);
// Throws flash::Error (naming `where`) on anything but a well-formed array.
std::vector<Sentence> decode_sentences(std::string_view json, const std::string& where);

}  // namespace flash::retrieval
