// Server metrics in Prometheus' text exposition format: requests by endpoint and status,
// prompt and generated tokens, time to first token and time per output token as histograms,
// plus gauges the caller reads at scrape time (queue depth, busy slots). Thread-safe.
// Depends on nothing but the standard library.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace flash::serve {

class Histogram {
  public:
    explicit Histogram(std::vector<double> upper_bounds);
    void observe(double value);
    // Appends NAME_bucket{le=...}, NAME_sum and NAME_count lines.
    void write(std::string& out, const std::string& name) const;

  private:
    std::vector<double> bounds_;
    std::vector<uint64_t> counts_;  // per bucket (not cumulative); the last is +Inf
    double sum_ = 0;
    uint64_t count_ = 0;
};

struct Gauges {
    int queue_depth = 0;
    int slots_busy = 0;
    int slots_total = 0;
    bool ready = false;
    double mean_batch = 0;  // sequences per forward pass so far
};

class Metrics {
  public:
    Metrics();

    void count_request(const std::string& endpoint, int status);
    void count_tokens(int64_t prompt, int64_t cached, int64_t generated);
    void observe_first_token(double seconds);
    void observe_token_gap(double seconds);
    void count_cancelled();

    std::string prometheus(const Gauges& gauges) const;

  private:
    mutable std::mutex mutex_;
    std::map<std::pair<std::string, int>, uint64_t> requests_;
    uint64_t prompt_tokens_ = 0, cached_tokens_ = 0, generated_tokens_ = 0, cancelled_ = 0;
    Histogram first_token_, token_gap_;
};

}  // namespace flash::serve
