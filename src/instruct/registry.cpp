#include "instruct/registry.h"

#include <algorithm>

#include "core/error.h"

namespace flash::instruct {

void Registry::add(std::string type, CheckerFactory factory, nlohmann::json example_args) {
    if (!entries_.emplace(type, Entry{std::move(factory), std::move(example_args)}).second) {
        throw Error("instruction " + type + " registered twice");
    }
}

const CheckerFactory* Registry::find(std::string_view type) const {
    const auto found = entries_.find(type);
    return found == entries_.end() ? nullptr : &found->second.factory;
}

const nlohmann::json* Registry::example_args(std::string_view type) const {
    const auto found = entries_.find(type);
    return found == entries_.end() ? nullptr : &found->second.example_args;
}

std::vector<std::string> Registry::types() const {
    std::vector<std::string> types;
    for (const auto& [type, entry] : entries_) types.push_back(type);
    return types;
}

const Registry& registry() {
    static const Registry all = [] {
        Registry r;
        register_keyword_checkers(r);
        register_language_checkers(r);
        register_length_checkers(r);
        register_content_checkers(r);
        register_markdown_checkers(r);
        register_structure_checkers(r);
        register_combination_checkers(r);
        register_startend_checkers(r);
        register_case_checkers(r);
        return r;
    }();
    return all;
}

std::string count_of(size_t n, std::string_view singular, std::string_view plural) {
    return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

std::string excerpt(std::string_view text, size_t begin, size_t end) {
    constexpr size_t kContext = 20;
    const auto continuation = [&](size_t i) {
        return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    };
    size_t from = begin > kContext ? begin - kContext : 0;
    while (continuation(from)) --from;
    size_t to = std::min(text.size(), end + kContext);
    while (continuation(to)) ++to;
    std::string quote(text.substr(from, to - from));
    for (char& c : quote) {
        if (c == '\n') c = ' ';
    }
    return std::string(from > 0 ? "\"…" : "\"") + quote + (to < text.size() ? "…\"" : "\"");
}

}  // namespace flash::instruct
