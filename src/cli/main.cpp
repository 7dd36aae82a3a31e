// flash: small language models that answer from documents, call tools and follow instructions.
// Entry point: registers the subcommands, rewrites llama.cpp's flags, and turns errors into a
// message and an exit status.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/llama_flags.h"
#include "core/error.h"
#include "flash_version.h"
#include "kernels/kernels.h"

namespace {

// "flash 0.1.0 (dc6151d, Release, kernels: avx512)"
std::string version_text() {
    return std::string("flash ") + FLASH_VERSION + " (" + FLASH_GIT_DESCRIBE + ", " +
           (*FLASH_BUILD_TYPE ? FLASH_BUILD_TYPE : "no build type") +
           ", kernels: " + flash::kernels::isa_name() + ")";
}

std::vector<std::string> subcommand_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        names.push_back(sub->get_name());
        for (const std::string& alias : sub->get_aliases()) names.push_back(alias);
    }
    return names;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"flash — run small GGUF language models reliably on the hardware you have"};
    app.require_subcommand(1);
    app.set_version_flag("--version", version_text);
    app.footer("Run `flash COMMAND --help` for a command's options.");
    flash::cli::add_run_command(app);
    flash::cli::add_chat_command(app);
    flash::cli::add_info_command(app);
    flash::cli::add_doctor_command(app);
    flash::cli::add_pull_command(app);
    flash::cli::add_models_commands(app);
    flash::cli::add_bench_command(app);
    flash::cli::add_tokenize_command(app);
    flash::cli::add_logits_command(app);
    flash::cli::add_grammar_command(app);
    flash::cli::add_template_command(app);
    flash::cli::add_call_command(app);
    flash::cli::add_eval_command(app);
    flash::cli::add_index_command(app);
    flash::cli::add_ask_command(app);
    flash::cli::add_serve_command(app);
    flash::cli::add_quantize_command(app);
    flash::cli::add_imatrix_command(app);
    flash::cli::add_data_command(app);
    flash::cli::add_convert_command(app);
    flash::cli::add_train_command(app);
    try {
        if (argc < 2) {  // plain `flash`: what it can do, not "A subcommand is required"
            std::fputs(app.help().c_str(), stderr);
            return 1;
        }
        flash::cli::TranslatedArgs translated = flash::cli::translate_llama_flags(
            std::vector<std::string>(argv, argv + argc), subcommand_names(app));
        for (const std::string& note : translated.notes)
            std::fprintf(stderr, "flash: note: %s\n", note.c_str());
        // CLI11 takes the arguments reversed, without the program name.
        std::vector<std::string> reversed(translated.args.rbegin(), translated.args.rend() - 1);
        app.parse(reversed);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const flash::Error& e) {
        std::fprintf(stderr, "flash: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "flash: internal error: %s\n", e.what());
        return 3;
    }
    return 0;
}
