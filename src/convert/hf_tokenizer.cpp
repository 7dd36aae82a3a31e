#include "convert/hf_tokenizer.h"

#include <cstring>
#include <map>

#include "core/error.h"
#include "tokenizer/pretokenizer.h"

namespace flash::convert {
namespace {

// llama_token_type
constexpr int kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5;

Json split(const std::string& regex) {
    return Json{{"type", "Split"},
                {"pattern", {{"Regex", regex}}},
                {"behavior", "Isolated"},
                {"invert", false}};
}

Json byte_level(bool use_regex) {
    return Json{{"type", "ByteLevel"},
                {"add_prefix_space", false},
                {"trim_offsets", true},
                {"use_regex", use_regex}};
}

std::string token_text(const std::vector<std::string_view>& tokens, int64_t id) {
    return std::string(tokens.at(static_cast<size_t>(id)));
}

}  // namespace

HfTokenizer hf_tokenizer(const GgufFile& g) {
    HfTokenizer out;
    out.config = Json{{"tokenizer_class", "PreTrainedTokenizerFast"},
                      {"clean_up_tokenization_spaces", false}};
    if (const auto tmpl = g.get_string("tokenizer.chat_template"))
        out.config["chat_template"] = std::string(*tmpl);
    const std::string model(g.get_string("tokenizer.ggml.model").value_or(""));
    const auto* tokens = g.get_string_array("tokenizer.ggml.tokens");
    if (model != "gpt2" || !tokens) {
        out.note = "tokenizer.json not written: vocabulary '" + model +
                   "' is not converted yet (byte-level BPE, 'gpt2', is)";
        return out;
    }
    const std::string pre(g.get_string("tokenizer.ggml.pre").value_or("default"));
    const auto spec = tok::pretokenizer_spec(pre);
    if (!spec || !spec->byte_encode) {
        out.note = "tokenizer.json not written: pre-tokenizer '" + pre + "' is not converted";
        return out;
    }
    const auto types = g.get_int_array("tokenizer.ggml.token_type");
    const auto* merges = g.get_string_array("tokenizer.ggml.merges");

    Json vocab = Json::object();
    Json added = Json::array();
    for (size_t id = 0; id < tokens->size(); ++id) {
        const std::string text((*tokens)[id]);
        // Appended, not inserted: an ordered object's insert searches for the key (150k tokens
        // would take quadratic time), and a vocabulary's texts are distinct.
        static_cast<std::vector<std::pair<const std::string, Json>>&>(
            vocab.get_ref<Json::object_t&>())
            .emplace_back(text, Json(id));
        const int64_t type = types && id < types->size() ? (*types)[id] : kNormal;
        if (type == kControl || type == kUserDefined || type == kUnknown)
            added.push_back(Json{{"id", id},
                                 {"content", text},
                                 {"single_word", false},
                                 {"lstrip", false},
                                 {"rstrip", false},
                                 {"normalized", type == kUserDefined},
                                 {"special", type != kUserDefined}});
    }
    Json merge_list = Json::array();
    if (merges)
        for (std::string_view m : *merges) {
            const size_t space = m.find(' ', 1);
            if (space == std::string_view::npos) continue;
            merge_list.push_back(
                {std::string(m.substr(0, space)), std::string(m.substr(space + 1))});
        }
    Json pretokenizers = Json::array();
    for (const std::string& r : spec->regexes) pretokenizers.push_back(split(r));
    pretokenizers.push_back(byte_level(false));

    const bool add_bos = g.get_bool("tokenizer.ggml.add_bos_token").value_or(spec->add_bos);
    const auto bos = g.get_int("tokenizer.ggml.bos_token_id");
    const auto eos = g.get_int("tokenizer.ggml.eos_token_id");
    const auto pad = g.get_int("tokenizer.ggml.padding_token_id");
    Json post = Json{{"type", "ByteLevel"},
                     {"add_prefix_space", true},
                     {"trim_offsets", false},
                     {"use_regex", true}};
    if (add_bos && bos) {
        const std::string b = token_text(*tokens, *bos);
        post = Json{{"type", "TemplateProcessing"},
                    {"single",
                     {{{"SpecialToken", {{"id", b}, {"type_id", 0}}}},
                      {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
                    {"pair",
                     {{{"SpecialToken", {{"id", b}, {"type_id", 0}}}},
                      {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                      {{"SpecialToken", {{"id", b}, {"type_id", 1}}}},
                      {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
                    {"special_tokens", {{b, {{"id", b}, {"ids", {*bos}}, {"tokens", {b}}}}}}};
    }
    out.tokenizer =
        Json{{"version", "1.0"},
             {"truncation", nullptr},
             {"padding", nullptr},
             {"added_tokens", added},
             {"normalizer", nullptr},
             {"pre_tokenizer", {{"type", "Sequence"}, {"pretokenizers", pretokenizers}}},
             {"post_processor", post},
             {"decoder",
              {{"type", "ByteLevel"},
               {"add_prefix_space", true},
               {"trim_offsets", true},
               {"use_regex", true}}},
             {"model",
              {{"type", "BPE"},
               {"dropout", nullptr},
               {"unk_token", nullptr},
               {"continuing_subword_prefix", nullptr},
               {"end_of_word_suffix", nullptr},
               {"fuse_unk", false},
               {"byte_fallback", false},
               {"ignore_merges", spec->ignore_merges},
               {"vocab", vocab},
               {"merges", merge_list}}}};
    out.config["add_bos_token"] = add_bos;
    out.config["add_eos_token"] = g.get_bool("tokenizer.ggml.add_eos_token").value_or(false);
    if (bos) out.config["bos_token"] = token_text(*tokens, *bos);
    if (eos) out.config["eos_token"] = token_text(*tokens, *eos);
    if (pad) out.config["pad_token"] = token_text(*tokens, *pad);
    out.config["flash_gguf_pre"] = pre;  // the name llama.cpp knows these regexes by
    return out;
}

void gguf_tokenizer(const nlohmann::json& tokenizer, const Json& config, GgufWriter& out) {
    if (config.contains("chat_template") && config["chat_template"].is_string())
        out.set_string("tokenizer.chat_template", config["chat_template"].get<std::string>());
    if (tokenizer.is_null()) return;
    const nlohmann::json& model = tokenizer.at("model");
    if (model.value("type", "") != "BPE")
        throw Error("tokenizer.json: model type '" + model.value("type", "") +
                    "' is not converted yet (BPE is)");
    // The pre-tokenizer's regexes, to find llama.cpp's name for them.
    std::vector<std::string> regexes;
    bool byte_level = false;
    const nlohmann::json pre = tokenizer.value("pre_tokenizer", nlohmann::json());
    const nlohmann::json list = pre.is_object() && pre.value("type", "") == "Sequence"
                                    ? pre.value("pretokenizers", nlohmann::json::array())
                                    : nlohmann::json::array({pre});
    for (const nlohmann::json& p : list) {
        const std::string type = p.is_object() ? p.value("type", "") : "";
        if (type == "Split" && p.contains("pattern") && p["pattern"].contains("Regex"))
            regexes.push_back(p["pattern"]["Regex"].get<std::string>());
        else if (type == "Digits")
            regexes.push_back(p.value("individual_digits", false) ? R"(\p{N})" : R"(\p{N}+)");
        else if (type == "ByteLevel") {
            byte_level = true;
            if (p.value("use_regex", true))
                regexes.push_back(*tok::pretokenizer_spec("gpt-2")->regexes.begin());
        } else
            throw Error("tokenizer.json: pre-tokenizer '" + type + "' is not converted yet");
    }
    if (!byte_level)
        throw Error("tokenizer.json: not a byte-level BPE (no ByteLevel pre-tokenizer)");
    std::string pre_name = config.value("flash_gguf_pre", "");
    if (const auto spec = tok::pretokenizer_spec(pre_name); !spec || spec->regexes != regexes) {
        pre_name.clear();
        for (const char* candidate : {"gpt-2", "llama-bpe", "qwen2", "smollm", "qwen35", "default",
                                      "falcon", "gpt-4o", "tekken", "seed-coder", "bailingmoe"})
            if (const auto spec = tok::pretokenizer_spec(candidate);
                spec && spec->regexes == regexes) {
                pre_name = candidate;
                break;
            }
    }
    if (pre_name.empty())
        throw Error("tokenizer.json: its pre-tokenizer regexes match none llama.cpp knows");

    const nlohmann::json& vocab = model.at("vocab");
    std::vector<std::string> tokens(vocab.size());
    std::vector<int32_t> types(vocab.size(), kNormal);
    for (const auto& [text, id] : vocab.items()) {
        if (!id.is_number_unsigned() || id.get<size_t>() >= tokens.size())
            throw Error("tokenizer.json: token '" + text + "' has an id outside the vocabulary");
        tokens[id.get<size_t>()] = text;
    }
    for (const nlohmann::json& a : tokenizer.value("added_tokens", nlohmann::json::array())) {
        const size_t id = a.at("id").get<size_t>();
        if (id >= tokens.size()) {
            tokens.resize(id + 1);
            types.resize(id + 1, kUnused);
        }
        tokens[id] = a.at("content").get<std::string>();
        types[id] = a.value("special", false) ? kControl : kUserDefined;
    }
    std::vector<std::string> merges;
    for (const nlohmann::json& m : model.value("merges", nlohmann::json::array()))
        merges.push_back(m.is_string()
                             ? m.get<std::string>()
                             : m.at(0).get<std::string>() + " " + m.at(1).get<std::string>());
    out.set_string("tokenizer.ggml.model", "gpt2");
    out.set_string("tokenizer.ggml.pre", pre_name);
    out.set_string_array("tokenizer.ggml.tokens", tokens);
    std::vector<uint8_t> type_bytes(types.size() * 4);
    std::memcpy(type_bytes.data(), types.data(), type_bytes.size());
    out.set_array("tokenizer.ggml.token_type", GgufType::I32, type_bytes, types.size());
    out.set_string_array("tokenizer.ggml.merges", merges);
    auto id_of = [&](const char* key) -> std::optional<uint32_t> {
        if (!config.contains(key)) return std::nullopt;
        const Json& v = config[key];
        const std::string text = v.is_string()   ? v.get<std::string>()
                                 : v.is_object() ? v.value("content", "")
                                                 : "";
        for (size_t i = 0; i < tokens.size(); ++i)
            if (tokens[i] == text) return static_cast<uint32_t>(i);
        return std::nullopt;
    };
    if (const auto b = id_of("bos_token")) out.set_u32("tokenizer.ggml.bos_token_id", *b);
    if (const auto e = id_of("eos_token")) out.set_u32("tokenizer.ggml.eos_token_id", *e);
    if (const auto p = id_of("pad_token")) out.set_u32("tokenizer.ggml.padding_token_id", *p);
    if (config.contains("add_bos_token") && config["add_bos_token"].is_boolean())
        out.set_bool("tokenizer.ggml.add_bos_token", config["add_bos_token"].get<bool>());
    if (config.contains("add_eos_token") && config["add_eos_token"].is_boolean())
        out.set_bool("tokenizer.ggml.add_eos_token", config["add_eos_token"].get<bool>());
}

}  // namespace flash::convert
