#include "data/near_duplicates.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <unordered_map>

#include "data/hygiene.h"

namespace flash::data {
namespace {

// 128 hash functions in 16 bands of 8 rows: a pair at similarity s shares a band with
// probability 1 - (1 - s^8)^16 — 0.99 at 0.8, 0.36 at 0.6 — so nearly every pair above the
// threshold is compared and few below it are.
constexpr size_t kBands = 16, kRows = 8, kHashes = kBands * kRows;

uint64_t mix(uint64_t x) {  // splitmix64's finaliser: a cheap, well-spread permutation
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

// Sorted, distinct hashes of the text's word shingles (the whole text when it is shorter).
std::vector<uint64_t> shingles(const std::string& text, size_t n) {
    const std::vector<std::string> words = ngram_words(text);
    std::vector<uint64_t> word_hashes;
    for (const std::string& w : words) {
        uint64_t h = 1469598103934665603ull;
        for (const char c : w) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
        word_hashes.push_back(h);
    }
    std::vector<uint64_t> out;
    const size_t count = word_hashes.size() >= n ? word_hashes.size() - n + 1 : 1;
    for (size_t i = 0; i < count && !word_hashes.empty(); ++i) {
        uint64_t h = 0;
        for (size_t k = i; k < std::min(i + n, word_hashes.size()); ++k)
            h = mix(h ^ word_hashes[k]);
        out.push_back(h);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

double jaccard(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
    if (a.empty() && b.empty()) return 1;
    size_t common = 0;
    for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
        if (a[i] == b[j]) {
            ++common, ++i, ++j;
        } else if (a[i] < b[j]) {
            ++i;
        } else {
            ++j;
        }
    }
    return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

std::array<uint64_t, kBands> band_keys(const std::vector<uint64_t>& set) {
    std::array<uint64_t, kHashes> signature;
    signature.fill(std::numeric_limits<uint64_t>::max());
    for (const uint64_t s : set)
        for (size_t k = 0; k < kHashes; ++k) signature[k] = std::min(signature[k], mix(s + k));
    std::array<uint64_t, kBands> keys{};
    for (size_t b = 0; b < kBands; ++b) {
        uint64_t h = b;
        for (size_t r = 0; r < kRows; ++r) h = mix(h ^ signature[b * kRows + r]);
        keys[b] = h;
    }
    return keys;
}

}  // namespace

std::vector<bool> near_duplicates(const std::vector<std::string>& texts,
                                  const std::vector<std::string>& classes,
                                  const NearDuplicateOptions& options) {
    std::vector<std::vector<uint64_t>> sets;
    sets.reserve(texts.size());
    for (const std::string& t : texts) sets.push_back(shingles(t, options.shingle_words));
    std::vector<bool> dropped(texts.size(), false);
    // Band key -> the kept texts with that band (only kept ones: a text is dropped for
    // resembling something the dataset still holds).
    std::array<std::unordered_map<uint64_t, std::vector<size_t>>, kBands> buckets;
    for (size_t i = 0; i < texts.size(); ++i) {
        const uint64_t salt = classes.empty() ? 0 : std::hash<std::string>{}(classes[i]);
        auto keys = band_keys(sets[i]);
        for (uint64_t& k : keys) k = mix(k ^ salt);
        for (size_t b = 0; b < kBands && !dropped[i]; ++b) {
            const auto it = buckets[b].find(keys[b]);
            if (it == buckets[b].end()) continue;
            for (const size_t j : it->second)
                if ((classes.empty() || classes[i] == classes[j]) &&
                    jaccard(sets[i], sets[j]) >= options.threshold) {
                    dropped[i] = true;
                    break;
                }
        }
        if (!dropped[i])
            for (size_t b = 0; b < kBands; ++b) buckets[b][keys[b]].push_back(i);
    }
    return dropped;
}

double shingle_similarity(const std::string& a, const std::string& b,
                          const NearDuplicateOptions& options) {
    return jaccard(shingles(a, options.shingle_words), shingles(b, options.shingle_words));
}

}  // namespace flash::data
