#include "serve/metrics.h"

#include <cstdio>

namespace flash::serve {
namespace {

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

}  // namespace

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)), counts_(bounds_.size() + 1, 0) {}

void Histogram::observe(double value) {
    size_t i = 0;
    while (i < bounds_.size() && value > bounds_[i]) ++i;
    ++counts_[i];
    sum_ += value;
    ++count_;
}

void Histogram::write(std::string& out, const std::string& name) const {
    uint64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
        cumulative += counts_[i];
        out += name + "_bucket{le=\"" + number(bounds_[i]) + "\"} " + std::to_string(cumulative) +
               "\n";
    }
    out += name + "_bucket{le=\"+Inf\"} " + std::to_string(count_) + "\n";
    out += name + "_sum " + number(sum_) + "\n";
    out += name + "_count " + std::to_string(count_) + "\n";
}

Metrics::Metrics()
    : first_token_({0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}),
      token_gap_({0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1}) {}

void Metrics::count_request(const std::string& endpoint, int status) {
    std::lock_guard lock(mutex_);
    ++requests_[{endpoint, status}];
}

void Metrics::count_tokens(int64_t prompt, int64_t cached, int64_t generated) {
    std::lock_guard lock(mutex_);
    prompt_tokens_ += static_cast<uint64_t>(prompt);
    cached_tokens_ += static_cast<uint64_t>(cached);
    generated_tokens_ += static_cast<uint64_t>(generated);
}

void Metrics::observe_first_token(double seconds) {
    std::lock_guard lock(mutex_);
    first_token_.observe(seconds);
}

void Metrics::observe_token_gap(double seconds) {
    std::lock_guard lock(mutex_);
    token_gap_.observe(seconds);
}

void Metrics::count_cancelled() {
    std::lock_guard lock(mutex_);
    ++cancelled_;
}

std::string Metrics::prometheus(const Gauges& g) const {
    std::lock_guard lock(mutex_);
    std::string out;
    header(out, "flash_requests_total", "counter",
           "HTTP requests answered, by endpoint and status.");
    for (const auto& [key, n] : requests_)
        out += "flash_requests_total{endpoint=\"" + key.first + "\",status=\"" +
               std::to_string(key.second) + "\"} " + std::to_string(n) + "\n";
    header(out, "flash_prompt_tokens_total", "counter", "Prompt tokens of finished generations.");
    out += "flash_prompt_tokens_total " + std::to_string(prompt_tokens_) + "\n";
    header(out, "flash_prompt_cached_tokens_total", "counter",
           "Prompt tokens reused from a slot's KV cache instead of evaluated.");
    out += "flash_prompt_cached_tokens_total " + std::to_string(cached_tokens_) + "\n";
    header(out, "flash_generated_tokens_total", "counter", "Tokens generated.");
    out += "flash_generated_tokens_total " + std::to_string(generated_tokens_) + "\n";
    header(out, "flash_cancelled_total", "counter",
           "Generations stopped early: client gone or deadline passed.");
    out += "flash_cancelled_total " + std::to_string(cancelled_) + "\n";
    header(out, "flash_time_to_first_token_seconds", "histogram",
           "From the request's arrival to its first generated token.");
    first_token_.write(out, "flash_time_to_first_token_seconds");
    header(out, "flash_time_per_output_token_seconds", "histogram",
           "Time between consecutive generated tokens of one request.");
    token_gap_.write(out, "flash_time_per_output_token_seconds");
    header(out, "flash_queue_depth", "gauge", "Requests waiting for a slot.");
    out += "flash_queue_depth " + std::to_string(g.queue_depth) + "\n";
    header(out, "flash_slots_busy", "gauge", "Slots generating now.");
    out += "flash_slots_busy " + std::to_string(g.slots_busy) + "\n";
    header(out, "flash_slots_total", "gauge", "Slots (sequences decoded together).");
    out += "flash_slots_total " + std::to_string(g.slots_total) + "\n";
    header(out, "flash_batch_sequences_mean", "gauge", "Mean sequences per forward pass so far.");
    out += "flash_batch_sequences_mean " + number(g.mean_batch) + "\n";
    header(out, "flash_ready", "gauge", "1 once the model is loaded.");
    out += std::string("flash_ready ") + (g.ready ? "1" : "0") + "\n";
    return out;
}

}  // namespace flash::serve
