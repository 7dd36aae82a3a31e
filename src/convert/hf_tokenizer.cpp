#include "convert/hf_tokenizer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>
#include <unordered_set>

#include "core/error.h"
#include "core/hex.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/utf8.h"
#include "tokenizer/vocab.h"

namespace flash::convert {
namespace {

// llama_token_type
constexpr int kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6;

const char* const kSpaceMark = "\xE2\x96\x81";  // U+2581, SentencePiece's space

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

Json replace(const std::string& from, const std::string& to) {
    return Json{{"type", "Replace"}, {"pattern", {{"String", from}}}, {"content", to}};
}

std::string token_text(const std::vector<std::string_view>& tokens, int64_t id) {
    return std::string(tokens.at(static_cast<size_t>(id)));
}

// Appended, not inserted: an ordered object's insert searches for the key (150k tokens would
// take quadratic time), and a vocabulary's texts are distinct.
void append_entry(Json& object, const std::string& key, Json value) {
    static_cast<std::vector<std::pair<const std::string, Json>>&>(object.get_ref<Json::object_t&>())
        .emplace_back(key, std::move(value));
}

Json added_token(size_t id, const std::string& text, bool normalized, bool special,
                 bool lstrip = false, bool rstrip = false) {
    return Json{{"id", id},          {"content", text},  {"single_word", false},
                {"lstrip", lstrip},  {"rstrip", rstrip}, {"normalized", normalized},
                {"special", special}};
}

// BOS before each sequence, as llama.cpp adds it.
Json bos_template(const std::string& bos, int64_t bos_id) {
    return Json{{"type", "TemplateProcessing"},
                {"single",
                 {{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}},
                  {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}}},
                {"pair",
                 {{{"SpecialToken", {{"id", bos}, {"type_id", 0}}}},
                  {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                  {{"SpecialToken", {{"id", bos}, {"type_id", 1}}}},
                  {{"Sequence", {{"id", "B"}, {"type_id", 1}}}}}},
                {"special_tokens", {{bos, {{"id", bos}, {"ids", {bos_id}}, {"tokens", {bos}}}}}}};
}

Json bpe_model(Json vocab, Json merges, const Json& unk, bool byte_fallback, bool ignore_merges) {
    return Json{{"type", "BPE"},
                {"dropout", nullptr},
                {"unk_token", unk},
                {"continuing_subword_prefix", nullptr},
                {"end_of_word_suffix", nullptr},
                {"fuse_unk", byte_fallback},
                {"byte_fallback", byte_fallback},
                {"ignore_merges", ignore_merges},
                {"vocab", std::move(vocab)},
                {"merges", std::move(merges)}};
}

Json tokenizer_json(Json added, Json normalizer, Json pre_tokenizer, Json post, Json decoder,
                    Json model) {
    return Json{{"version", "1.0"},
                {"truncation", nullptr},
                {"padding", nullptr},
                {"added_tokens", std::move(added)},
                {"normalizer", std::move(normalizer)},
                {"pre_tokenizer", std::move(pre_tokenizer)},
                {"post_processor", std::move(post)},
                {"decoder", std::move(decoder)},
                {"model", std::move(model)}};
}

void byte_level_bpe(const GgufFile& g, const std::vector<std::string_view>& tokens,
                    HfTokenizer& out) {
    const std::string pre(g.get_string("tokenizer.ggml.pre").value_or("default"));
    const auto spec = tok::pretokenizer_spec(pre);
    if (!spec || !spec->byte_encode) {
        out.note = "tokenizer.json not written: pre-tokenizer '" + pre + "' is not converted";
        return;
    }
    const auto types = g.get_int_array("tokenizer.ggml.token_type");
    const auto* merges = g.get_string_array("tokenizer.ggml.merges");

    Json vocab = Json::object();
    Json added = Json::array();
    for (size_t id = 0; id < tokens.size(); ++id) {
        const std::string text(tokens[id]);
        append_entry(vocab, text, Json(id));
        const int64_t type = types && id < types->size() ? (*types)[id] : kNormal;
        if (type == kControl || type == kUserDefined || type == kUnknown)
            added.push_back(added_token(id, text, type == kUserDefined, type != kUserDefined));
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
    Json post = Json{{"type", "ByteLevel"},
                     {"add_prefix_space", true},
                     {"trim_offsets", false},
                     {"use_regex", true}};
    if (add_bos && bos) post = bos_template(token_text(tokens, *bos), *bos);
    out.tokenizer = tokenizer_json(
        added, nullptr, {{"type", "Sequence"}, {"pretokenizers", pretokenizers}}, post,
        {{"type", "ByteLevel"},
         {"add_prefix_space", true},
         {"trim_offsets", true},
         {"use_regex", true}},
        bpe_model(vocab, merge_list, nullptr, false, spec->ignore_merges));
    out.config["add_bos_token"] = add_bos;
    out.config["add_eos_token"] = g.get_bool("tokenizer.ggml.add_eos_token").value_or(false);
    const std::pair<const char*, const char*> special[] = {
        {"tokenizer.ggml.bos_token_id", "bos_token"},
        {"tokenizer.ggml.eos_token_id", "eos_token"},
        {"tokenizer.ggml.padding_token_id", "pad_token"}};
    for (const auto& [key, field] : special)
        if (const auto id = g.get_int(key)) out.config[field] = token_text(tokens, *id);
    out.config["flash_gguf_pre"] = pre;  // the name llama.cpp knows these regexes by
}

// A score as a sort key: NaN (a broken file) last, so the order stays strict.
float score_key(float s) {
    return std::isnan(s) ? -std::numeric_limits<float>::infinity() : s;
}

// llama.cpp's SentencePiece merges any two adjacent pieces whose concatenation is a token, the
// highest-scoring token first (leftmost on ties). Hugging Face's BPE needs the merges listed:
// every split of a token into two tokens, ranked by the token's score. Among equal scores the
// longer token goes first, so a run of one character (Llama's whitespace runs share a score)
// grows from its left end as llama.cpp grows it.
Json spm_merges(const tok::Vocab& v) {
    struct Merge {
        int32_t id;
        size_t split;  // byte offset of the right part
    };
    std::vector<Merge> merges;
    for (int32_t id = 0; id < v.n_tokens(); ++id) {
        const std::string_view t = v.text[id];
        for (size_t at = tok::utf8_len(static_cast<unsigned char>(t[0])); at < t.size();
             at += tok::utf8_len(static_cast<unsigned char>(t[at])))
            if (v.find(t.substr(0, at)) && v.find(t.substr(at))) merges.push_back({id, at});
    }
    std::sort(merges.begin(), merges.end(), [&](const Merge& a, const Merge& b) {
        const float sa = score_key(v.score[a.id]), sb = score_key(v.score[b.id]);
        if (sa != sb) return sa > sb;
        const size_t la = v.text[a.id].size(), lb = v.text[b.id].size();
        if (la != lb) return la > lb;
        return a.id != b.id ? a.id < b.id : a.split < b.split;
    });
    Json out = Json::array();
    out.get_ref<Json::array_t&>().reserve(merges.size());
    for (const Merge& m : merges) {
        const std::string& t = v.text[m.id];
        out.push_back({t.substr(0, m.split), t.substr(m.split)});
    }
    return out;
}

// SentencePiece (tokenizer.ggml.model "llama": Llama 2, Gemma, Phi-3) as Llama 2's
// tokenizer.json spells it: a BPE over characters with byte fallback, spaces as U+2581 (and
// one prepended when the vocabulary adds a space prefix), no pre-tokenizer. Read through
// flash's own vocabulary so the special tokens carry the attributes llama.cpp gives them.
void sentencepiece(const GgufFile& g, HfTokenizer& out) {
    tok::Vocab v;
    tok::load_vocab(g, v);
    Json vocab = Json::object();
    Json added = Json::array();
    for (int32_t id = 0; id < v.n_tokens(); ++id) {
        append_entry(vocab, v.text[id], Json(id));
        const uint32_t a = v.attr[id];
        // Matched on the raw text as llama.cpp matches them; "special" ones (control, unknown)
        // are left as text when special tokens are not parsed, as llama.cpp leaves them.
        if (a & (tok::kAttrControl | tok::kAttrUserDefined | tok::kAttrUnknown))
            added.push_back(added_token(id, v.text[id], false,
                                        (a & (tok::kAttrControl | tok::kAttrUnknown)) != 0,
                                        (a & tok::kAttrLstrip) != 0, (a & tok::kAttrRstrip) != 0));
    }
    // The prefix space is prepended to each run of text between special tokens, as llama.cpp
    // does; Metaspace's prepend_scheme "first" would skip those after a special token.
    Json normalizer = replace(" ", kSpaceMark);
    if (v.add_space_prefix)
        normalizer = {
            {"type", "Sequence"},
            {"normalizers", {{{"type", "Prepend"}, {"prepend", kSpaceMark}}, normalizer}}};
    Json decoders = {replace(kSpaceMark, " "), {{"type", "ByteFallback"}}, {{"type", "Fuse"}}};
    if (v.add_space_prefix)
        decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});
    const Json unk = v.unk >= 0 ? Json(v.text[v.unk]) : Json(nullptr);
    out.tokenizer = tokenizer_json(added, normalizer, nullptr,
                                   v.add_bos ? bos_template(v.text[v.bos], v.bos) : Json(nullptr),
                                   {{"type", "Sequence"}, {"decoders", decoders}},
                                   bpe_model(std::move(vocab), spm_merges(v), unk, true, false));
    out.config["add_bos_token"] = v.add_bos;
    out.config["add_eos_token"] = v.add_eos;
    const std::pair<int32_t, const char*> special[] = {
        {v.bos, "bos_token"}, {v.eos, "eos_token"}, {v.unk, "unk_token"}, {v.pad, "pad_token"}};
    for (const auto& [id, field] : special)
        if (id >= 0) out.config[field] = v.text[id];
}

// The vocabulary and added tokens of tokenizer.json: texts by id, and the types llama.cpp
// would give the added ones (special: control; otherwise user-defined).
void read_tokens(const nlohmann::json& tokenizer, std::vector<std::string>& tokens,
                 std::vector<int32_t>& types) {
    const nlohmann::json& vocab = tokenizer.at("model").at("vocab");
    tokens.assign(vocab.size(), "");
    types.assign(vocab.size(), kNormal);
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
}

// The merges as (left, right), from either format ("left right" or ["left", "right"]).
std::vector<std::pair<std::string, std::string>> read_merges(const nlohmann::json& model) {
    std::vector<std::pair<std::string, std::string>> merges;
    for (const nlohmann::json& m : model.value("merges", nlohmann::json::array())) {
        if (!m.is_string()) {
            merges.emplace_back(m.at(0).get<std::string>(), m.at(1).get<std::string>());
            continue;
        }
        // Split at the first space after the first byte, as llama.cpp reads a merge line.
        const std::string s = m.get<std::string>();
        const size_t space = s.size() > 1 ? s.find(' ', 1) : std::string::npos;
        if (space == std::string::npos)
            throw Error("tokenizer.json: merge '" + s + "' is not two tokens");
        merges.emplace_back(s.substr(0, space), s.substr(space + 1));
    }
    return merges;
}

void write_types(const std::vector<int32_t>& types, GgufWriter& out) {
    std::vector<uint8_t> bytes(types.size() * 4);
    std::memcpy(bytes.data(), types.data(), bytes.size());
    out.set_array("tokenizer.ggml.token_type", GgufType::I32, std::move(bytes), types.size());
}

// The special-token ids tokenizer_config.json names, and whether BOS / EOS are added.
void write_special_ids(const Json& config, const std::vector<std::string>& tokens,
                       GgufWriter& out) {
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
    for (const char* key : {"add_bos_token", "add_eos_token"})
        if (config.contains(key) && config[key].is_boolean())
            out.set_bool(std::string("tokenizer.ggml.") + key, config[key].get<bool>());
}

void read_byte_level_bpe(const nlohmann::json& tokenizer, const Json& config, GgufWriter& out) {
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
        throw Error(
            "tokenizer.json: neither a byte-level BPE (no ByteLevel pre-tokenizer) nor a "
            "SentencePiece one (no byte_fallback)");
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

    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    read_tokens(tokenizer, tokens, types);
    std::vector<std::string> merges;
    for (const auto& [left, right] : read_merges(tokenizer.at("model")))
        merges.push_back(left + " " + right);
    out.set_string("tokenizer.ggml.model", "gpt2");
    out.set_string("tokenizer.ggml.pre", pre_name);
    out.set_string_array("tokenizer.ggml.tokens", tokens);
    write_types(types, out);
    out.set_string_array("tokenizer.ggml.merges", merges);
    write_special_ids(config, tokens, out);
}

// The steps of a normalizer or pre-tokenizer: none (null), one, or a Sequence's list.
nlohmann::json steps(const nlohmann::json& j, const char* list_key) {
    if (j.is_null()) return nlohmann::json::array();
    if (j.is_object() && j.value("type", "") == "Sequence")
        return j.value(list_key, nlohmann::json::array());
    return nlohmann::json::array({j});
}

std::string type_of(const nlohmann::json& step) {
    return step.is_object() ? step.value("type", "") : "";
}

bool is_string(const nlohmann::json& step, const char* key, const std::string& value) {
    return step.is_object() && step.contains(key) && step[key].is_string() &&
           step[key].get<std::string>() == value;
}

// A Replace or Split whose pattern is the literal `text`.
bool pattern_is(const nlohmann::json& step, const std::string& text) {
    return step.is_object() && step.contains("pattern") &&
           is_string(step["pattern"], "String", text);
}

// Whether a SentencePiece tokenizer.json prepends a space: a Prepend("▁") normalizer (Llama 2's
// layout) or a Metaspace pre-tokenizer that prepends (newer files). Spaces must become U+2581
// (a Replace normalizer or Metaspace), as llama.cpp writes them; any other step would change the
// text in a way llama.cpp does not, and is refused.
bool spm_space_prefix(const nlohmann::json& tokenizer) {
    bool prefix = false, escaped = false;
    for (const nlohmann::json& n :
         steps(tokenizer.value("normalizer", nlohmann::json()), "normalizers")) {
        if (type_of(n) == "Prepend" && is_string(n, "prepend", kSpaceMark))
            prefix = true;
        else if (type_of(n) == "Replace" && pattern_is(n, " ") &&
                 is_string(n, "content", kSpaceMark))
            escaped = true;
        else
            throw Error("tokenizer.json: normalizer '" + type_of(n) +
                        "' is not converted (SentencePiece vocabularies: Prepend U+2581, Replace "
                        "' ' by U+2581)");
    }
    for (const nlohmann::json& p :
         steps(tokenizer.value("pre_tokenizer", nlohmann::json()), "pretokenizers")) {
        if (type_of(p) == "Metaspace" && is_string(p, "replacement", kSpaceMark)) {
            escaped = true;
            // "prepend_scheme" ("always", "first", "never"), or older files' "add_prefix_space".
            prefix = prefix ||
                     (p.contains("prepend_scheme")
                          ? !is_string(p, "prepend_scheme", "never")
                          : !(p.contains("add_prefix_space") && p["add_prefix_space"] == false));
        } else if (type_of(p) == "Split" && pattern_is(p, " ")) {
            // Gemma's: no space is left after the normalizer, so it splits nothing.
        } else {
            throw Error("tokenizer.json: pre-tokenizer '" + type_of(p) +
                        "' is not converted (SentencePiece vocabularies: none, Metaspace, Split "
                        "on ' ')");
        }
    }
    if (!escaped) throw Error("tokenizer.json: spaces are not replaced by U+2581 (SentencePiece)");
    return prefix;
}

bool is_byte_token(const std::string& t) {
    return t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>' && hex_value(t[3]) >= 0 &&
           hex_value(t[4]) >= 0;
}

using TokenIds = std::unordered_map<std::string_view, size_t>;
using Merges = std::vector<std::pair<std::string, std::string>>;

// Scores whose order is the merges' order: a token scores minus the rank of the first merge
// that makes it, so llama.cpp's "highest score first" merges in the listed order. Tokens no
// merge makes (single characters, byte and special tokens) score below every merge.
std::vector<float> spm_scores(const TokenIds& ids, size_t n_tokens, const Merges& merges) {
    std::vector<float> scores(n_tokens, -static_cast<float>(merges.size()));
    std::vector<bool> made(n_tokens, false);
    std::string joined;
    for (size_t rank = 0; rank < merges.size(); ++rank) {
        joined = merges[rank].first + merges[rank].second;
        const auto it = ids.find(joined);
        if (it == ids.end())
            throw Error("tokenizer.json: merge " + std::to_string(rank) + " ('" +
                        merges[rank].first + "', '" + merges[rank].second +
                        "') makes no token of the vocabulary");
        if (made[it->second]) continue;
        made[it->second] = true;
        scores[it->second] = 0.0f - static_cast<float>(rank);  // +0, not -0, for the first
    }
    return scores;
}

// llama.cpp merges any two adjacent pieces that make a token, so a SentencePiece tokenizer.json
// lists every split of a token into two tokens as a merge (transformers derives them from the
// scores, as hf_tokenizer does). A BPE trained as one lists fewer, and llama.cpp would make
// merges Hugging Face never makes: refused rather than converted into another tokenizer.
// Added tokens are split off before merging, so their splits do not matter.
void check_every_split_is_a_merge(const std::vector<std::string>& tokens,
                                  const std::vector<int32_t>& types, const TokenIds& ids,
                                  const Merges& merges) {
    std::unordered_set<std::string> listed;
    listed.reserve(merges.size());
    for (const auto& [left, right] : merges) listed.insert(left + '\xFF' + right);
    size_t missing = 0;
    std::string example;
    for (size_t id = 0; id < tokens.size(); ++id) {
        const std::string& t = tokens[id];
        if (types[id] == kControl || types[id] == kUserDefined || t.empty()) continue;
        for (size_t at = tok::utf8_len(static_cast<unsigned char>(t[0])); at < t.size();
             at += tok::utf8_len(static_cast<unsigned char>(t[at]))) {
            const std::string left = t.substr(0, at), right = t.substr(at);
            if (!ids.count(left) || !ids.count(right) || listed.count(left + '\xFF' + right))
                continue;
            if (missing++ == 0) example = "'" + left + "' + '" + right + "'";
        }
    }
    if (missing)
        throw Error("tokenizer.json: " + example + " make a token but are not a merge (" +
                    std::to_string(missing) +
                    " such splits in all): its merges are a BPE's own, not a SentencePiece "
                    "vocabulary's, and llama.cpp would merge by score alone");
}

// A SentencePiece tokenizer.json (BPE with byte fallback, Llama 2's or Gemma's layout) as a
// "llama" vocabulary: scores from the merge ranks, types from the added tokens, <0xXX> byte
// tokens and the unknown token, the space prefix from the normalizer or pre-tokenizer.
void read_sentencepiece(const nlohmann::json& tokenizer, const Json& config, GgufWriter& out) {
    const nlohmann::json& model = tokenizer.at("model");
    const bool prefix = spm_space_prefix(tokenizer);
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    read_tokens(tokenizer, tokens, types);
    TokenIds ids;
    ids.reserve(tokens.size());
    for (size_t i = 0; i < tokens.size(); ++i) ids.emplace(tokens[i], i);
    const Merges merges = read_merges(model);
    const std::vector<float> scores = spm_scores(ids, tokens.size(), merges);
    check_every_split_is_a_merge(tokens, types, ids, merges);

    const nlohmann::json unk = model.value("unk_token", nlohmann::json());
    const auto unk_it = unk.is_string() ? ids.find(unk.get<std::string>()) : ids.end();
    for (size_t i = 0; i < tokens.size(); ++i)
        if (types[i] == kNormal && is_byte_token(tokens[i])) types[i] = kByte;
    if (unk_it != ids.end()) types[unk_it->second] = kUnknown;

    out.set_string("tokenizer.ggml.model", "llama");
    out.set_string("tokenizer.ggml.pre", "default");
    out.set_string_array("tokenizer.ggml.tokens", tokens);
    std::vector<uint8_t> score_bytes(scores.size() * 4);
    std::memcpy(score_bytes.data(), scores.data(), score_bytes.size());
    out.set_array("tokenizer.ggml.scores", GgufType::F32, std::move(score_bytes), scores.size());
    write_types(types, out);
    out.set_bool("tokenizer.ggml.add_space_prefix", prefix);
    if (unk_it != ids.end())
        out.set_u32("tokenizer.ggml.unknown_token_id", static_cast<uint32_t>(unk_it->second));
    write_special_ids(config, tokens, out);
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
    if (!tokens)
        out.note = "tokenizer.json not written: the file has no vocabulary (tokenizer.ggml.tokens)";
    else if (model == "gpt2")
        byte_level_bpe(g, *tokens, out);
    else if (model == "llama")
        sentencepiece(g, out);
    else
        out.note = "tokenizer.json not written: vocabulary '" + model +
                   "' is not converted yet (byte-level BPE, 'gpt2', and SentencePiece, 'llama', "
                   "are)";
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
    if (model.value("byte_fallback", false))
        read_sentencepiece(tokenizer, config, out);
    else
        read_byte_level_bpe(tokenizer, config, out);
}

}  // namespace flash::convert
