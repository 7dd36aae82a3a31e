// The running program's own file, for commands that start a helper which calls flash back
// (flash train hands it to the trainer). Linux: /proc/self/exe; macOS: _NSGetExecutablePath.
// Empty where it cannot be found. Depends on nothing.
#pragma once

#include <string>

namespace flash {

std::string executable_path();

}  // namespace flash
