#include "chat/jinja/template.h"

#include "chat/jinja/errors.h"
#include "chat/jinja/interpreter.h"
#include "chat/jinja/parser.h"
#include "core/error.h"

namespace flash::jinja {

Template Template::parse(std::string_view source, Options options) {
    auto program = std::make_shared<Program>(
        parse_template(source, {options.trim_blocks, options.lstrip_blocks}));
    Template t;
    t.program_ = std::move(program);
    t.options_ = options;
    return t;
}

namespace {

std::string where(const Interpreter& in) {
    return in.line() > 0 ? "chat template line " + std::to_string(in.line()) + ": "
                         : "chat template: ";
}

}  // namespace

std::string Template::render(const nlohmann::ordered_json& context) const {
    if (!program_)
        throw Error("chat template: render() called on a template that was never parsed");
    if (!context.is_object()) throw Error("chat template: the context must be a JSON object");
    Interpreter in(options_);
    try {
        return in.render(*program_, context);
    } catch (const RaisedError& e) {
        throw Error(e.what());
    } catch (const RenderError& e) {
        throw Error(where(in) + e.what());
    } catch (const std::bad_alloc&) {
        throw Error(where(in) + "out of memory");
    }
}

}  // namespace flash::jinja
