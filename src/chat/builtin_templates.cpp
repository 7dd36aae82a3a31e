#include "chat/builtin_templates.h"

namespace flash::chat_detail {

const std::vector<BuiltinTemplate>& builtin_templates() {
    static const std::vector<BuiltinTemplate> templates = {
        // ChatML: every role as its own <|im_start|> turn.
        {"chatml",
         "{%- for message in messages -%}\n"
         "{{- '<|im_start|>' + message.role + '\\n' + (message.content or '') + '<|im_end|>\\n' -}}\n"
         "{%- endfor -%}\n"
         "{%- if add_generation_prompt -%}{{- '<|im_start|>assistant\\n' -}}{%- endif -%}\n"},
        // Gemma: user and model turns only; a system message opens the first user turn, and
        // tool results are shown to the model as user turns.
        {"gemma",
         "{{- bos_token -}}\n"
         "{%- set ns = namespace(system='') -%}\n"
         "{%- for message in messages -%}\n"
         "{%- if message.role == 'system' -%}{%- set ns.system = message.content + '\\n\\n' -%}\n"
         "{%- else -%}\n"
         "{%- set role = 'model' if message.role == 'assistant' else 'user' -%}\n"
         "{{- '<start_of_turn>' + role + '\\n' -}}\n"
         "{%- if role == 'user' -%}{{- ns.system -}}{%- set ns.system = '' -%}{%- endif -%}\n"
         "{{- (message.content or '') | trim -}}{{- '<end_of_turn>\\n' -}}\n"
         "{%- endif -%}\n"
         "{%- endfor -%}\n"
         "{%- if add_generation_prompt -%}{{- '<start_of_turn>model\\n' -}}{%- endif -%}\n"},
        // Llama 3: header-delimited turns.
        {"llama3",
         "{{- bos_token -}}\n"
         "{%- for message in messages -%}\n"
         "{{- '<|start_header_id|>' + message.role + '<|end_header_id|>\\n\\n' + (message.content or '') | trim + '<|eot_id|>' -}}\n"
         "{%- endfor -%}\n"
         "{%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}{%- endif -%}\n"},
    };
    return templates;
}

}  // namespace flash::chat_detail
