#include "cli/terminal.h"

#include <editline/readline.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

namespace flash::cli {
namespace {

volatile sig_atomic_t g_interrupted = 0;
struct sigaction g_previous {};

void on_interrupt(int) {
    g_interrupted = 1;
}

constexpr int kHistoryLines = 1000;

}  // namespace

InterruptCatcher::InterruptCatcher() {
    g_interrupted = 0;
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocked read returns, so the prompt sees the Ctrl-C
    sigaction(SIGINT, &sa, &g_previous);
}

InterruptCatcher::~InterruptCatcher() {
    sigaction(SIGINT, &g_previous, nullptr);
}

bool InterruptCatcher::pending() const {
    return g_interrupted != 0;
}

bool InterruptCatcher::take() {
    const bool was = g_interrupted != 0;
    g_interrupted = 0;
    return was;
}

LineReader::LineReader(std::string history_file)
    : history_file_(std::move(history_file)), interactive_(isatty(STDIN_FILENO) != 0) {
    if (!interactive_) return;
    using_history();
    stifle_history(kHistoryLines);
    if (!history_file_.empty()) read_history(history_file_.c_str());  // absent the first time
}

LineReader::~LineReader() {
    if (!interactive_ || history_file_.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(history_file_).parent_path(), ec);
    write_history(history_file_.c_str());  // best effort: history is a convenience
}

std::optional<std::string> LineReader::read(const std::string& prompt) {
    if (!interactive_) {
        std::string line;
        if (!std::getline(std::cin, line)) return std::nullopt;
        return line;
    }
    char* raw = readline(prompt.c_str());
    if (!raw) {
        if (g_interrupted) return std::string();  // Ctrl-C: not the end of input
        return std::nullopt;
    }
    std::string line(raw);
    std::free(raw);
    return line;
}

void LineReader::remember(const std::string& line) {
    if (interactive_ && !line.empty()) add_history(line.c_str());
}

QuietInput::QuietInput() {
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ICANON);  // ISIG stays: Ctrl-C still signals
    active_ = tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
}

QuietInput::~QuietInput() {
    if (!active_) return;
    tcflush(STDIN_FILENO, TCIFLUSH);  // what was typed during the reply goes nowhere
    tcsetattr(STDIN_FILENO, TCSANOW, &saved_);
}

std::string chat_history_path() {
    if (const char* s = std::getenv("XDG_STATE_HOME"); s && *s == '/')
        return std::string(s) + "/flash/chat_history";
    if (const char* h = std::getenv("HOME"); h && *h)
        return std::string(h) + "/.local/state/flash/chat_history";
    return {};
}

}  // namespace flash::cli
