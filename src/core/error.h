// flash::Error — the one exception type every layer throws for bad input or failed I/O.
// Messages say where and why ("tensor blk.3.attn_q.weight: data offset ... past end of file").
// Depends on nothing but the standard library.
#pragma once

#include <stdexcept>
#include <string>

namespace flash {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace flash
