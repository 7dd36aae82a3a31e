// Code-point sets → UTF-8 byte-range sequences, so the matcher runs on bytes alone: a set becomes
// a few alternatives, each a fixed-length sequence of byte sets (as regex engines compile
// Unicode classes). Surrogates (U+D800..U+DFFF) are never matched: UTF-8 cannot encode them.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "grammar/grammar.h"

namespace flash::grammar {

// 256-bit byte set.
struct ByteSet {
    std::array<uint64_t, 4> w{};

    bool test(uint8_t b) const { return (w[b >> 6] >> (b & 63)) & 1; }
    void set(uint8_t b) { w[b >> 6] |= uint64_t{1} << (b & 63); }
    void set_range(uint8_t lo, uint8_t hi) {
        for (unsigned b = lo; b <= hi; ++b) set(static_cast<uint8_t>(b));
    }
    bool empty() const { return (w[0] | w[1] | w[2] | w[3]) == 0; }
    ByteSet& operator|=(const ByteSet& o) {
        for (int i = 0; i < 4; ++i) w[i] |= o.w[i];
        return *this;
    }
    bool operator==(const ByteSet& o) const = default;
    bool operator<(const ByteSet& o) const { return w < o.w; }
};

using ByteSequence = std::vector<ByteSet>;  // one byte set per byte position

// A UTF-8 validating decoder in 8 states: 0 = at a character boundary, 1..3 = that many
// continuation bytes still due, 4..7 = the restricted second byte after E0, ED, F0, F4
// (no overlongs, surrogates or code points past U+10FFFF). Returns -1 for an invalid byte.
constexpr int kUtf8Boundary = 0;
constexpr int utf8_step(int state, uint8_t b) {
    const bool cont = b >= 0x80 && b <= 0xBF;
    switch (state) {
        case 0:
            if (b < 0x80) return 0;
            if (b >= 0xC2 && b <= 0xDF) return 1;
            if (b == 0xE0) return 4;
            if (b == 0xED) return 5;
            if (b >= 0xE1 && b <= 0xEF) return 2;
            if (b == 0xF0) return 6;
            if (b >= 0xF1 && b <= 0xF3) return 3;
            if (b == 0xF4) return 7;
            return -1;
        case 1:
            return cont ? 0 : -1;
        case 2:
            return cont ? 1 : -1;
        case 3:
            return cont ? 2 : -1;
        case 4:
            return b >= 0xA0 && b <= 0xBF ? 1 : -1;
        case 5:
            return b >= 0x80 && b <= 0x9F ? 1 : -1;
        case 6:
            return b >= 0x90 && b <= 0xBF ? 2 : -1;
        case 7:
            return b >= 0x80 && b <= 0x8F ? 2 : -1;
        default:
            return -1;
    }
}

// The code points `ranges` (or, when `negated`, every other valid code point) as UTF-8:
// alternatives of byte-set sequences whose union is exactly that set's encodings. Single-byte
// encodings come first, merged into one; sequences differing only in the lead byte are merged.
// Empty result = the set matches nothing.
std::vector<ByteSequence> utf8_sequences(const std::vector<CodeRange>& ranges, bool negated);

}  // namespace flash::grammar
