// IFEval's loose variants of a response: as it is, first line dropped, last line dropped, both
// dropped, and each of those with every "*" removed (markdown emphasis, also bullet stars).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace flash::instruct {

struct ResponseVariant {
    std::string name;  // "as it is", "first line dropped, asterisks removed", …
    std::string text;
};

// Always eight, the response as it is first. Dropped-line variants are trimmed, as IFEval's.
std::vector<ResponseVariant> loose_variants(std::string_view response);

}  // namespace flash::instruct
