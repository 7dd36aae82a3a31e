// What the evaluation reports share: tables laid out as Markdown or HTML, the page's head and
// style, and how scores and paired differences are written. Depends on eval/stats.h.
#pragma once

#include <string>
#include <vector>

#include "eval/stats.h"

namespace flash::eval {

// Rows as cells; markdown_table and html_table lay them out.
struct Table {
    std::vector<std::string> head;
    std::vector<std::vector<std::string>> rows;
};

std::string markdown_table(const Table& t);
std::string html_table(const Table& t);
std::string html_escape(const std::string& s);

// "<!doctype html>…<body>" with the reports' style (tables, SVG charts) and this title.
std::string html_page_start(const std::string& title);

// Markdown "- item" lines (backticks dropped) as an HTML list.
std::string html_list_of_markdown_lines(const std::string& lines);

std::string percent(double share);  // "42.5%"
// "42.5% (17/40) [28.5%, 57.8%]"
std::string score_with_interval(int64_t hits, int64_t n, const Interval& ci);
// "+12.5 pts [+2.5, +22.5], 1 / 6" (difference, bootstrap interval, right→wrong / wrong→right)
std::string paired_difference(const PairedComparison& c);

}  // namespace flash::eval
