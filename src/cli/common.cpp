#include "cli/common.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "cli/device_choice.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "core/text_file.h"
#include "cuda/gpu_plan.h"
#include "store/store.h"
#ifdef FLASH_CUDA
#include "cuda/cuda_model.h"
#endif

namespace flash::cli {

void add_model_options(CLI::App& cmd, ModelOptions& o) {
    cmd.add_option("-m,--model", o.model, "GGUF file, or a model name from `flash pull --list`")
        ->capture_default_str();
    cmd.add_option("-t,--threads", o.threads, "Threads (0: all cores)")
        ->check(in_range(option_range::kThreads, true))
        ->capture_default_str();
    cmd.add_option("-c,--ctx-size", o.ctx, "Context size in tokens (capped at the model's)")
        ->check(in_range(option_range::kContext, true))
        ->capture_default_str();
    cmd.add_option("-b,--batch-size", o.batch, "Prompt tokens per forward pass")
        ->check(in_range(option_range::kBatch, true))
        ->capture_default_str();
    cmd.add_option("--precision", o.precision,
                   "exact: f32 activations (the model's own arithmetic); fast: activations rounded "
                   "to 8 bits before they meet quantized weights, as llama.cpp does: quicker, less "
                   "faithful")
        ->check(CLI::IsMember({"exact", "fast"}))
        ->capture_default_str();
    cmd.add_flag("--repack", o.repack,
                 "with --precision fast: pack the quantized weights once at load for the prompt "
                 "GEMM instead of on every pass (faster prompts and batched serving; about 1.25 "
                 "bytes of memory per weight more)");
    cmd.add_option(
           "--cache-type-k", o.cache_type_k,
           "KV cache type for keys (-ctk): f16, or q8_0 for about half the memory (heads of "
           "a multiple of 32 dimensions)")
        ->check(CLI::IsMember({"f16", "q8_0"}))
        ->capture_default_str();
    cmd.add_option("--cache-type-v", o.cache_type_v, "KV cache type for values (-ctv): f16 or q8_0")
        ->check(CLI::IsMember({"f16", "q8_0"}))
        ->capture_default_str();
}

void add_sampling_options(CLI::App& cmd, SamplingOverrides& s, const std::string& preset_text) {
    using namespace sampling_range;
    const char* group = "Sampling";
    cmd.add_option("--temp", s.temperature, "Temperature; 0 is greedy")
        ->check(in_range(kTemperature))
        ->group(group);
    cmd.add_option("--top-k", s.top_k, "Keep the k most likely tokens (0: off)")
        ->check(in_range(kTopK, true))
        ->group(group);
    cmd.add_option("--top-p", s.top_p, "Nucleus sampling mass (1: off)")
        ->check(in_range(kTopP))
        ->group(group);
    cmd.add_option("--min-p", s.min_p, "Drop tokens below min-p x the top probability (0: off)")
        ->check(in_range(kMinP))
        ->group(group);
    cmd.add_option("--repeat-penalty", s.repeat_penalty, "Penalty for recent tokens (1: off)")
        ->check(in_range(kRepeatPenalty))
        ->group(group);
    cmd.add_option("--repeat-last-n", s.repeat_last_n, "Recent tokens the penalty considers")
        ->check(in_range(kRepeatLastN, true))
        ->group(group);
    cmd.add_option("-s,--seed", s.seed, "Random seed (default: fixed, so a run repeats)")
        ->group(group);
    std::string footer = cmd.get_footer();
    cmd.footer((footer.empty() ? "" : footer + "\n") +
               "Sampling not given on the command line: " + preset_text + ".");
}

SamplerConfig chat_sampling_for(const Model& model, const SamplingOverrides& flags) {
    std::vector<std::string> warnings;
    const SamplerConfig preset = chat_sampling(model.gguf(), &warnings);
    for (const std::string& w : warnings) std::fprintf(stderr, "flash: warning: %s\n", w.c_str());
    return flags.over(preset);
}

void note_if_cut(const GenerationStats& stats) {
    if (stats.stop_reason == StopReason::Length)
        std::fprintf(stderr, "\n(stopped at the token limit of %lld, raise -n)\n",
                     static_cast<long long>(stats.generated_tokens));
    else if (stats.stop_reason == StopReason::Context)
        std::fprintf(stderr, "\n(stopped: the context is full, raise -c)\n");
}

void add_constraint_options(CLI::App& cmd, ConstraintOptions& o) {
    cmd.add_option("--json-schema", o.json_schema_file,
                   "Constrain the output to JSON valid under this JSON Schema file")
        ->group("Structured output");
    cmd.add_option("--grammar", o.grammar_file, "Constrain the output to this GBNF grammar file")
        ->group("Structured output");
    cmd.add_option("--regex", o.regex,
                   "Constrain the whole output to match this regular expression")
        ->group("Structured output");
    cmd.add_flag("--json", o.any_json, "Constrain the output to any JSON value")
        ->group("Structured output");
    cmd.add_flag("--pretty", o.pretty,
                 "Pretty-printed JSON (newlines and 2-space indent) instead of compact")
        ->group("Structured output");
    cmd.add_flag("--lenient", o.lenient,
                 "Schema keywords flash cannot enforce warn instead of failing")
        ->group("Structured output");
}

grammar::ConstraintSpec constraint_spec(const ConstraintOptions& o) {
    // An empty constraint would read as "no constraint": refuse it rather than run unconstrained.
    const auto non_empty = [](std::string text, const std::string& what) {
        if (text.find_first_not_of(" \t\r\n") == std::string::npos)
            throw Error(what + " is empty: it would constrain nothing");
        return text;
    };
    grammar::ConstraintSpec spec;
    if (!o.json_schema_file.empty())
        spec.json_schema = non_empty(read_text_file(o.json_schema_file, "JSON schema"),
                                     "JSON schema file " + o.json_schema_file);
    if (!o.grammar_file.empty())
        spec.gbnf =
            non_empty(read_text_file(o.grammar_file, "grammar"), "grammar file " + o.grammar_file);
    if (o.regex) spec.regex = non_empty(*o.regex, "--regex");
    spec.any_json = o.any_json;
    spec.pretty = o.pretty;
    spec.lenient = o.lenient;
    return spec;
}

std::shared_ptr<const grammar::CompiledGrammar> compile_constraint(
    const grammar::ConstraintSpec& spec) {
    if (spec.empty()) return nullptr;
    std::vector<std::string> warnings;
    const grammar::Grammar g = grammar::compile_spec(spec, &warnings);
    for (const std::string& w : warnings) std::fprintf(stderr, "flash: warning: %s\n", w.c_str());
    return grammar::CompiledGrammar::compile(g);
}

LoadedModel load_model(const ModelOptions& o, bool need_tokenizer) {
    const std::string path = resolve_model(o.model);
    check_repack(o);
    LoadedModel m;
    m.model = Model::load(path);
    if (o.repack) {
        ThreadPool pool(ThreadPool::threads_or_default(o.threads));
        const size_t bytes = m.model->repack_for_fast(pool);
        std::fprintf(stderr, "flash: weights repacked for fast prompts: %.0f MiB more memory\n",
                     static_cast<double>(bytes) / (1 << 20));
    }
    try {
        m.tokenizer = std::make_unique<Tokenizer>(Tokenizer::from_gguf(m.model->gguf()));
    } catch (const Error&) {
        if (need_tokenizer) throw;
    }
    return m;
}

void check_repack(const ModelOptions& o) {
    if (o.repack && o.precision != "fast")
        throw Error(
            "--repack packs weights for --precision fast; add --precision fast or drop "
            "--repack");
}

SessionOptions session_options(const ModelOptions& o) {
    SessionOptions s;
    s.n_ctx = o.ctx;
    s.n_threads = o.threads;
    s.n_batch = o.batch;
    s.precision = o.precision == "fast" ? kernels::Precision::Fast : kernels::Precision::Exact;
    s.kv_types = kv_types(o);
    return s;
}

namespace {

// The context a sequence gets: -c, capped at the model's training context (as Session caps it).
int64_t context_of(const Model& model, const ModelOptions& o) {
    return std::min(o.ctx, model.config().n_ctx_train);
}

}  // namespace

DeviceFacts device_facts(const Model& model, const ModelOptions& o, int64_t slots) {
    const ModelConfig& c = model.config();
    DeviceFacts f;
    f.unsupported = cuda::forward_unsupported(c);
    f.needed = cuda::forward_device_memory(c, model.weights(), context_of(model, o), slots,
                                           cuda::first_gpu_layer(c.n_layer, o.device.gpu_layers))
                   .total();
    f.exact = o.precision != "fast";
    f.default_kv = o.cache_type_k == "f16" && o.cache_type_v == "f16";
#ifdef FLASH_CUDA
    f.cuda_built = true;
    if (o.device.where != "cpu") f.devices = cuda::device_count();
    if (f.devices > 0) f.free = cuda::device_info(0).free_bytes;
#endif
    return f;
}

DeviceChoice device_choice(const Model& model, const ModelOptions& o, int64_t slots) {
    DeviceChoice choice = choose_device(o.device, device_facts(model, o, slots));
    if (!choice.note.empty()) std::fprintf(stderr, "flash: %s\n", choice.note.c_str());
    return choice;
}

namespace {

#ifdef FLASH_CUDA
// Where the GPU forward pass runs and what part of it: printed once the weights are uploaded.
std::string gpu_placement(const cuda::CudaModel& gpu, const Model& model) {
    const int64_t n_layer = model.config().n_layer;
    std::string where = cuda::device_info(0).name;
    if (gpu.first_gpu_layer() > 0)
        where += ", " + cuda::gpu_layers_text(gpu.first_gpu_layer(), n_layer) +
                 " and the output; the others on the CPU";
    return where;
}

cuda::CudaOptions cuda_options(const ModelOptions& o, int64_t slots) {
    return {.slots = slots, .gpu_layers = o.device.gpu_layers, .cpu_threads = o.threads};
}
#endif

}  // namespace

void attach_device(LoadedModel& lm, const ModelOptions& o) {
    if (!device_choice(*lm.model, o).gpu) return;
#ifdef FLASH_CUDA
    auto runner =
        std::make_unique<cuda::CudaRunner>(*lm.model, context_of(*lm.model, o), cuda_options(o, 1));
    std::fprintf(stderr, "flash: running on the GPU (%s)\n",
                 gpu_placement(runner->model(), *lm.model).c_str());
    lm.gpu = std::move(runner);
#endif
}

BatchPass gpu_batch_pass(const Model& model, const ModelOptions& o, int slots) {
    // cmd_serve printed device_choice's note when it checked the file.
    if (!choose_device(o.device, device_facts(model, o, slots)).gpu) return {};
#ifdef FLASH_CUDA
    auto gpu =
        std::make_shared<cuda::CudaModel>(model, context_of(model, o), cuda_options(o, slots));
    std::fprintf(stderr, "flash serve: running on the GPU (%s), %d slots\n",
                 gpu_placement(*gpu, model).c_str(), slots);
    return [gpu](std::span<const SequenceBatch> seqs) { gpu->forward_batch(seqs); };
#else
    return {};
#endif
}

SessionOptions session_options(const ModelOptions& o, const LoadedModel& lm) {
    SessionOptions s = session_options(o);
    s.runner = lm.gpu.get();
    return s;
}

KvTypes kv_types(const ModelOptions& o) {
    const auto type = [](const std::string& name) {
        return name == "q8_0" ? DType::Q8_0 : DType::F16;
    };
    return KvTypes{type(o.cache_type_k), type(o.cache_type_v)};
}

std::string read_stdin(const std::string& what) {
    constexpr size_t kLimit = size_t{64} << 20;
    std::string text;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
        text.append(buf, n);
        if (text.size() > kLimit)
            throw Error(what + " on stdin is larger than " + human_bytes(kLimit) +
                        "; pass a file instead");
    }
    return text;
}

bool stdin_is_terminal() {
    return isatty(fileno(stdin)) != 0;
}

bool print_to_stdout(std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
    std::fflush(stdout);
    return true;
}

std::string human_bytes(double b) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (b >= 1024 && u < 4) {
        b /= 1024;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
    return buf;
}

std::string index_dir_from_env() {
    const char* d = std::getenv("FLASH_INDEX");
    return d ? d : "";
}

std::string default_index_dir() {
    if (std::string d = index_dir_from_env(); !d.empty()) return d;
    // The XDG spec says relative values are invalid and must be ignored.
    if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x == '/')
        return std::string(x) + "/flash/index";
    if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/flash/index";
    throw Error("index directory: HOME is not set; pass --index DIR or set FLASH_INDEX");
}

std::string data_dir(const std::string& given, const std::string& suite) {
    if (!given.empty()) return given;
    std::vector<std::string> roots;
    if (const char* env = std::getenv("FLASH_DATA")) roots.push_back(env);
    roots.push_back("data");
    roots.push_back(std::string(FLASH_SOURCE_DIR) + "/data");
    for (const std::string& r : roots)
        if (std::filesystem::is_directory(r + "/eval/" + suite)) return r + "/eval/" + suite;
    throw Error("cannot find the " + suite + " suite (data/eval/" + suite +
                "); pass --data DIR or set FLASH_DATA");
}

}  // namespace flash::cli
