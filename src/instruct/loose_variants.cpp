#include "instruct/loose_variants.h"

#include "instruct/paragraphs.h"

namespace flash::instruct {

namespace {

std::string without_asterisks(std::string_view text) {
    std::string out;
    for (const char c : text) {
        if (c != '*') out += c;
    }
    return out;
}

}  // namespace

std::vector<ResponseVariant> loose_variants(std::string_view response) {
    // Python's "\n".join(lines[1:]) and lines[:-1] on response.split("\n").
    const size_t first_break = response.find('\n');
    const size_t last_break = response.rfind('\n');
    const std::string_view no_first = first_break == std::string_view::npos
                                          ? std::string_view()
                                          : response.substr(first_break + 1);
    const std::string_view no_last =
        last_break == std::string_view::npos ? std::string_view() : response.substr(0, last_break);
    const std::string_view no_both =
        first_break == last_break ? std::string_view()
                                  : response.substr(first_break + 1, last_break - first_break - 1);

    const std::vector<std::pair<std::string, std::string_view>> lines = {
        {"as it is", response},
        {"first line dropped", trim(no_first)},
        {"last line dropped", trim(no_last)},
        {"first and last lines dropped", trim(no_both)}};
    std::vector<ResponseVariant> variants;
    for (const auto& [name, text] : lines) variants.push_back({name, std::string(text)});
    for (const auto& [name, text] : lines) {
        variants.push_back({name == "as it is" ? "asterisks removed" : name + ", asterisks removed",
                            without_asterisks(text)});
    }
    return variants;
}

}  // namespace flash::instruct
