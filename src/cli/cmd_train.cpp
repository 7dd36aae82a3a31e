// `flash train`: fine-tuning runs on PyTorch (train/flash_train, the field's standard stack);
// this verb finds the package and a python that has the stack, and hands over — or says
// exactly how to install it. Everything after `train` goes to the trainer unchanged.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
#include "core/executable_path.h"

namespace flash::cli {
namespace {

namespace fs = std::filesystem;

// train/ (holding flash_train/): $FLASH_TRAIN_DIR, ./train, or the source tree's.
std::string package_dir() {
    std::vector<std::string> roots;
    if (const char* env = std::getenv("FLASH_TRAIN_DIR")) roots.push_back(env);
    roots.push_back("train");
    roots.push_back(std::string(FLASH_SOURCE_DIR) + "/train");
    for (const std::string& r : roots)
        if (fs::exists(fs::path(r) / "flash_train" / "__main__.py"))
            return fs::absolute(r).string();
    throw Error(
        "cannot find the trainer (train/flash_train); run from the source tree or set "
        "FLASH_TRAIN_DIR");
}

std::string training_python() {
    if (const char* env = std::getenv("FLASH_TRAIN_PYTHON"); env && *env) return env;
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "") + "/.cache/flash/train-venv/bin/python";
}

void run_train(const std::vector<std::string>& args) {
    const std::string python = training_python();
    const std::string check = "'" + python + "' -c 'import torch, transformers, peft' 2>/dev/null";
    if (!fs::exists(python) || std::system(check.c_str()) != 0)
        throw Error(
            "flash train needs the training stack (PyTorch, transformers, peft: "
            "train/requirements.txt), and " +
            python +
            " does not have it. Install it with scripts/install_train.sh (about 5.9 GB: PyPI's "
            "torch wheel carries CUDA), or set FLASH_TRAIN_PYTHON to a python that has it.");
    const std::string dir = package_dir();
    setenv("PYTHONPATH", dir.c_str(), 1);
    std::vector<std::string> argv = {python, "-m", "flash_train"};
    bool has_flash = false;
    for (const std::string& a : args) {
        argv.push_back(a);
        has_flash |= a == "--flash";
    }
    if (!has_flash) {  // the trainer converts the merged model with this same flash
        const std::string self = executable_path();
        if (!self.empty()) {
            argv.push_back("--flash");
            argv.push_back(self);
        }
    }
    std::vector<char*> raw;
    for (std::string& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    std::fflush(nullptr);
    execv(python.c_str(), raw.data());
    throw Error("cannot run " + python);
}

}  // namespace

void add_train_command(CLI::App& app) {
    CLI::App* cmd = app.add_subcommand(
        "train", "Fine-tune a model on the dataset (PyTorch: LoRA or full, resumable)");
    cmd->prefix_command();  // every argument goes to the trainer
    cmd->set_help_flag();   // so does --help: the trainer's is the full one
    cmd->footer(
        "Runs train/flash_train with the training environment (scripts/install_train.sh).\n"
        "The path from a GGUF:\n"
        "  flash convert smollm2-135m-instruct base-hf --to-hf\n"
        "  flash data build --out train-data\n"
        "  flash data render -m base-hf --data train-data --out train-rendered\n"
        "  flash train --model base-hf --data train-rendered --out run\n"
        "`flash train --help` shows the trainer's options.");
    cmd->callback([cmd] { run_train(cmd->remaining()); });
}

}  // namespace flash::cli
