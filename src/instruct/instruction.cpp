#include "instruct/instruction.h"

#include "core/error.h"

namespace flash::instruct {

Instruction instruction_from_json(const nlohmann::json& object) {
    if (!object.is_object()) throw Error("instruction: expected an object {\"type\", \"args\"}");
    const auto type = object.find("type");
    if (type == object.end() || !type->is_string()) {
        throw Error("instruction: missing string member 'type'");
    }
    Instruction instruction{type->get<std::string>(), nlohmann::json::object()};
    const auto args = object.find("args");
    if (args != object.end()) {
        if (!args->is_object()) {
            throw Error("instruction " + instruction.type + ": 'args' must be an object");
        }
        instruction.args = *args;
    }
    return instruction;
}

}  // namespace flash::instruct
