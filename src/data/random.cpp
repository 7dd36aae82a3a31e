#include "data/random.h"

namespace flash::data {

// FNV-1a over the name mixed into the seed, then splitmix64 steps (Vigna): small, fast and
// the same everywhere.
Rng::Rng(uint64_t seed, std::string_view name) : state_(seed ^ 0x9E3779B97F4A7C15ull) {
    uint64_t h = 1469598103934665603ull;
    for (const char c : name) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    state_ ^= h;
    next();
}

uint64_t Rng::next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

}  // namespace flash::data
