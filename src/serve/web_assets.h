// The web page's files, compiled into the binary (src/serve/web/, embedded at build time by
// embed_web.cmake) so `flash serve` needs nothing beside it.
#pragma once

#include <span>
#include <string_view>

namespace flash::serve {

struct WebAsset {
    std::string_view path;  // "/index.html", "/app.js", "/style.css"
    std::string_view content_type;
    std::string_view body;
};

std::span<const WebAsset> web_assets();

}  // namespace flash::serve
