// Near-duplicate detection, as large open datasets do it (MinHash with banding, the
// deduplication of The Pile, RefinedWeb and Tulu 3's decontamination tools): each text's
// 5-word shingles summarised by a MinHash signature, signatures cut into bands so that only
// texts sharing a band are compared, and the exact Jaccard similarity of those candidates'
// shingle sets deciding. Written here: no Debian package offers MinHash for C++, and the
// method is a page long.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace flash::data {

struct NearDuplicateOptions {
    size_t shingle_words = 5;
    double threshold = 0.8;  // Jaccard similarity of the shingle sets at or above which to drop
};

// For each text, whether it nearly duplicates an earlier text of the same class that was
// itself kept. `classes` (empty, or one per text) limits comparison to texts of one class.
std::vector<bool> near_duplicates(const std::vector<std::string>& texts,
                                  const std::vector<std::string>& classes = {},
                                  const NearDuplicateOptions& options = {});

// The exact Jaccard similarity of two texts' shingle sets (what the check above decides on).
double shingle_similarity(const std::string& a, const std::string& b,
                          const NearDuplicateOptions& options = {});

}  // namespace flash::data
