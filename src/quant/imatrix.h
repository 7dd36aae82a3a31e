// Importance matrices: for each weight matrix, the mean square of the input every column
// meets over calibration text (what llama.cpp's imatrix measures), so quantization can spend
// its precision where inputs are large. Collected by `flash imatrix`, read by
// `flash quantize --imatrix`. Stored as GGUF: one F32 vector per weight, named as the weight,
// with imatrix.* metadata (flash's own layout; llama.cpp's imatrix files are not read).
// Depends on core/ only.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace flash::quant {

struct ImportanceMatrix {
    std::map<std::string, std::vector<float>> values;  // weight name → mean x² per column
    int64_t tokens = 0;                                // calibration tokens seen
    int64_t chunks = 0;
    std::string dataset;

    // Throws flash::Error naming the file and problem.
    void save(const std::string& path) const;
    static ImportanceMatrix load(const std::string& path);

    // The entry for `name`; null when absent. Throws when its length is not `cols`.
    const std::vector<float>* find(const std::string& name, int64_t cols) const;
};

// Sums of squares per column, per weight, as forward passes report their inputs.
class ImatrixCollector {
  public:
    void add(const std::string& name, const float* in, int64_t rows, int64_t cols);
    ImportanceMatrix finish(int64_t tokens, int64_t chunks, const std::string& dataset) const;

  private:
    struct Sums {
        std::vector<double> sum2;
        int64_t rows = 0;
    };
    std::map<std::string, Sums> sums_;
};

}  // namespace flash::quant
