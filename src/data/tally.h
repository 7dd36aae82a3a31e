// What a build kept and what it rejected, and why: rejects are counted, never dropped silently.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace flash::data {

struct Tally {
    std::map<std::string, int64_t> kept;      // "family/kind"
    std::map<std::string, int64_t> rejected;  // "family: reason"

    void keep(const std::string& family, const std::string& kind) { ++kept[family + "/" + kind]; }
    void reject(const std::string& family, const std::string& reason) {
        ++rejected[family + ": " + reason];
    }
    int64_t kept_in(const std::string& family) const;
    int64_t rejected_in(const std::string& family) const;
};

}  // namespace flash::data
