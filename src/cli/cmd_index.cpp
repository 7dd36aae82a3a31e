// `flash index`: the document index grounded answers draw on — add files and folders, search
// them (ranked passages with their sentences), list and remove. Progress goes to stderr.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/option_checks.h"
#include "core/error.h"
#include "retrieval/index.h"

namespace flash::cli {
namespace {

struct IndexCliOptions {
    std::string dir;  // empty: $FLASH_INDEX, else the cache directory
    std::vector<std::string> paths;
    std::string query;
    int k = 5;
    bool json = false;
};

retrieval::Index open_index(const IndexCliOptions& o) {
    return retrieval::Index::open(o.dir.empty() ? default_index_dir() : o.dir);
}

const char* status_word(retrieval::AddStatus s) {
    switch (s) {
        case retrieval::AddStatus::added:
            return "added";
        case retrieval::AddStatus::updated:
            return "updated";
        case retrieval::AddStatus::unchanged:
            return "unchanged";
    }
    return "?";
}

void print_result(const retrieval::AddResult& r) {
    if (r.status == retrieval::AddStatus::unchanged)
        std::fprintf(stderr, "%s: unchanged\n", r.path.c_str());
    else
        std::fprintf(stderr, "%s: %s %zu passage%s\n", r.path.c_str(), status_word(r.status),
                     r.passages, r.passages == 1 ? "" : "s");
}

// Every path must exist before the index is opened: a typo must not create an empty index,
// nor index some of the paths and then stop.
void require_existing(const std::vector<std::string>& paths) {
    std::string missing;
    size_t n = 0;
    for (const std::string& path : paths) {
        std::error_code ec;
        if (std::filesystem::exists(path, ec)) continue;
        missing += (missing.empty() ? "" : ", ") + path;
        ++n;
    }
    if (n)
        throw Error((n == 1 ? "no such file or directory: " : "no such files or directories: ") +
                    missing + " (nothing was indexed)");
}

void add_paths(const IndexCliOptions& o) {
    require_existing(o.paths);
    retrieval::Index index = open_index(o);
    retrieval::DirectoryResult total;
    size_t failed_files = 0;
    auto count = [&](const retrieval::AddResult& r) {
        if (r.status == retrieval::AddStatus::added) ++total.added;
        if (r.status == retrieval::AddStatus::updated) ++total.updated;
        if (r.status == retrieval::AddStatus::unchanged) ++total.unchanged;
    };
    for (const std::string& path : o.paths) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) {
            const retrieval::DirectoryResult r =
                index.add_directory(path, [](const retrieval::FileReport& f) {
                    if (f.result)
                        print_result(*f.result);
                    else
                        std::fprintf(stderr, "warning: %s (skipped)\n", f.error.c_str());
                });
            total.added += r.added;
            total.updated += r.updated;
            total.unchanged += r.unchanged;
            total.skipped += r.skipped;
            total.ignored += r.ignored;
            continue;
        }
        try {
            const retrieval::AddResult r = index.add(path);
            print_result(r);
            count(r);
        } catch (const retrieval::DocumentError& e) {
            // A named file that cannot be added is reported, the rest still go in.
            std::fprintf(stderr, "warning: %s (skipped)\n", e.what());
            ++total.skipped;
            ++failed_files;
        }
    }
    std::fprintf(stderr, "index %s: %zu added, %zu updated, %zu unchanged, %zu skipped",
                 index.file().c_str(), total.added, total.updated, total.unchanged, total.skipped);
    if (total.ignored) std::fprintf(stderr, ", %zu binary files ignored", total.ignored);
    std::fprintf(stderr, "\n");
    if (failed_files)
        throw Error(std::to_string(failed_files) +
                    " of the files named could not be added (see the warnings)");
}

nlohmann::json hit_json(const retrieval::PassageHit& h) {
    nlohmann::json sentences = nlohmann::json::array();
    for (const auto& s : h.sentences)
        sentences.push_back(
            {{"start", s.start}, {"end", s.end}, {"text", s.text}, {"heading", s.heading}});
    return {{"id", h.id},   {"path", h.path}, {"score", h.score},      {"start", h.start},
            {"end", h.end}, {"text", h.text}, {"sentences", sentences}};
}

// One line of readable output: whitespace runs (line breaks in tables and lists) as spaces.
std::string one_line(std::string_view s) {
    std::string out;
    for (char c : s) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : c;
    }
    return out;
}

void search(const IndexCliOptions& o) {
    retrieval::Index index = open_index(o);
    if (o.k < 1) throw Error("-k must be at least 1");
    const auto hits = index.search(o.query, static_cast<size_t>(o.k));
    if (o.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& h : hits) out.push_back(hit_json(h));
        std::printf("%s\n", out.dump(2).c_str());
        return;
    }
    if (hits.empty()) {
        std::fprintf(stderr, "no passage matches (%zu documents in %s)\n", index.documents().size(),
                     index.file().c_str());
        return;
    }
    for (size_t i = 0; i < hits.size(); ++i) {
        const auto& h = hits[i];
        std::printf("%zu. %s  (score %.2f, bytes %zu-%zu)\n", i + 1, h.path.c_str(), h.score,
                    h.start, h.end);
        for (const auto& s : h.sentences)
            std::printf("   %s%s\n", s.heading ? "# " : "", one_line(s.text).c_str());
        std::printf("\n");
    }
}

void list(const IndexCliOptions& o) {
    retrieval::Index index = open_index(o);
    const auto docs = index.documents();
    if (o.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& d : docs)
            out.push_back({{"path", d.path},
                           {"kind", d.kind},
                           {"file_bytes", d.file_bytes},
                           {"text_bytes", d.text_bytes},
                           {"passages", d.passages}});
        std::printf("%s\n", out.dump(2).c_str());
        return;
    }
    size_t passages = 0;
    for (const auto& d : docs) {
        std::printf("%-8s %5zu passages  %10s  %s\n", d.kind.c_str(), d.passages,
                    human_bytes(static_cast<double>(d.file_bytes)).c_str(), d.path.c_str());
        passages += d.passages;
    }
    std::fprintf(stderr, "%zu documents, %zu passages in %s\n", docs.size(), passages,
                 index.file().c_str());
}

void remove(const IndexCliOptions& o) {
    retrieval::Index index = open_index(o);
    size_t missing = 0;
    for (const std::string& path : o.paths) {
        const size_t n = index.remove(path);
        if (n == 0) {
            std::fprintf(stderr, "warning: %s is not in the index\n", path.c_str());
            ++missing;
        } else {
            std::fprintf(stderr, "%s: removed %zu document%s\n", path.c_str(), n,
                         n == 1 ? "" : "s");
        }
    }
    if (missing) throw Error(std::to_string(missing) + " of the paths named are not in the index");
}

void add_index_dir_option(CLI::App& cmd, IndexCliOptions& o) {
    cmd.add_option("--index", o.dir,
                   "Index directory (default: $FLASH_INDEX or ~/.cache/flash/index)");
}

}  // namespace

void add_index_command(CLI::App& app) {
    auto o = std::make_shared<IndexCliOptions>();
    CLI::App* cmd =
        app.add_subcommand("index", "Index documents for grounded answers, and search them");
    cmd->require_subcommand(1);
    cmd->footer(
        "Formats: plain text, Markdown, HTML, PDF (through pdftotext from poppler-utils). The "
        "index is "
        "an SQLite file, DIR/index.sqlite.");

    CLI::App* add =
        cmd->add_subcommand("add", "Add files and directories (recursively; hidden files skipped)");
    add->add_option("paths", o->paths, "Files or directories")->required();
    add_index_dir_option(*add, *o);
    add->callback([o] { add_paths(*o); });

    CLI::App* find = cmd->add_subcommand(
        "search",
        "Print the passages that best match a query (BM25); only passages "
        "sharing a word with it other than function words (the, is, what, ...)");
    find->add_option("query", o->query, "Free text; any punctuation is fine")->required();
    find->add_option("-k", o->k, "At most this many passages")
        ->check(in_range({1, 1000}, true))
        ->capture_default_str();
    find->add_flag("--json", o->json, "JSON on stdout: path, score, offsets, text and sentences");
    add_index_dir_option(*find, *o);
    find->callback([o] { search(*o); });

    CLI::App* ls = cmd->add_subcommand("list", "List the indexed documents");
    ls->add_flag("--json", o->json, "JSON on stdout");
    add_index_dir_option(*ls, *o);
    ls->callback([o] { list(*o); });

    CLI::App* rm =
        cmd->add_subcommand("remove", "Remove documents (a directory removes everything under it)");
    rm->add_option("paths", o->paths, "Files or directories, as added")->required();
    add_index_dir_option(*rm, *o);
    rm->callback([o] { remove(*o); });
}

}  // namespace flash::cli
