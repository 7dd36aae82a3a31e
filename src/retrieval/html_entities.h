// HTML character references: named ones in common use (&amp; &ndash; &eacute; ...) and numeric
// ones (&#8211; &#x2013;), decoded to UTF-8 as browsers do. Depends on nothing else.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace flash::retrieval {

// `pos` is at a '&'. When a reference starts there, appends its UTF-8 to `out`, moves `pos`
// past it and returns true; otherwise leaves both alone and returns false (the '&' is text).
// Numeric references outside Unicode, to surrogates or to NUL become U+FFFD; 0x80-0x9F map
// through Windows-1252 as the HTML standard says.
bool decode_entity(std::string_view s, size_t& pos, std::string& out);

}  // namespace flash::retrieval
