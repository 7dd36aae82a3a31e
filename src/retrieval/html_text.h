// HTML → plain text for indexing: visible text only, one line per block element.
//
// Written by hand on purpose: Debian has no small, well-kept C++ HTML-to-text library, and the
// job needs only tag stripping, entity decoding and whitespace rules — not a DOM, CSS or
// error-recovering tree builder. Depends on nothing else.
#pragma once

#include <string>
#include <string_view>

namespace flash::retrieval {

// <script>, <style>, <template>, <noscript> and comments are dropped. Paragraph-like blocks
// (p, div, h1-h6, table, ul, ol, title, ...) are separated by a blank line; li, tr, br, dt, dd
// end a line; table cells in a row are joined by one space. Entities are decoded (named and
// numeric), whitespace runs collapse to one space (kept inside <pre>), no-break spaces become
// spaces. The result has no leading or trailing whitespace.
std::string html_to_text(std::string_view html);

}  // namespace flash::retrieval
