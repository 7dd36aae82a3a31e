// The message of the flash::Error a callable throws, for tests that check what an error says.
#pragma once

#include <string>

#include "core/error.h"

namespace flash::testing {

// "" when `f` throws no flash::Error.
template <typename F>
std::string error_of(F f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "";
}

}  // namespace flash::testing
