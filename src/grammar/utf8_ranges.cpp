// UTF-8 range splitting: each code-point range is cut where its encodings stop being a cross
// product of byte ranges (at continuation-byte boundaries), then emitted byte range by range.
#include "grammar/utf8_ranges.h"

#include <algorithm>
#include <map>

namespace flash::grammar {

namespace {

int encoded_length(uint32_t cp) {
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

void encode(uint32_t cp, int len, uint8_t* out) {
    if (len == 1) {
        out[0] = static_cast<uint8_t>(cp);
        return;
    }
    static constexpr uint8_t kLead[5] = {0, 0, 0xC0, 0xE0, 0xF0};
    for (int k = len - 1; k > 0; --k) {
        out[k] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
        cp >>= 6;
    }
    out[0] = static_cast<uint8_t>(kLead[len] | cp);
}

// lo..hi share one encoded length; splits until each piece is a byte-range cross product.
void split(uint32_t lo, uint32_t hi, int len, std::vector<ByteSequence>& out) {
    for (int i = 1; i < len; ++i) {
        const uint32_t m = (uint32_t{1} << (6 * i)) - 1;
        if ((lo & ~m) != (hi & ~m)) {
            if ((lo & m) != 0) {
                split(lo, lo | m, len, out);
                split((lo | m) + 1, hi, len, out);
                return;
            }
            if ((hi & m) != m) {
                split(lo, (hi & ~m) - 1, len, out);
                split(hi & ~m, hi, len, out);
                return;
            }
        }
    }
    uint8_t a[4], b[4];
    encode(lo, len, a);
    encode(hi, len, b);
    ByteSequence seq(len);
    for (int k = 0; k < len; ++k) seq[k].set_range(a[k], b[k]);
    out.push_back(std::move(seq));
}

}  // namespace

std::vector<ByteSequence> utf8_sequences(const std::vector<CodeRange>& ranges, bool negated) {
    std::vector<CodeRange> sorted = ranges;
    std::sort(sorted.begin(), sorted.end(),
              [](const CodeRange& a, const CodeRange& b) { return a.lo < b.lo; });
    std::vector<CodeRange> set;  // the positive set, merged
    if (!negated) {
        set = sorted;
    } else {
        uint32_t next = 0;  // first code point not yet covered
        for (const CodeRange& r : sorted) {
            if (r.lo > next) set.push_back({next, r.lo - 1});
            next = std::max<uint32_t>(next, std::min<uint32_t>(r.hi, 0x10FFFF) + 1);
        }
        if (next <= 0x10FFFF) set.push_back({next, 0x10FFFF});
    }
    std::vector<ByteSequence> raw;
    static constexpr uint32_t kLenEnd[5] = {0, 0x7F, 0x7FF, 0xFFFF, 0x10FFFF};
    for (CodeRange r : set) {
        r.hi = std::min<uint32_t>(r.hi, 0x10FFFF);
        // Surrogates are not characters: cut them out.
        std::vector<CodeRange> pieces;
        if (r.lo <= 0xDFFF && r.hi >= 0xD800) {
            if (r.lo < 0xD800) pieces.push_back({r.lo, 0xD7FF});
            if (r.hi > 0xDFFF) pieces.push_back({0xE000, r.hi});
        } else if (r.lo <= r.hi) {
            pieces.push_back(r);
        }
        for (CodeRange p : pieces) {
            while (p.lo <= p.hi) {
                const int len = encoded_length(p.lo);
                const uint32_t end = std::min(p.hi, kLenEnd[len]);
                split(p.lo, end, len, raw);
                if (end == p.hi) break;
                p.lo = end + 1;
            }
        }
    }
    // Merge: all single bytes into one set; same-length sequences with equal tails by lead byte.
    std::vector<ByteSequence> out;
    ByteSet single;
    std::map<std::vector<ByteSet>, ByteSet> by_tail;
    std::vector<std::vector<ByteSet>> tail_order;
    for (ByteSequence& seq : raw) {
        if (seq.size() == 1) {
            single |= seq[0];
            continue;
        }
        std::vector<ByteSet> tail(seq.begin() + 1, seq.end());
        auto [it, fresh] = by_tail.try_emplace(tail);
        it->second |= seq[0];
        if (fresh) tail_order.push_back(std::move(tail));
    }
    if (!single.empty()) out.push_back({single});
    for (const auto& tail : tail_order) {
        ByteSequence seq{by_tail[tail]};
        seq.insert(seq.end(), tail.begin(), tail.end());
        out.push_back(std::move(seq));
    }
    return out;
}

}  // namespace flash::grammar
