// The line structure of extracted text that sentence splitting needs: blank lines, list
// markers, table-like rows and headings. Depends on nothing else.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace flash::retrieval {

struct TextLine {
    size_t start = 0, end = 0;            // the line in the text, without its '\n'
    size_t body_start = 0, body_end = 0;  // without indentation, list marker, trailing space
    bool blank = false;
    bool list_item = false;  // "- ", "* ", "+ ", "• ", "1. ", "2) ", "(a) "
    bool numbered = false;   // a list item with a number or letter
    bool tabular = false;    // a table row: pipes, tabs or aligned columns
    bool heading = false;    // see classify_lines
};

// Splits `text` at '\n' and classifies each line. A heading is a short line (at most 12
// words) without final punctuation that opens a block (after a blank line, the start of the
// text or another heading) and is followed by a blank line or a list — or, when it follows a
// blank line, is at most 6 words or all capitals and is not "Key: value", by a line starting
// with a capital ("MODES AND RUN TIMES" over its paragraph). A line ending in '?' is a heading
// only between blank lines ("What plans do you offer?"). A numbered item of at most 8 words is
// a heading when no list item follows it ("1. Annual leave" over its paragraph).
// With `block_breaks` (text made from HTML, where a real heading is always followed by a blank
// line) a line directly above text is never a heading: it is a list item or table row.
std::vector<TextLine> classify_lines(std::string_view text, bool block_breaks = false);

// True when the text of one line ends in a way that the next line must continue it: a comma,
// hyphen, opening bracket, or a word like "and", "of", "the".
bool line_continues(std::string_view body);

}  // namespace flash::retrieval
