// Constructors of the individual tool formats, used by make_tool_format(). Internal to tools/.
#pragma once

#include <memory>

#include "tools/tool_format.h"

namespace flash::tools {

std::unique_ptr<ToolFormat> make_hermes_format();
std::unique_ptr<ToolFormat> make_json_list_format();
std::unique_ptr<ToolFormat> make_llama_json_format();
std::unique_ptr<ToolFormat> make_pythonic_format();
std::unique_ptr<ToolFormat> make_qwen_xml_format();

}  // namespace flash::tools
