#include "store/http_pull.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "core/hex.h"
#include "store/finalize.h"

namespace flash {

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    if (s.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

void curl_init_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            throw Error("libcurl global initialisation failed");
    });
}

// State of one transfer attempt, shared with the libcurl callbacks.
struct Transfer {
    int fd = -1;
    const std::string* url = nullptr;
    const std::string* part = nullptr;
    const ProgressFn* progress = nullptr;
    uint64_t resume_from = 0;  // bytes already in the .part file; a Range was sent when > 0

    // From the headers of the latest response (redirect hops reset them).
    long status = 0;
    bool has_content_range = false;
    uint64_t range_start = 0;
    uint64_t range_total = 0;  // 0: unknown ("*")
    bool has_length = false;
    uint64_t content_length = 0;

    bool body_started = false;
    uint64_t base = 0;   // file bytes kept before this response's body
    uint64_t done = 0;   // file bytes now
    uint64_t total = 0;  // expected final size; 0 unknown
    uint64_t last_report = 0;

    std::string error;     // set when a callback aborts the transfer
    bool restart = false;  // the .part file must be discarded and the download restarted
};

size_t on_header(char* data, size_t size, size_t n, void* user) {
    Transfer& t = *static_cast<Transfer*>(user);
    std::string_view line(data, size * n);
    if (starts_with_ci(line, "HTTP/")) {
        t.status = 0;
        t.has_content_range = false;
        t.has_length = false;
        size_t sp = line.find(' ');
        if (sp != std::string_view::npos)
            t.status = std::atol(std::string(line.substr(sp + 1)).c_str());
    } else if (starts_with_ci(line, "Content-Range:")) {
        // "bytes START-END/TOTAL" or "bytes START-END/*"
        std::string v = trim(line.substr(14));
        unsigned long long a = 0, b = 0, total = 0;
        if (std::sscanf(v.c_str(), "bytes %llu-%llu/%llu", &a, &b, &total) >= 2) {
            t.has_content_range = true;
            t.range_start = a;
            t.range_total = total;
        }
    } else if (starts_with_ci(line, "Content-Length:")) {
        t.has_length = true;
        t.content_length = std::strtoull(trim(line.substr(15)).c_str(), nullptr, 10);
    }
    return size * n;
}

void report(Transfer& t, bool force) {
    if (!t.progress || !*t.progress) return;
    if (!force && t.done - t.last_report < (256u << 10) && t.done != t.total) return;
    t.last_report = t.done;
    (*t.progress)(t.done, t.total);
}

// Decides, at the first body byte, what this response means for the .part file.
bool start_body(Transfer& t) {
    t.body_started = true;
    if (t.status == 416 && t.resume_from > 0) {
        // The .part file doesn't fit what the server has (e.g. the file changed upstream).
        t.error =
            "HTTP 416 (range not satisfiable) for bytes from " + std::to_string(t.resume_from);
        t.restart = true;
        return false;
    }
    if (t.status >= 400) {
        t.error = "HTTP " + std::to_string(t.status) + " for " + *t.url;
        return false;
    }
    if (t.resume_from > 0 && t.status == 206) {
        if (t.has_content_range && t.range_start != t.resume_from) {
            t.error = "server answered the resume request with bytes from " +
                      std::to_string(t.range_start) + " instead of " +
                      std::to_string(t.resume_from);
            t.restart = true;
            return false;
        }
        t.base = t.resume_from;
        t.total = t.range_total ? t.range_total : (t.has_length ? t.base + t.content_length : 0);
    } else {
        // A full body: a fresh download, or a server that ignored our Range header.
        if (t.resume_from > 0) {
            if (ftruncate(t.fd, 0) != 0 || lseek(t.fd, 0, SEEK_SET) != 0) {
                t.error = "cannot truncate " + *t.part + ": " + std::strerror(errno);
                return false;
            }
        }
        t.base = 0;
        t.total = t.has_length ? t.content_length : 0;
    }
    t.done = t.base;
    return true;
}

size_t on_body(char* data, size_t size, size_t n, void* user) {
    Transfer& t = *static_cast<Transfer*>(user);
    if (!t.body_started && !start_body(t)) return 0;
    size_t len = size * n;
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(t.fd, data + off, len - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            t.error = "write to " + *t.part + " failed: " + std::strerror(errno);
            return 0;
        }
        off += static_cast<size_t>(w);
    }
    t.done += len;
    report(t, false);
    return len;
}

bool transient(CURLcode c) {
    switch (c) {
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return true;
        default:
            return false;
    }
}

// Holds the .part file open and locked so two pulls never write the same file.
class PartFile {
  public:
    explicit PartFile(const std::string& path) : path_(path) {
        fd_ = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0) throw Error("cannot open " + path + ": " + std::strerror(errno));
        if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            close(fd_);
            throw Error("another download is writing " + path + " right now");
        }
    }
    // An empty .part file left by a failed first attempt is removed; a non-empty one is kept
    // so the next pull can resume it.
    ~PartFile() {
        if (fd_ < 0) return;
        struct stat st {};
        if (fstat(fd_, &st) == 0 && st.st_size == 0) unlink(path_.c_str());
        close(fd_);
    }
    PartFile(const PartFile&) = delete;
    PartFile& operator=(const PartFile&) = delete;

    int fd() const { return fd_; }
    uint64_t size() const {
        struct stat st {};
        if (fstat(fd_, &st) != 0) throw Error("cannot stat " + path_ + ": " + std::strerror(errno));
        return static_cast<uint64_t>(st.st_size);
    }
    void truncate() {
        if (ftruncate(fd_, 0) != 0)
            throw Error("cannot truncate " + path_ + ": " + std::strerror(errno));
    }
    // Flushes to disk; throws when the data didn't make it.
    void sync() {
        if (fsync(fd_) != 0) throw Error("cannot write " + path_ + ": " + std::strerror(errno));
    }

  private:
    std::string path_;
    int fd_ = -1;
};

struct CurlHandle {
    CURL* h = curl_easy_init();
    curl_slist* headers = nullptr;
    ~CurlHandle() {
        curl_slist_free_all(headers);
        if (h) curl_easy_cleanup(h);
    }
};

std::string percent_decode(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace

bool is_url(const std::string& spec) {
    return starts_with_ci(spec, "http://") || starts_with_ci(spec, "https://") ||
           starts_with_ci(spec, "hf://");
}

std::string expand_url(const std::string& url) {
    if (!starts_with_ci(url, "hf://")) return url;
    const std::string rest = url.substr(5);
    // owner / repo[@revision] / path...
    size_t s1 = rest.find('/');
    size_t s2 = s1 == std::string::npos ? s1 : rest.find('/', s1 + 1);
    if (s1 == 0 || s2 == std::string::npos || s2 == s1 + 1 || s2 + 1 >= rest.size())
        throw Error("malformed " + url + ": expected hf://OWNER/REPO/PATH/FILE.gguf");
    std::string owner = rest.substr(0, s1);
    std::string repo = rest.substr(s1 + 1, s2 - s1 - 1);
    std::string path = rest.substr(s2 + 1);
    std::string revision = "main";
    if (size_t at = repo.find('@'); at != std::string::npos) {
        revision = repo.substr(at + 1);
        repo = repo.substr(0, at);
        if (repo.empty() || revision.empty())
            throw Error("malformed " + url + ": expected hf://OWNER/REPO@REVISION/PATH");
    }
    const char* endpoint = std::getenv("FLASH_HF_ENDPOINT");
    if (!endpoint || !*endpoint)
        throw Error(url +
                    ": hf:// URLs need FLASH_HF_ENDPOINT set to the hub's base URL "
                    "(e.g. https://HUB-HOST); or pass the full https:// URL instead");
    std::string base = endpoint;
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/" + owner + "/" + repo + "/resolve/" + revision + "/" + path;
}

std::string url_file_name(const std::string& url) {
    std::string u = url;
    if (size_t q = u.find_first_of("?#"); q != std::string::npos) u.resize(q);
    size_t scheme = u.find("://");
    std::string path = scheme == std::string::npos ? u : u.substr(scheme + 3);
    size_t slash = path.rfind('/');
    std::string name = slash == std::string::npos ? "" : percent_decode(path.substr(slash + 1));
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos)
        throw Error("cannot tell a file name from " + url);
    return name;
}

void pull_url(const std::string& url_spec, const std::string& dest_path,
              const std::string& expected_sha256, const ProgressFn& progress, int max_attempts) {
    const std::string url = expand_url(url_spec);
    if (!starts_with_ci(url, "http://") && !starts_with_ci(url, "https://"))
        throw Error("unsupported URL " + url + " (only http:// and https:// are fetched)");
    curl_init_once();
    const std::string part = dest_path + ".part";
    if (max_attempts < 1) max_attempts = 1;

    PartFile file(part);
    bool restarted = false;  // one free restart when the .part file turns out to be unusable
    for (int attempt = 1;; ++attempt) {
        Transfer t;
        t.fd = file.fd();
        t.url = &url;
        t.part = &part;
        t.progress = &progress;
        t.resume_from = file.size();
        if (lseek(t.fd, static_cast<off_t>(t.resume_from), SEEK_SET) < 0)
            throw Error("cannot seek in " + part + ": " + std::strerror(errno));

        CurlHandle c;
        if (!c.h) throw Error("libcurl could not create a handle");
        char curl_err[CURL_ERROR_SIZE] = {};
        curl_easy_setopt(c.h, CURLOPT_URL, url.c_str());
        curl_easy_setopt(c.h, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c.h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
        curl_easy_setopt(c.h, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c.h, CURLOPT_MAXREDIRS, 10L);
        curl_easy_setopt(c.h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c.h, CURLOPT_USERAGENT, "flash/0.1");
        curl_easy_setopt(c.h, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(c.h, CURLOPT_LOW_SPEED_LIMIT, 1L);  // stalled for a minute: retry
        curl_easy_setopt(c.h, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c.h, CURLOPT_ERRORBUFFER, curl_err);
        curl_easy_setopt(c.h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c.h, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(c.h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c.h, CURLOPT_WRITEDATA, &t);
        // A plain Range header rather than CURLOPT_RESUME_FROM: libcurl fails the transfer
        // when a server ignores a resume, and we want to restart from the full body instead.
        const std::string range = std::to_string(t.resume_from) + "-";
        if (t.resume_from > 0) curl_easy_setopt(c.h, CURLOPT_RANGE, range.c_str());
        if (starts_with_ci(url_spec, "hf://")) {
            if (const char* token = std::getenv("HF_TOKEN"); token && *token) {
                c.headers = curl_slist_append(
                    c.headers, ("Authorization: Bearer " + std::string(token)).c_str());
                curl_easy_setopt(c.h, CURLOPT_HTTPHEADER, c.headers);
            }
        }

        const CURLcode rc = curl_easy_perform(c.h);
        if (rc == CURLE_OK && !t.body_started) start_body(t);  // an empty body: same checks

        if (t.restart) {
            // The .part file doesn't fit what the server has: start over, once.
            if (restarted) throw Error(url + ": resume failed: " + t.error);
            restarted = true;
            file.truncate();
            --attempt;
            continue;
        }
        // An HTTP error status or a local write failure (found by start_body or on_body).
        if (!t.error.empty()) throw Error(t.error);
        if (rc != CURLE_OK) {
            const std::string why = curl_err[0] ? curl_err : curl_easy_strerror(rc);
            if (transient(rc) && attempt < max_attempts) {
                std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
                continue;
            }
            if (transient(rc))
                throw Error("download of " + url + " interrupted after " +
                            std::to_string(file.size()) + " bytes (" + why +
                            "); run the pull again to resume from " + part);
            throw Error("cannot download " + url + ": " + why);
        }
        if (t.total && file.size() != t.total)
            throw Error("download of " + url + " ended at " + std::to_string(file.size()) +
                        " bytes, expected " + std::to_string(t.total) +
                        "; run the pull again to resume");
        report(t, true);
        break;
    }
    file.sync();
    // Still holding the lock, so nobody starts writing the .part file while it is renamed.
    install_verified(part, dest_path, expected_sha256, url);
}

}  // namespace flash
