// jinja2 decides at compile time where each name lives (its idtracking module). Most of that
// agrees with looking names up through the enclosing scopes at run time, which the interpreter
// does; the one visible difference is a name a frame assigns before anything in the frame
// reads it: jinja2 starts the frame with it undefined, so a nested loop or block that reads it
// before the assignment sees undefined, not a value from outside. This pass finds those names
// for every frame (template, for body and else, macro, call/filter/set/with blocks).
// Depends on ast.h.
#pragma once

#include "chat/jinja/ast.h"

namespace flash::jinja {

void analyze_scopes(Program& program);

}  // namespace flash::jinja
