// Structured generation with the qwen2 vocabulary (151,936 tokens): grammar compile time, and
// token-mask time per step while replaying realistic JSON outputs token by token (a tool call
// with typed fields, a nested object, an array of enums, a patterned string; and generic JSON).
// Counters: mean_us / p50_us / p99_us / max_us of compute_mask per step, over every step of
// every iteration. "warm": each document runs on a copy of a Matcher that has generated the
// other documents (a server reusing a tool schema; content unseen); "cold": a new Matcher (empty
// caches) for every document.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/gguf.h"
#include "grammar/json_schema.h"
#include "grammar/matcher.h"
#include "grammar/sample_grammars.h"
#include "tokenizer/tokenizer.h"

namespace {

using namespace flash::grammar;

struct Vocab {
    std::unique_ptr<flash::Tokenizer> tok;
    std::shared_ptr<const TokenVocabulary> vocab;
};

const Vocab& qwen2() {
    static const Vocab v = [] {
        const char* env = std::getenv("FLASH_TESTDATA");
        const std::string dir = env && *env ? env : FLASH_DEFAULT_TESTDATA;
        flash::GgufFile f(dir + "/tokenizer/ggml-vocab-qwen2.gguf");
        Vocab out;
        out.tok = std::make_unique<flash::Tokenizer>(flash::Tokenizer::from_gguf(f));
        out.vocab = TokenVocabulary::from_tokenizer(*out.tok);
        return out;
    }();
    return v;
}

std::vector<std::string> json_value_samples() {
    std::vector<std::string> out = testing::tool_call_samples();
    out.push_back(
        R"({"results": [{"id": 1, "title": "Grammar-constrained decoding", "score": 0.93, "tags": ["llm", "json"], "draft": false}, {"id": 2, "title": "Token masks at 150k vocabulary", "score": 0.871, "tags": [], "draft": true, "meta": {"pages": 12, "venue": null}}], "total": 2})");
    return out;
}

// The same tool call as a JSON Schema, through the JSON Schema front end (compact whitespace:
// at most one space after ':' and ',', so only the compact samples apply).
constexpr const char* kToolSchema = R"({
  "type": "object",
  "properties": {
    "name": {"const": "get_weather"},
    "arguments": {
      "type": "object",
      "properties": {
        "location": {"type": "string"},
        "unit": {"enum": ["celsius", "fahrenheit", "kelvin"]},
        "days": {"type": "integer"},
        "include_hourly": {"type": "boolean"},
        "coords": {
          "type": "object",
          "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
          "required": ["lat", "lon"], "additionalProperties": false
        },
        "tags": {"type": "array", "items": {"enum": ["rain", "wind", "uv", "pollen", "humidity"]}},
        "zip": {"type": "string", "pattern": "^[0-9]{5}(-[0-9]{4})?$"},
        "note": {"type": "string"}
      },
      "required": ["location", "unit", "days", "include_hourly", "coords", "tags", "zip", "note"],
      "additionalProperties": false
    }
  },
  "required": ["name", "arguments"],
  "additionalProperties": false
})";

Grammar tool_schema_grammar() {
    return compile_json_schema_text(kToolSchema).grammar;
}
std::vector<std::string> tool_schema_samples() {
    std::vector<std::string> s = testing::tool_call_samples();
    s.pop_back();  // the pretty-printed one
    return s;
}

void report(benchmark::State& state, std::vector<double>& us) {
    if (us.empty()) return;
    std::sort(us.begin(), us.end());
    double sum = 0;
    for (double x : us) sum += x;
    const auto at = [&](double q) {
        return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))];
    };
    state.counters["mean_us"] = sum / us.size();
    state.counters["p50_us"] = at(0.50);
    state.counters["p99_us"] = at(0.99);
    state.counters["max_us"] = us.back();
    state.counters["steps"] = static_cast<double>(us.size());
}

// Replays docs[d] on `m`, timing compute_mask per step into `us` (when given).
bool replay(Matcher& m, const std::vector<int32_t>& doc, TokenMask& mask, std::vector<double>* us) {
    m.reset();
    for (int32_t id : doc) {
        const auto t0 = std::chrono::steady_clock::now();
        m.compute_mask(mask);
        const auto t1 = std::chrono::steady_clock::now();
        if (us) us->push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        if (!mask.allowed(id) || !m.accept_token(id)) return false;
    }
    return true;
}

void bench_masks(benchmark::State& state, Grammar (*make)(), std::vector<std::string> (*samples)(),
                 bool warm) {
    const Vocab& v = qwen2();
    const auto cg = CompiledGrammar::compile(make());
    std::vector<std::vector<int32_t>> docs;
    for (const std::string& s : samples()) docs.push_back(v.tok->encode(s, false));
    // Warm: a prototype Matcher that has already generated the *other* documents (caches
    // warm for this schema, not for this content); each document runs on a copy of it.
    std::vector<Matcher> protos;
    TokenMask mask;
    for (size_t d = 0; warm && d < docs.size(); ++d) {
        protos.emplace_back(cg, v.vocab);
        for (size_t o = 0; o < docs.size(); ++o) {
            if (o != d) replay(protos.back(), docs[o], mask, nullptr);
        }
    }
    std::vector<double> us;
    for (auto _ : state) {
        for (size_t d = 0; d < docs.size(); ++d) {
            Matcher m = warm ? protos[d] : Matcher(cg, v.vocab);
            if (!replay(m, docs[d], mask, &us)) {
                state.SkipWithError("sample token rejected by the grammar");
                return;
            }
            benchmark::DoNotOptimize(mask.bits.data());
        }
        if (warm) {
            state.PauseTiming();  // copies share caches: rebuild so every pass sees unseen content
            protos.clear();
            for (size_t d = 0; d < docs.size(); ++d) {
                protos.emplace_back(cg, v.vocab);
                for (size_t o = 0; o < docs.size(); ++o) {
                    if (o != d) replay(protos.back(), docs[o], mask, nullptr);
                }
            }
            state.ResumeTiming();
        }
    }
    report(state, us);
}

void BM_Mask_ToolCall_Warm(benchmark::State& s) {
    bench_masks(s, testing::tool_call_grammar, testing::tool_call_samples, true);
}
void BM_Mask_ToolCall_Cold(benchmark::State& s) {
    bench_masks(s, testing::tool_call_grammar, testing::tool_call_samples, false);
}
void BM_Mask_JsonValue_Warm(benchmark::State& s) {
    bench_masks(s, testing::json_value_grammar, json_value_samples, true);
}
void BM_Mask_JsonValue_Cold(benchmark::State& s) {
    bench_masks(s, testing::json_value_grammar, json_value_samples, false);
}

void BM_Mask_ToolSchema_Warm(benchmark::State& s) {
    bench_masks(s, tool_schema_grammar, tool_schema_samples, true);
}
void BM_Mask_ToolSchema_Cold(benchmark::State& s) {
    bench_masks(s, tool_schema_grammar, tool_schema_samples, false);
}

// JSON Schema text -> Grammar -> byte-level compile -> a Matcher ready for its first mask.
void BM_Compile_ToolSchema(benchmark::State& state) {
    const Vocab& v = qwen2();
    for (auto _ : state) {
        const auto cg = CompiledGrammar::compile(tool_schema_grammar());
        Matcher m(cg, v.vocab);
        benchmark::DoNotOptimize(&m);
    }
}

// Grammar construction + byte-level compile + a Matcher ready for its first mask.
void BM_Compile_ToolCall(benchmark::State& state) {
    const Vocab& v = qwen2();
    for (auto _ : state) {
        const auto cg = CompiledGrammar::compile(testing::tool_call_grammar());
        Matcher m(cg, v.vocab);
        benchmark::DoNotOptimize(&m);
    }
}

void BM_Vocabulary_Qwen2(benchmark::State& state) {
    const Vocab& v = qwen2();
    for (auto _ : state) {
        auto tv = TokenVocabulary::from_tokenizer(*v.tok);
        benchmark::DoNotOptimize(tv.get());
    }
}

BENCHMARK(BM_Compile_ToolCall)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Compile_ToolSchema)
    ->Unit(benchmark::kMillisecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Mask_ToolSchema_Warm)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Mask_ToolSchema_Cold)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Mask_ToolCall_Warm)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Mask_ToolCall_Cold)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Mask_JsonValue_Warm)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Mask_JsonValue_Cold)->Unit(benchmark::kMillisecond)->Iterations(5);
BENCHMARK(BM_Vocabulary_Qwen2)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
