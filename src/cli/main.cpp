// flash: small language models that answer from documents, call tools and follow instructions.
// Entry point: registers the subcommands and turns errors into a message and an exit status.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/commands.h"
#include "core/error.h"

int main(int argc, char** argv) {
    CLI::App app{"flash — run small GGUF language models reliably on the hardware you have"};
    app.require_subcommand(1);
    app.footer("Run `flash COMMAND --help` for a command's options.");
    flash::cli::add_run_command(app);
    flash::cli::add_chat_command(app);
    flash::cli::add_info_command(app);
    flash::cli::add_pull_command(app);
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
        app.parse(argc, argv);
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
