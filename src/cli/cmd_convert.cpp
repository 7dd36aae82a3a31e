// `flash convert`: a model between GGUF and a Hugging Face checkpoint directory (convert/).
// The direction follows the input: a directory is a checkpoint (to GGUF), a file is a GGUF (to
// a checkpoint directory).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/progress.h"
#include "convert/convert.h"
#include "convert/hf_names.h"
#include "core/error.h"
#include "store/store.h"

namespace flash::cli {
namespace {

struct ConvertCliOptions {
    std::string in, out, type = "auto";
    bool to_hf = false, force = false, quiet = false;
};

void run_convert(const ConvertCliOptions& o) {
    convert::ConvertOptions options;
    options.type = convert::float_type(o.type);
    options.force = o.force;
    ProgressLine line("convert", ProgressLine::Unit::Count, "tensors", o.quiet);
    auto progress = [&](size_t i, size_t n, const std::string& name) {
        line.update(static_cast<double>(i + 1), static_cast<double>(n), name);
    };
    const bool from_dir = std::filesystem::is_directory(o.in);
    if (from_dir && o.to_hf)
        throw Error(o.in + " is a directory (a checkpoint); --to-hf converts a GGUF file");
    const convert::ConvertReport report =
        from_dir ? convert::hf_to_gguf(o.in, o.out, options, progress)
                 : convert::gguf_to_hf(resolve_model(o.in), o.out, options, progress);
    line.clear();
    for (const std::string& note : report.notes)
        std::fprintf(stderr, "flash convert: %s\n", note.c_str());
    std::printf("%s\n", o.out.c_str());
}

}  // namespace

void add_convert_command(CLI::App& app) {
    auto o = std::make_shared<ConvertCliOptions>();
    CLI::App* cmd = app.add_subcommand(
        "convert", "Convert a model between GGUF and a Hugging Face checkpoint directory");
    cmd->footer(
        "A directory (config.json, model.safetensors or its shards) becomes a GGUF file; a GGUF "
        "file becomes a directory (config.json, model.safetensors, generation_config.json, "
        "tokenizer_config.json with the chat template, tokenizer.json).\n"
        "Vocabularies: byte-level BPE (GPT-2, Llama 3, Qwen, SmolLM) and SentencePiece (Llama 2, "
        "Gemma 3, Phi-3). A vocabulary-only GGUF becomes its tokenizer files.\n"
        "Architectures: " +
        convert::convertible_architectures() +
        ". Float tensors keep their type unless "
        "--type says otherwise; quantized GGUF tensors are dequantized (F32 unless --type).\n"
        "Examples:\n"
        "  flash convert smollm2.gguf smollm2-hf --to-hf\n"
        "  flash convert smollm2-hf smollm2-f16.gguf --type F16");
    cmd->add_option("input", o->in, "GGUF file (path or catalog name), or a checkpoint directory")
        ->required();
    cmd->add_option("output", o->out, "Directory (from GGUF) or GGUF file (from a checkpoint)")
        ->required();
    cmd->add_flag("--to-hf", o->to_hf, "Convert GGUF to a checkpoint (implied by a file input)");
    cmd->add_option("--type", o->type, "auto, F32, F16 or BF16")->capture_default_str();
    cmd->add_flag("--force", o->force, "Replace the output if it exists");
    cmd->add_flag("-q,--quiet", o->quiet, "No progress on stderr");
    cmd->callback([o] { run_convert(*o); });
}

}  // namespace flash::cli
