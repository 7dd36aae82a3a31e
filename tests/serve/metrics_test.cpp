// The /metrics text is Prometheus' exposition format with cumulative histogram buckets.
#include <gtest/gtest.h>

#include <sstream>

#include "serve/metrics.h"

namespace flash::serve {
namespace {

TEST(Metrics, CountersAndCumulativeHistograms) {
    Metrics m;
    m.count_request("/v1/chat/completions", 200);
    m.count_request("/v1/chat/completions", 200);
    m.count_request("/v1/chat/completions", 429);
    m.count_tokens(10, 4, 5);
    m.observe_first_token(0.03);
    m.observe_first_token(2.0);
    const std::string text =
        m.prometheus({.queue_depth = 3, .slots_busy = 2, .slots_total = 4, .ready = true});
    EXPECT_NE(
        text.find("flash_requests_total{endpoint=\"/v1/chat/completions\",status=\"200\"} 2\n"),
        std::string::npos);
    EXPECT_NE(text.find("status=\"429\"} 1\n"), std::string::npos);
    EXPECT_NE(text.find("flash_prompt_tokens_total 10\n"), std::string::npos);
    EXPECT_NE(text.find("flash_generated_tokens_total 5\n"), std::string::npos);
    EXPECT_NE(text.find("flash_time_to_first_token_seconds_bucket{le=\"0.025\"} 0\n"),
              std::string::npos);
    EXPECT_NE(text.find("flash_time_to_first_token_seconds_bucket{le=\"0.05\"} 1\n"),
              std::string::npos);
    EXPECT_NE(text.find("flash_time_to_first_token_seconds_bucket{le=\"2.5\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("flash_time_to_first_token_seconds_bucket{le=\"+Inf\"} 2\n"),
              std::string::npos);
    EXPECT_NE(text.find("flash_time_to_first_token_seconds_count 2\n"), std::string::npos);
    EXPECT_NE(text.find("flash_queue_depth 3\n"), std::string::npos);
    EXPECT_NE(text.find("flash_slots_busy 2\n"), std::string::npos);
    // Every line is a comment or "name{labels} value".
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        const size_t space = line.rfind(' ');
        ASSERT_NE(space, std::string::npos) << line;
        EXPECT_NO_THROW((void)std::stod(line.substr(space + 1))) << line;
    }
}

}  // namespace
}  // namespace flash::serve
