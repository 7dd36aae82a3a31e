#include "cli/llama_flags.h"

#include <algorithm>
#include <array>
#include <optional>
#include <string_view>

#include "core/error.h"

namespace flash::cli {
namespace {

enum class Action {
    Rename,  // becomes `target`, value kept
    Ignore,  // dropped (with its value), `message` printed as a note
    Quiet,   // dropped (with its value), nothing printed: flash always behaves that way
    Refuse,  // an error carrying `message`
};

struct FlagRule {
    // Space-separated lists: an initializer_list member would dangle (its array is a
    // temporary of the initialization).
    std::string_view spellings;
    Action action;
    bool takes_value;
    std::string_view target_or_message;
    std::string_view only_for = {};  // subcommands; empty: all
};

constexpr std::string_view kNoGpu =
    "this build of flash has no GPU backend; %s is ignored and the model runs on the CPU";
// The commands with --device and --gpu-layers (device_choice.h).
constexpr std::string_view kGpuCommands = "run chat ask call bench serve";

// llama.cpp's flags that flash's own names do not already cover (those -m, -p, -n, -t, -c,
// -b, --temp, --top-k, ... are declared on each command as llama.cpp spells them).
constexpr std::array kRules = {
    // `flash info` reports the GPU memory of a partial offload in every build.
    FlagRule{"-ngl --n-gpu-layers --gpu-layers", Action::Rename, true, "--gpu-layers", "info"},
#ifdef FLASH_CUDA
    FlagRule{"-ngl --n-gpu-layers --gpu-layers", Action::Rename, true, "--gpu-layers",
             kGpuCommands},
    FlagRule{"-ngl --n-gpu-layers --gpu-layers", Action::Ignore, true,
             "%s is ignored: this command runs on the CPU"},
#else
    FlagRule{"-ngl --n-gpu-layers --gpu-layers", Action::Ignore, true, kNoGpu},
#endif
    FlagRule{"-mg --main-gpu -ts --tensor-split -sm --split-mode", Action::Ignore, true, kNoGpu},
    FlagRule{"-sys --system-prompt", Action::Rename, true, "--system"},
    FlagRule{"-r --reverse-prompt", Action::Rename, true, "--stop", "run chat"},
    FlagRule{"-np --parallel", Action::Rename, true, "--slots", "serve"},
    FlagRule{"-ctk", Action::Rename, true, "--cache-type-k"},
    FlagRule{"-ctv", Action::Rename, true, "--cache-type-v"},
    FlagRule{"--jinja", Action::Quiet, false, "the model's own Jinja template is the default"},
    FlagRule{"-cb --cont-batching", Action::Quiet, false, "continuous batching is always on"},
    FlagRule{"-no-cnv --no-conversation -st --single-turn", Action::Quiet, false,
             "`flash run` answers one prompt"},
    FlagRule{"-cnv --conversation -i --interactive -if --interactive-first", Action::Quiet, false,
             "", "chat"},
    FlagRule{"-cnv --conversation -i --interactive -if --interactive-first", Action::Refuse, false,
             "%s: `flash run` answers one prompt; for a conversation use `flash chat`"},
    FlagRule{"-fa --flash-attn", Action::Ignore, false,
             "%s: flash's attention is always fused (online softmax over the KV cache)"},
    FlagRule{"-ub --ubatch-size -tb --threads-batch", Action::Ignore, true,
             "%s is ignored: flash splits prompts by -b only and uses -t threads throughout"},
    FlagRule{"--mlock --no-mmap --no-warmup", Action::Ignore, false,
             "%s is ignored: flash maps the model file and lets the OS page it"},
    FlagRule{"-hf -hfr --hf-repo -hff --hf-file -mu --model-url", Action::Refuse, true,
             "%s: flash fetches models with `flash pull NAME|URL` and then takes -m NAME or a "
             "path"},
    FlagRule{"-e --escape", Action::Refuse, false,
             "%s: flash passes the prompt as written; put real newlines in it, or use -f FILE"},
};

// Ollama's commands that flash does not have, and what to do instead.
struct CommandNote {
    std::string_view name;
    std::string_view instead;
};
constexpr std::array kOllamaCommands = {
    CommandNote{"ps",
                "flash keeps no model daemon: each command loads the model it needs, and `flash "
                "serve` keeps one loaded (its /health and /metrics say how it is doing)"},
    CommandNote{"stop", "flash keeps no model daemon; stop `flash serve` with Ctrl-C or SIGTERM"},
    CommandNote{"create",
                "flash reads GGUF files as they are; set the system message with --system and "
                "the template with --chat-template"},
    CommandNote{"cp", "models are plain files in $FLASH_MODELS; copy them with cp"},
    CommandNote{"push", "flash does not publish models"},
};

std::string format_message(std::string_view pattern, std::string_view flag) {
    std::string out(pattern);
    if (const size_t at = out.find("%s"); at != std::string::npos)
        out.replace(at, 2, std::string(flag));
    return out;
}

// Whether `word` is one of the space-separated words of `list`.
bool listed(std::string_view list, std::string_view word) {
    while (!list.empty()) {
        const size_t space = list.find(' ');
        if (list.substr(0, space) == word) return true;
        if (space == std::string_view::npos) break;
        list.remove_prefix(space + 1);
    }
    return false;
}

bool applies_to(const FlagRule& rule, std::string_view subcommand) {
    return rule.only_for.empty() || listed(rule.only_for, subcommand);
}

// The rule for `flag` (without any "=value") under `subcommand`, if one applies.
const FlagRule* find_rule(std::string_view flag, std::string_view subcommand) {
    for (const FlagRule& rule : kRules) {
        if (!applies_to(rule, subcommand)) continue;
        if (listed(rule.spellings, flag)) return &rule;
    }
    return nullptr;
}

// -fa takes an optional on/off/auto in recent llama.cpp.
bool is_flash_attn_value(std::string_view v) {
    return v == "on" || v == "off" || v == "auto";
}

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string closest_name(const std::string& typed, const std::vector<std::string>& names) {
    std::string best;
    size_t best_distance = 3;  // more than 2 edits is not a typo
    for (const std::string& name : names) {
        size_t d = edit_distance(typed, name);
        if (typed.size() >= 2 && name.starts_with(typed)) d = std::min<size_t>(d, 1);
        if (d < best_distance) best_distance = d, best = name;
    }
    return best;
}

TranslatedArgs translate_llama_flags(std::vector<std::string> args,
                                     const std::vector<std::string>& subcommands) {
    TranslatedArgs out;
    if (args.empty()) return out;
    std::string subcommand;
    if (args.size() > 1 && !args[1].starts_with("-")) {
        subcommand = args[1];
        for (const CommandNote& note : kOllamaCommands)
            if (note.name == subcommand)
                throw Error("flash has no `" + subcommand +
                            "` command: " + std::string(note.instead));
        if (std::find(subcommands.begin(), subcommands.end(), subcommand) == subcommands.end()) {
            const std::string hint = closest_name(subcommand, subcommands);
            throw Error("'" + subcommand + "' is not a flash command" +
                        (hint.empty() ? "" : "; did you mean `flash " + hint + "`?") +
                        " (`flash --help` lists them)");
        }
    }
    out.args.push_back(args[0]);
    for (size_t i = 1; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--") {  // everything after is positional
            out.args.insert(out.args.end(), args.begin() + static_cast<std::ptrdiff_t>(i),
                            args.end());
            break;
        }
        const size_t eq = arg.starts_with("--") ? arg.find('=') : std::string::npos;
        const std::string flag = arg.substr(0, eq);
        const FlagRule* rule = arg.starts_with("-") ? find_rule(flag, subcommand) : nullptr;
        if (!rule) {
            out.args.push_back(arg);
            continue;
        }
        const bool inline_value = eq != std::string::npos;
        const bool next_is_value = !inline_value && i + 1 < args.size();
        if (rule->takes_value && !inline_value && !next_is_value)
            throw Error(flag + " needs a value");
        switch (rule->action) {
            case Action::Rename:
                out.args.push_back(std::string(rule->target_or_message) +
                                   (inline_value ? arg.substr(eq) : ""));
                continue;  // its value, if separate, is copied as the next argument
            case Action::Refuse:
                throw Error(format_message(rule->target_or_message, flag));
            case Action::Ignore:
                out.notes.push_back(format_message(rule->target_or_message, flag));
                break;
            case Action::Quiet:
                break;
        }
        if (rule->takes_value && !inline_value) ++i;  // drop the value too
        if (flag == "-fa" || flag == "--flash-attn")
            if (!inline_value && i + 1 < args.size() && is_flash_attn_value(args[i + 1])) ++i;
    }
    return out;
}

}  // namespace flash::cli
