// Chat templates flash ships for models whose GGUF has none (Gemma 3 270M's file, say),
// written here in Jinja. Internal to chat/.
#pragma once

#include <string>
#include <vector>

namespace flash::chat_detail {

struct BuiltinTemplate {
    std::string name;
    std::string source;
};

const std::vector<BuiltinTemplate>& builtin_templates();

}  // namespace flash::chat_detail
