#include "eval/report_table.h"

#include <algorithm>

#include "core/text_file.h"

namespace flash::eval {

std::string markdown_table(const Table& t) {
    std::string s = "|";
    for (const auto& h : t.head) s += " " + h + " |";
    s += "\n|";
    for (size_t i = 0; i < t.head.size(); ++i) s += "---|";
    s += "\n";
    for (const auto& row : t.rows) {
        s += "|";
        for (const auto& c : row) s += " " + c + " |";
        s += "\n";
    }
    return s;
}

std::string html_table(const Table& t) {
    std::string s = "<table><thead><tr>";
    for (const auto& h : t.head) s += "<th>" + html_escape(h) + "</th>";
    s += "</tr></thead><tbody>";
    for (const auto& row : t.rows) {
        s += "<tr>";
        for (const auto& c : row) s += "<td>" + html_escape(c) + "</td>";
        s += "</tr>";
    }
    return s + "</tbody></table>\n";
}

std::string html_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        if (c == '<')
            o += "&lt;";
        else if (c == '>')
            o += "&gt;";
        else if (c == '&')
            o += "&amp;";
        else if (c == '"')
            o += "&quot;";
        else
            o += c;
    }
    return o;
}

std::string html_page_start(const std::string& title) {
    return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
           html_escape(title) +
           "</title><style>body{font:14px/1.45 system-ui,sans-serif;max-width:1100px;margin:2em "
           "auto;padding:0 1em;color:#222}"
           "table{border-collapse:collapse;margin:1em 0;font-size:13px}td,th{border:1px solid "
           "#ccc;padding:3px 7px;text-align:left}"
           "th{background:#f3f3f3}.charts{display:flex;flex-wrap:wrap;gap:12px}svg{width:520px;"
           "max-width:100%;border:1px solid #ddd;"
           "background:#fff}svg text{font-size:11px;fill:#333}svg "
           ".t{font-size:13px;font-weight:600}.g{stroke:#eee}"
           ".l{fill:none;stroke:#4a7bd0;stroke-width:1.5}.e{stroke:#4a7bd0;stroke-width:2;opacity:"
           ".45}"
           ".p{fill:#1f4fa8}"
           ".pl{font-size:10px;fill:#555}code{background:#f5f5f5;padding:0 3px}</style></head>"
           "<body>";
}

std::string html_list_of_markdown_lines(const std::string& lines) {
    std::string s = "<ul>";
    for (size_t at = 0; at < lines.size();) {
        size_t nl = lines.find('\n', at);
        if (nl == std::string::npos) nl = lines.size();
        std::string line = lines.substr(at, nl - at);
        if (line.rfind("- ", 0) == 0) line.erase(0, 2);
        std::erase(line, '`');
        if (!line.empty()) s += "<li>" + html_escape(line) + "</li>";
        at = nl + 1;
    }
    return s + "</ul>";
}

std::string percent(double share) {
    return format_number("%.1f%%", 100 * share);
}

std::string score_with_interval(int64_t hits, int64_t n, const Interval& ci) {
    const double share = n > 0 ? static_cast<double>(hits) / static_cast<double>(n) : 0.0;
    return percent(share) + " (" + std::to_string(hits) + "/" + std::to_string(n) + ") [" +
           percent(ci.low) + ", " + percent(ci.high) + "]";
}

std::string paired_difference(const PairedComparison& c) {
    return format_number("%+.1f pts", 100 * c.difference) + " [" +
           format_number("%+.1f", 100 * c.ci.low) + ", " + format_number("%+.1f", 100 * c.ci.high) +
           "], " + std::to_string(c.right_to_wrong) + " / " + std::to_string(c.wrong_to_right);
}

}  // namespace flash::eval
