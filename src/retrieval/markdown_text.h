// Markdown → plain text for indexing: the words stay, markup that is not content goes.
// Depends on nothing else.
#pragma once

#include <string>
#include <string_view>

namespace flash::retrieval {

// Line for line (the output has as many lines as the input): heading marks (`#`, setext
// underlines), emphasis (`*`, `_`, `~~`), link and image syntax (`[text](url)` → text,
// `![alt](src)` → alt, `<https://...>` → the URL), backslash escapes, block-quote `>` marks,
// table delimiter rows, reference definitions and HTML comments are removed. List markers,
// inline code (with its backticks) and fenced code (without its fence lines) are kept as text.
std::string markdown_to_text(std::string_view markdown);

}  // namespace flash::retrieval
