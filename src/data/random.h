// Seeded choices that come out the same on every platform and standard library (std::shuffle
// and the std distributions are implementation-defined): each example draws from its own
// generator, seeded from the build seed and its own name, so it does not depend on the order
// of the others.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace flash::data {

class Rng {
  public:
    Rng(uint64_t seed, std::string_view name);

    uint64_t next();
    // In [0, n); n > 0.
    size_t below(size_t n) { return static_cast<size_t>(next() % n); }
    template <typename T>
    const T& pick(const std::vector<T>& items) {
        return items[below(items.size())];
    }
    template <typename T>
    void shuffle(std::vector<T>& items) {
        for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(i)]);
    }

  private:
    uint64_t state_;
};

}  // namespace flash::data
