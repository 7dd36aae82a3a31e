#include "retrieval/pdf_text.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/error.h"

extern char** environ;

namespace flash::retrieval {
namespace {

constexpr const char* k_install_hint =
    "pdftotext not found; install poppler-utils (sudo apt-get install poppler-utils) to index "
    "PDF files";

struct Output {
    std::string out, err;
    int status = 0;
    bool too_big = false;
};

// Runs argv with stdout and stderr on separate pipes, reading both until the child exits.
// Kills the child once stdout passes `max_bytes`.
Output run_capturing(const std::vector<std::string>& argv, size_t max_bytes) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int out_fd[2], err_fd[2];
    if (pipe2(out_fd, O_CLOEXEC) != 0)
        throw Error("pdftotext: pipe failed: " + std::string(std::strerror(errno)));
    if (pipe2(err_fd, O_CLOEXEC) != 0) {
        close(out_fd[0]);
        close(out_fd[1]);
        throw Error("pdftotext: pipe failed: " + std::string(std::strerror(errno)));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out_fd[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&fa, err_fd[1], STDERR_FILENO);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    pid_t pid = -1;
    const int rc = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    close(out_fd[1]);
    close(err_fd[1]);
    if (rc != 0) {
        close(out_fd[0]);
        close(err_fd[0]);
        if (rc == ENOENT) throw Error(k_install_hint);
        throw Error("cannot run pdftotext: " + std::string(std::strerror(rc)));
    }
    Output result;
    pollfd fds[2] = {{out_fd[0], POLLIN, 0}, {err_fd[0], POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    int open_fds = 2;
    char buf[65536];
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int k = 0; k < 2; ++k) {
            if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const ssize_t n = read(fds[k].fd, buf, sizeof buf);
            if (n > 0) {
                if (k == 1 && result.err.size() > 65536) continue;  // enough to explain a failure
                sinks[k]->append(buf, static_cast<size_t>(n));
                if (k == 0 && result.out.size() > max_bytes && !result.too_big) {
                    result.too_big = true;
                    kill(pid, SIGKILL);
                }
            } else if (n == 0 || errno != EINTR) {
                close(fds[k].fd);
                fds[k].fd = -1;
                --open_fds;
            }
        }
    }
    for (const pollfd& p : fds)
        if (p.fd >= 0) close(p.fd);
    while (waitpid(pid, &result.status, 0) < 0 && errno == EINTR) {
    }
    return result;
}

std::string last_line(const std::string& text) {
    std::string_view s = text;
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    const size_t nl = s.rfind('\n');
    return std::string(nl == std::string_view::npos ? s : s.substr(nl + 1));
}

}  // namespace

bool pdftotext_available() {
    const char* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "/usr/bin:/bin";
    while (!dirs.empty()) {
        const size_t colon = dirs.find(':');
        const std::string dir(dirs.substr(0, colon));
        if (!dir.empty() && access((dir + "/pdftotext").c_str(), X_OK) == 0) return true;
        if (colon == std::string_view::npos) break;
        dirs.remove_prefix(colon + 1);
    }
    return false;
}

std::string pdf_to_text(const std::string& path, size_t max_bytes) {
    Output r = run_capturing({"pdftotext", "-layout", "-enc", "UTF-8", path, "-"}, max_bytes);
    if (r.too_big)
        throw Error(path + ": the PDF's text is larger than the limit of " +
                    std::to_string(max_bytes) + " bytes");
    if (!WIFEXITED(r.status) || WEXITSTATUS(r.status) != 0) {
        const int code = WIFEXITED(r.status) ? WEXITSTATUS(r.status) : 128 + WTERMSIG(r.status);
        // pdftotext's exit codes: 1 opening the PDF, 2 the output, 3 permissions (encrypted).
        std::string why = code == 3 ? "the PDF does not permit copying its text (encrypted)"
                          : code == 1
                              ? "pdftotext could not read it as a PDF"
                              : "pdftotext failed (exit status " + std::to_string(code) + ")";
        const std::string detail = last_line(r.err);
        throw Error(path + ": " + why + (detail.empty() ? "" : ": " + detail));
    }
    return std::move(r.out);
}

}  // namespace flash::retrieval
