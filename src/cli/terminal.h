// The terminal side of `flash chat`: line editing and history through libedit (a Debian
// package, BSD-licensed; a hand-written terminal layer would get escape sequences and wide
// characters wrong), Ctrl-C as "stop the reply" rather than "kill the program", and keystrokes
// typed during a reply kept out of it. POSIX termios and signals only, so macOS builds too.
#pragma once

#include <termios.h>

#include <optional>
#include <string>

namespace flash::cli {

// While alive, SIGINT sets a flag instead of ending the process.
class InterruptCatcher {
  public:
    InterruptCatcher();
    ~InterruptCatcher();
    InterruptCatcher(const InterruptCatcher&) = delete;
    InterruptCatcher& operator=(const InterruptCatcher&) = delete;

    bool pending() const;
    // Whether Ctrl-C came since the last call; clears the flag.
    bool take();
};

// Reads lines with editing and history when stdin is a terminal, plain lines otherwise.
class LineReader {
  public:
    // `history_file` (may be empty) is read now and written back on destruction.
    explicit LineReader(std::string history_file);
    ~LineReader();

    // The next line without its newline; nullopt at end of input (Ctrl-D). A Ctrl-C at the
    // prompt returns an empty line and leaves the catcher's flag set.
    std::optional<std::string> read(const std::string& prompt);
    void remember(const std::string& line);
    bool interactive() const { return interactive_; }

  private:
    std::string history_file_;
    bool interactive_;
};

// While alive (and stdin is a terminal), what the user types is neither echoed nor kept:
// it is discarded when the reply ends, so it cannot mix into the output or the next prompt.
class QuietInput {
  public:
    QuietInput();
    ~QuietInput();
    QuietInput(const QuietInput&) = delete;
    QuietInput& operator=(const QuietInput&) = delete;

  private:
    bool active_ = false;
    termios saved_{};
};

// Where chat history lives: $XDG_STATE_HOME/flash/chat_history, else
// ~/.local/state/flash/chat_history; empty when neither can be found.
std::string chat_history_path();

}  // namespace flash::cli
