// Each `flash` subcommand registers itself on the app: its flags and its action.
#pragma once

#include <CLI/CLI.hpp>

namespace flash::cli {

void add_run_command(CLI::App& app);
void add_chat_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_doctor_command(CLI::App& app);
// `flash list` (ls), `flash show`, `flash rm`.
void add_models_commands(CLI::App& app);
void add_pull_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_tokenize_command(CLI::App& app);
void add_logits_command(CLI::App& app);
void add_grammar_command(CLI::App& app);
void add_template_command(CLI::App& app);
void add_call_command(CLI::App& app);
void add_eval_command(CLI::App& app);
// `flash eval instruct`, registered by add_eval_command on its `eval` subcommand.
void add_eval_instruct_command(CLI::App& eval);
void add_eval_ladder_commands(CLI::App& eval);
void add_eval_compare_command(CLI::App& eval);
void add_index_command(CLI::App& app);
void add_ask_command(CLI::App& app);
void add_serve_command(CLI::App& app);
void add_quantize_command(CLI::App& app);
void add_imatrix_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_convert_command(CLI::App& app);
void add_train_command(CLI::App& app);

}  // namespace flash::cli
