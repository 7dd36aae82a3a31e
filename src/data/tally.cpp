#include "data/tally.h"

namespace flash::data {
namespace {

int64_t sum_with_prefix(const std::map<std::string, int64_t>& counts, const std::string& prefix) {
    int64_t n = 0;
    for (const auto& [key, count] : counts)
        if (key.starts_with(prefix)) n += count;
    return n;
}

}  // namespace

int64_t Tally::kept_in(const std::string& family) const {
    return sum_with_prefix(kept, family + "/");
}

int64_t Tally::rejected_in(const std::string& family) const {
    return sum_with_prefix(rejected, family + ": ");
}

}  // namespace flash::data
