// Which of jinja2's special macro names (varargs, kwargs, caller) a macro body mentions: as in
// jinja2, only then does the macro accept extra positional or keyword arguments or a caller.
// Depends on ast.h.
#pragma once

#include "chat/jinja/ast.h"

namespace flash::jinja {

// Sets m.uses_varargs / uses_kwargs / uses_caller from m.body (nested macros have their own).
void find_special_names(MacroStmt& m);

}  // namespace flash::jinja
