#include "store/subprocess.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

extern char** environ;

namespace flash {

ProcessResult run_process(const std::vector<std::string>& argv, bool pass_through) {
    if (argv.empty()) throw Error("run_process: empty argument vector");
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);

    int fds[2] = {-1, -1};
    if (!pass_through && pipe2(fds, O_CLOEXEC) != 0)
        throw Error("run_process: pipe failed: " + std::string(std::strerror(errno)));

    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (pass_through) {
        posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
    } else {
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
        posix_spawn_file_actions_adddup2(&fa, fds[1], STDERR_FILENO);
    }
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);

    pid_t pid = -1;
    int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (!pass_through) close(fds[1]);
    if (rc != 0) {
        if (!pass_through) close(fds[0]);
        std::string why = rc == ENOENT ? "not found on PATH" : std::strerror(rc);
        throw Error("cannot run " + argv[0] + ": " + why);
    }

    ProcessResult result;
    if (!pass_through) {
        char buf[65536];
        for (;;) {
            ssize_t n = read(fds[0], buf, sizeof buf);
            if (n > 0) {
                result.output.append(buf, static_cast<size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                break;
            }
        }
        close(fds[0]);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) throw Error("run_process: waitpid failed for " + argv[0]);
    }
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.exit_code = 128 + WTERMSIG(status);
    }
    return result;
}

std::string tail_lines(const std::string& text, size_t max_lines) {
    std::vector<std::string> lines;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t end = text.find_first_of("\r\n", pos);
        if (end == std::string::npos) end = text.size();
        if (end > pos) lines.push_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    std::string out;
    size_t first = lines.size() > max_lines ? lines.size() - max_lines : 0;
    for (size_t i = first; i < lines.size(); ++i) {
        if (!out.empty()) out += '\n';
        out += lines[i];
    }
    return out;
}

}  // namespace flash
