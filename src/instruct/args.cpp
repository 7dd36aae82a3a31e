#include "instruct/args.h"

#include "core/error.h"

namespace flash::instruct {

bool satisfies(Relation relation, size_t actual, size_t n) {
    return relation == Relation::AtLeast ? actual >= n : actual < n;
}

std::string describe(Relation relation, size_t n) {
    return (relation == Relation::AtLeast ? "at least " : "less than ") + std::to_string(n);
}

namespace {

// `null` args (what `{}` becomes in a C++ initializer) mean no args.
const nlohmann::json& object_or_empty(const nlohmann::json& args) {
    static const nlohmann::json empty = nlohmann::json::object();
    return args.is_null() ? empty : args;
}

}  // namespace

ArgReader::ArgReader(std::string type, const nlohmann::json& args)
    : type_(std::move(type)), args_(object_or_empty(args)) {
    if (!args_.is_object()) throw Error("instruction " + type_ + ": args must be an object");
}

ArgReader::ArgReader(std::string type, std::vector<InstructionArg>& record)
    : type_(std::move(type)),
      stand_ins_(nlohmann::json::object()),
      args_(stand_ins_),
      record_(&record) {}

void ArgReader::fail(const std::string& name, const std::string& problem) const {
    throw Error("instruction " + type_ + ": arg '" + name + "' " + problem);
}

const nlohmann::json& ArgReader::require(const std::string& name, std::string kind,
                                         nlohmann::json stand_in) {
    if (record_ && !stand_ins_.contains(name)) {
        record_->push_back({name, std::move(kind)});
        stand_ins_[name] = std::move(stand_in);
    }
    const auto found = args_.find(name);
    if (found == args_.end()) fail(name, "is missing");
    read_.insert(name);
    return *found;
}

size_t ArgReader::positive_integer(const std::string& name) {
    const nlohmann::json& value = require(name, "positive integer", 1);
    if (!value.is_number_integer() || value.get<long long>() <= 0) {
        fail(name, "must be a positive integer, got " + value.dump());
    }
    return value.get<size_t>();
}

std::string ArgReader::nonempty_string(const std::string& name) {
    const nlohmann::json& value = require(name, "non-empty string", "a");
    if (!value.is_string() || value.get<std::string>().empty()) {
        fail(name, "must be a non-empty string, got " + value.dump());
    }
    return value.get<std::string>();
}

std::string ArgReader::one_of(const std::string& name, std::initializer_list<const char*> choices) {
    std::string listed;
    for (const char* choice : choices)
        listed += std::string(listed.empty() ? "" : ", ") + "\"" + choice + "\"";
    const nlohmann::json& value = require(name, "one of " + listed, *choices.begin());
    if (!value.is_string() || value.get<std::string>().empty()) {
        fail(name, "must be a non-empty string, got " + value.dump());
    }
    const std::string text = value.get<std::string>();
    for (const char* choice : choices) {
        if (text == choice) return text;
    }
    fail(name, "must be one of " + listed + ", got \"" + text + "\"");
}

std::vector<std::string> ArgReader::nonempty_string_list(const std::string& name) {
    const nlohmann::json& value =
        require(name, "non-empty list of strings", nlohmann::json::array({"a"}));
    if (!value.is_array() || value.empty()) fail(name, "must be a non-empty list of strings");
    std::vector<std::string> strings;
    for (const nlohmann::json& item : value) {
        if (!item.is_string() || item.get<std::string>().empty()) {
            fail(name, "must hold only non-empty strings, got " + item.dump());
        }
        strings.push_back(item.get<std::string>());
    }
    return strings;
}

Relation ArgReader::relation(const std::string& name) {
    return one_of(name, {"at least", "less than"}) == "at least" ? Relation::AtLeast
                                                                 : Relation::LessThan;
}

void ArgReader::finish() const {
    for (const auto& [name, value] : args_.items()) {
        if (!read_.contains(name)) {
            throw Error("instruction " + type_ + ": unexpected arg '" + name + "'");
        }
    }
}

}  // namespace flash::instruct
