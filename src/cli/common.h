// Options and loading shared by the `flash` subcommands. Flags take llama.cpp's names where
// one exists (-m, -p, -n, -t, -c, --temp, --top-k, --top-p, --seed) so habits carry over.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chat/chat_template.h"
#include "cli/device_choice.h"
#include "core/text_file.h"  // read_text_file, for the commands that read files
#include "grammar/compiled_grammar.h"
#include "grammar/constraint_spec.h"
#include "model/model.h"
#include "runtime/batcher.h"
#include "runtime/sampler.h"
#include "runtime/sampling_preset.h"
#include "runtime/session.h"
#include "tokenizer/tokenizer.h"

namespace flash::cli {

struct ModelOptions {
    std::string model = "default";  // a path, or a name from `flash pull --list`
    int threads = 0;
    int64_t ctx = 4096;
    int64_t batch = 256;
    std::string precision = "exact";   // exact | fast
    bool repack = false;               // --repack: Model::repack_for_fast (needs fast)
    std::string cache_type_k = "f16";  // f16 | q8_0
    std::string cache_type_v = "f16";
    DeviceRequest device;  // --device, --gpu-layers, for the commands that offer them
};

void add_model_options(CLI::App& cmd, ModelOptions& o);

// --json-schema FILE, --grammar FILE, --regex PATTERN, --json, --pretty, --lenient.
struct ConstraintOptions {
    std::string json_schema_file;
    std::string grammar_file;
    std::optional<std::string> regex;  // given but empty is an error, not "no constraint"
    bool any_json = false;
    bool pretty = false;
    bool lenient = false;
};
void add_constraint_options(CLI::App& cmd, ConstraintOptions& o);
// Reads the files named and returns what to compile (empty when no constraint was asked for).
grammar::ConstraintSpec constraint_spec(const ConstraintOptions& o);
// Compiles the spec, printing schema warnings to stderr; null when empty.
std::shared_ptr<const grammar::CompiledGrammar> compile_constraint(
    const grammar::ConstraintSpec& spec);
// --temp, --top-k, --top-p, --min-p, --repeat-penalty, --repeat-last-n, --seed. What is not
// given comes from a preset: chat_sampling(model) for open-ended text, greedy_sampling() for
// checked answers; `preset_text` says which in --help.
void add_sampling_options(CLI::App& cmd, SamplingOverrides& s, const std::string& preset_text);
// The chat preset of the loaded model with the flags applied; the file's bad advice is warned
// about on stderr.
SamplerConfig chat_sampling_for(const Model& model, const SamplingOverrides& flags);
inline constexpr const char* kChatPresetText =
    "the model file's general.sampling.* where set, else repeat-penalty 1.1 over 64 tokens "
    "with greedy decoding below 1B parameters and temp 0.7, top-k 40, top-p 0.9, min-p 0.05 "
    "from 1B on";
inline constexpr const char* kGreedyPresetText = "greedy (temp 0, no penalty)";

// Prints "(stopped at the token limit, raise -n)" on stderr when generation was cut there.
void note_if_cut(const GenerationStats& stats);

struct LoadedModel {
    std::unique_ptr<Model> model;
    std::unique_ptr<Tokenizer> tokenizer;  // null when the file has no usable vocabulary
    std::unique_ptr<ForwardRunner> gpu;    // set by attach_device when the model runs there
};

// Resolves the -m value (path or catalog name) and loads model and tokenizer.
LoadedModel load_model(const ModelOptions& o, bool need_tokenizer = true);
// Throws flash::Error when --repack is given without --precision fast (it would do nothing).
void check_repack(const ModelOptions& o);
SessionOptions session_options(const ModelOptions& o);
// What --device decides on (device_choice.h) for a loaded model run with these options by
// `slots` sequences at once.
DeviceFacts device_facts(const Model& model, const ModelOptions& o, int64_t slots = 1);
// choose_device for the loaded model with these options, its note printed on stderr. Throws
// flash::Error when --device cuda cannot be honoured.
DeviceChoice device_choice(const Model& model, const ModelOptions& o, int64_t slots = 1);
// Decides --device for the loaded model; for the GPU, uploads it (the last --gpu-layers layers)
// and says so on stderr. Throws flash::Error when --device cuda cannot be honoured.
void attach_device(LoadedModel& lm, const ModelOptions& o);
// The server's form: a Batcher pass on the GPU for `slots` sequences when --device resolves to
// it (the model uploaded, said on stderr), else an empty function (the CPU).
BatchPass gpu_batch_pass(const Model& model, const ModelOptions& o, int slots);
// session_options, with the forward passes on the GPU when attach_device put the model there
// (one session at a time: the GPU holds one sequence's cache).
SessionOptions session_options(const ModelOptions& o, const LoadedModel& lm);
KvTypes kv_types(const ModelOptions& o);

// Replies stop here unless -n says otherwise (the server's --max-tokens default too).
inline constexpr int kDefaultMaxTokens = 1024;

// All of stdin (at most 64 MiB; more is an error naming `what`), and whether it is a terminal.
std::string read_stdin(const std::string& what);
bool stdin_is_terminal();

// Streams generated text to stdout as it arrives (a Session::generate on_text callback).
bool print_to_stdout(std::string_view piece);

// $FLASH_INDEX, or "" when unset: the index `flash serve` searches without --index.
std::string index_dir_from_env();
// The document index directory: $FLASH_INDEX, else $XDG_CACHE_HOME/flash/index, else
// ~/.cache/flash/index.
std::string default_index_dir();

// Where an evaluation suite lives: `given`, else $FLASH_DATA/eval/SUITE, ./data/eval/SUITE, or
// the source tree flash was built from.
std::string data_dir(const std::string& given, const std::string& suite);

// Every n-th item of `all` (all of them when limit <= 0), so a short evaluation run still
// covers the whole suite.
// "123.4 MiB"
std::string human_bytes(double bytes);

}  // namespace flash::cli
