// Vocabulary loading: GGUF metadata -> Vocab, with llama.cpp's per-model rules for special
// tokens, end-of-generation tokens and attributes.
#include "tokenizer/vocab.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>

#include "core/error.h"
#include "core/hex.h"
#include "tokenizer/pretokenizer.h"
#include "tokenizer/utf8.h"

namespace flash::tok {

namespace {

// GGUF token_type values (llama_token_type).
enum : int64_t {
    kTypeUndefined = 0,
    kTypeNormal = 1,
    kTypeUnknown = 2,
    kTypeControl = 3,
    kTypeUserDefined = 4,
    kTypeUnused = 5,
    kTypeByte = 6,
};

uint32_t attr_from_type(int64_t t) {
    switch (t) {
        case kTypeNormal:
            return kAttrNormal;
        case kTypeUnknown:
            return kAttrUnknown;
        case kTypeControl:
            return kAttrControl;
        case kTypeUserDefined:
            return kAttrUserDefined;
        case kTypeUnused:
            return kAttrUnused;
        case kTypeByte:
            return kAttrByte;
        default:
            return kAttrUndefined;
    }
}

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> list) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

[[noreturn]] void fail(const Vocab& v, std::string_view key, const std::string& why) {
    throw Error(v.source + ": metadata key '" + std::string(key) + "': " + why);
}

void read_tokens(const GgufFile& g, Vocab& v) {
    const auto* tokens = g.get_string_array("tokenizer.ggml.tokens");
    if (!tokens) fail(v, "tokenizer.ggml.tokens", "missing (the file has no vocabulary)");
    const size_t n = tokens->size();
    if (n == 0) fail(v, "tokenizer.ggml.tokens", "empty vocabulary");
    if (n > static_cast<size_t>(INT32_MAX)) fail(v, "tokenizer.ggml.tokens", "too many tokens");

    std::vector<float> scores;
    if (auto s = g.get_float_array("tokenizer.ggml.scores")) {
        if (s->size() < n) fail(v, "tokenizer.ggml.scores", "fewer scores than tokens");
        scores = std::move(*s);
    }
    std::vector<int64_t> types;
    if (auto t = g.get_int_array("tokenizer.ggml.token_type")) {
        if (t->size() < n) fail(v, "tokenizer.ggml.token_type", "fewer types than tokens");
        types = std::move(*t);
    }

    v.text.resize(n);
    v.score.assign(n, 0.0f);
    v.attr.assign(n, kAttrNormal);
    for (size_t i = 0; i < n; ++i) {
        std::string_view w = (*tokens)[i];
        // llama.cpp renames empty tokens so that every text is a distinct, non-empty key.
        v.text[i] = w.empty() ? "[EMPTY_" + std::to_string(i) + "]" : std::string(w);
        if (!scores.empty()) v.score[i] = scores[i];
        if (!types.empty()) v.attr[i] = attr_from_type(types[i]);
    }
    // Keys are views into v.text, which is not resized after this point.
    v.ids.reserve(n);
    for (size_t i = 0; i < n; ++i) {
        auto [it, fresh] = v.ids.emplace(std::string_view(v.text[i]), static_cast<int32_t>(i));
        if (!fresh) {
            fail(v, "tokenizer.ggml.tokens",
                 "duplicate token '" + v.text[i] + "' (ids " + std::to_string(it->second) +
                     " and " + std::to_string(i) + ")");
        }
    }
}

void read_merges(const GgufFile& g, Vocab& v) {
    const auto* merges = g.get_string_array("tokenizer.ggml.merges");
    if (!merges) fail(v, "tokenizer.ggml.merges", "missing (required for BPE vocabularies)");
    size_t total = 0;
    for (auto m : *merges) total += m.size() + 1;
    v.merge_keys.reserve(total);
    // First pass fills the arena (it must not reallocate once views into it exist).
    std::vector<std::pair<size_t, size_t>> spans;
    spans.reserve(merges->size());
    for (auto m : *merges) {
        // "left right", split at the first space after the first byte (a left part may
        // itself start with a space).
        const size_t pos = m.size() > 1 ? m.find(' ', 1) : std::string_view::npos;
        const size_t start = v.merge_keys.size();
        if (pos != std::string_view::npos) {
            v.merge_keys.append(m.substr(0, pos));
            v.merge_keys.push_back('\xFF');
            v.merge_keys.append(m.substr(pos + 1));
        } else {
            v.merge_keys.push_back('\xFF');  // malformed line: same as llama.cpp's ("", "")
        }
        spans.emplace_back(start, v.merge_keys.size() - start);
    }
    v.merge_rank.reserve(spans.size());
    for (size_t i = 0; i < spans.size(); ++i) {
        // emplace keeps the first (lowest) rank when a pair is listed twice.
        v.merge_rank.emplace(std::string_view(v.merge_keys).substr(spans[i].first, spans[i].second),
                             static_cast<int32_t>(i));
    }
}

void read_special_ids(const GgufFile& g, Vocab& v) {
    const std::pair<std::string_view, int32_t*> keys[] = {
        {"tokenizer.ggml.bos_token_id", &v.bos},
        {"tokenizer.ggml.eos_token_id", &v.eos},
        {"tokenizer.ggml.eot_token_id", &v.eot},
        {"tokenizer.ggml.eom_token_id", &v.eom},
        {"tokenizer.ggml.unknown_token_id", &v.unk},
        {"tokenizer.ggml.seperator_token_id", &v.sep},  // sic: llama.cpp's spelling
        {"tokenizer.ggml.padding_token_id", &v.pad},
        {"tokenizer.ggml.mask_token_id", &v.mask},
        {"tokenizer.ggml.fim_pre_token_id", &v.fim_pre},
        {"tokenizer.ggml.fim_suf_token_id", &v.fim_suf},
        {"tokenizer.ggml.fim_mid_token_id", &v.fim_mid},
        {"tokenizer.ggml.fim_pad_token_id", &v.fim_pad},
        {"tokenizer.ggml.fim_rep_token_id", &v.fim_rep},
        {"tokenizer.ggml.fim_sep_token_id", &v.fim_sep},
        {"tokenizer.ggml.prefix_token_id", &v.fim_pre},  // deprecated names
        {"tokenizer.ggml.suffix_token_id", &v.fim_suf},
        {"tokenizer.ggml.middle_token_id", &v.fim_mid},
    };
    const int32_t n = v.n_tokens();
    for (auto [key, id] : keys) {
        if (*id >= n) *id = -1;  // a default outside the vocabulary is dropped
        const auto x = g.get_int(key);
        if (!x || *x == -1 || *x == 0xFFFFFFFF) continue;  // absent, or written as "none"
        // A stated id outside the vocabulary is a broken file, not a hint to ignore: generation
        // would never stop on it (EOS) or would index past the embedding (BOS).
        if (*x < 0 || *x >= n)
            fail(v, key,
                 "token id " + std::to_string(*x) + " is outside the vocabulary [0, " +
                     std::to_string(n) + ")");
        *id = static_cast<int32_t>(*x);
    }
}

// Finds special tokens by their text, as llama.cpp does for files that do not name them,
// and marks them as control tokens.
void detect_by_text(Vocab& v) {
    struct Rule {
        int32_t* id;
        std::initializer_list<std::string_view> texts;
    };
    const Rule rules[] = {
        {&v.eot,
         {"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
          "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>",
          "<end_of_utterance>"}},
        {&v.eom, {"<|eom_id|>"}},
        {&v.fim_pre,
         {"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>",
          "<|code_prefix|>", "<|prefix|>"}},
        {&v.fim_suf,
         {"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>",
          "<|code_suffix|>", "<|suffix|>"}},
        {&v.fim_mid,
         {"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>",
          "<|code_middle|>", "<|middle|>"}},
        {&v.fim_pad, {"<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]"}},
        {&v.fim_rep, {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>"}},
        {&v.fim_sep, {"<|file_sep|>"}},
    };
    for (const Rule& r : rules) {
        if (*r.id != -1) continue;
        // Lowest id wins (llama.cpp's hash-map order is unspecified; this is deterministic).
        for (int32_t i = 0; i < v.n_tokens() && *r.id == -1; ++i) {
            if (is_one_of(v.text[i], r.texts)) {
                *r.id = i;
                v.attr[i] |= kAttrControl;
            }
        }
    }
}

void build_eog(Vocab& v) {
    for (int32_t id : {v.fim_pad, v.fim_rep, v.fim_sep}) {
        if (id != -1) v.eog.insert(id);
    }
    for (int32_t i = 0; i < v.n_tokens(); ++i) {
        if (is_one_of(v.text[i], {"<|eot_id|>",
                                  "<|im_end|>",
                                  "<|end|>",
                                  "<|return|>",
                                  "<|call|>",
                                  "<|flush|>",
                                  "<|calls|>",
                                  "<end_of_turn>",
                                  "<|endoftext|>",
                                  "</s>",
                                  "<|eom_id|>",
                                  "<EOT>",
                                  "_<EOT>",
                                  "[EOT]",
                                  "[EOS]",
                                  "<|end_of_text|>",
                                  "<end_of_utterance>",
                                  "<eos>",
                                  "<turn|>",
                                  "<|tool_response>",
                                  "<｜end▁of▁sentence｜>",
                                  "[e~["})) {
            v.eog.insert(i);
            v.attr[i] |= kAttrControl;
        }
    }
    // gpt-oss: these structural tokens are always rendered and split as user-defined.
    for (std::string_view t : {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"}) {
        if (auto id = v.find(t)) v.attr[*id] = kAttrUserDefined;
    }
    for (int32_t id : {v.eos, v.eot, v.eom}) {
        if (id != -1) v.eog.insert(id);
    }
    const auto in_eog = [&](std::string_view t) -> int32_t {
        auto id = v.find(t);
        return id && v.eog.count(*id) ? *id : -1;
    };
    // o200k_harmony / solar-open: "<|end|>" ends a message, not the generation.
    const int32_t end_id = in_eog("<|end|>");
    if (end_id != -1 && ((in_eog("<|return|>") != -1 && in_eog("<|call|>") != -1) ||
                         (in_eog("<|calls|>") != -1 && in_eog("<|flush|>") != -1))) {
        v.eog.erase(end_id);
        v.attr[end_id] = kAttrUserDefined;
    }
    // gemma4: "</s>" is ordinary text there.
    const int32_t s_id = in_eog("</s>");
    if (s_id != -1 && in_eog("<|tool_response>") != -1) {
        v.eog.erase(s_id);
        v.attr[s_id] = kAttrNormal;
    }
}

std::string render_piece(const Vocab& v, int32_t id) {
    const std::string& t = v.text[id];
    const uint32_t a = v.attr[id];
    if (a & (kAttrUnknown | kAttrControl | kAttrUserDefined)) return t;
    if (a & kAttrNormal) {
        if (v.kind == VocabKind::Spm || v.escape_whitespace) {
            std::string out;
            out.reserve(t.size());
            for (size_t i = 0; i < t.size(); ++i) {
                if (t.compare(i, 3, "\xE2\x96\x81") == 0) {
                    out.push_back(' ');
                    i += 2;
                } else {
                    out.push_back(t[i]);
                }
            }
            return out;
        }
        // Byte-level BPE: every code point stands for one byte.
        std::string out;
        size_t pos = 0;
        while (pos < t.size()) {
            const size_t start = pos;
            const int b = unicode_to_byte(decode_utf8(t, pos));
            if (b >= 0) {
                out.push_back(static_cast<char>(b));
            } else {
                // Same marker llama.cpp emits for a code point outside the alphabet.
                static const char* hex = "0123456789abcdef";
                out += "[UNK_BYTE_0x";
                for (size_t k = start; k < pos; ++k) {
                    const auto c = static_cast<unsigned char>(t[k]);
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 15]);
                }
                out += t + "]";
            }
        }
        return out;
    }
    if (a & kAttrByte) {
        if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') {
            // Not std::stoi: it throws std::invalid_argument, which is not the flash::Error a
            // bad file must produce (the GGUF fuzzer found it).
            const int hi = hex_value(t[3]), lo = hex_value(t[4]);
            if (hi < 0 || lo < 0)
                fail(v, "tokenizer.ggml.tokens",
                     "byte token " + std::to_string(id) + " '" + t + "' is not <0xHH>");
            return std::string(1, static_cast<char>(hi * 16 + lo));
        }
        return t;
    }
    return {};  // unused / undefined tokens contribute nothing
}

}  // namespace

int32_t Vocab::merge(std::string_view left, std::string_view right, std::string& scratch) const {
    scratch.assign(left);
    scratch.push_back('\xFF');
    scratch.append(right);
    auto it = merge_rank.find(std::string_view(scratch));
    return it == merge_rank.end() ? -1 : it->second;
}

void load_vocab(const GgufFile& g, Vocab& v) {
    v.source = g.path();
    auto model = g.get_string("tokenizer.ggml.model");
    if (!model) fail(v, "tokenizer.ggml.model", "missing (the file has no vocabulary)");
    v.model = std::string(*model);
    v.pre = std::string(g.get_string("tokenizer.ggml.pre").value_or(""));

    // Per-model defaults, before the file's own keys override them.
    int32_t default_bos = -1, default_eos = -1, default_unk = -1;
    if (v.model == "llama") {
        v.kind = VocabKind::Spm;
        default_bos = 1;
        default_eos = 2;
        default_unk = 0;
        v.add_space_prefix = true;
        v.add_bos = true;
        v.escape_whitespace = true;
    } else if (v.model == "gpt2" || v.model == "gemma4") {
        v.kind = VocabKind::Bpe;
        // llama.cpp ignores the file's pre name for gemma4 vocabularies.
        const std::string pre_name =
            v.model == "gemma4" ? "gemma4" : (v.pre.empty() ? "default" : v.pre);
        const auto spec = pretokenizer_spec(pre_name);
        if (!spec) {
            fail(v, "tokenizer.ggml.pre",
                 "pre-tokenizer '" + pre_name +
                     "' is not supported (supported: " + supported_pretokenizers() + ")");
        }
        v.add_bos = spec->add_bos;
        v.escape_whitespace = spec->escape_whitespace;
        v.byte_encode = spec->byte_encode;
        v.ignore_merges = spec->ignore_merges;
        v.newline_run_whole = spec->newline_run_whole;
        v.pre_regexes = spec->regexes;
        if (v.model == "gpt2") default_bos = default_eos = 11;
    } else {
        fail(v, "tokenizer.ggml.model",
             "tokenizer model '" + v.model + "' is not supported (supported: gpt2, llama, gemma4)");
    }
    if (auto b = g.get_bool("tokenizer.ggml.add_space_prefix")) v.add_space_prefix = *b;

    read_tokens(g, v);
    if (v.kind == VocabKind::Bpe) read_merges(g, v);

    v.bos = default_bos;
    v.eos = default_eos;
    v.unk = default_unk;
    read_special_ids(g, v);

    if (auto b = g.get_bool("tokenizer.ggml.add_bos_token")) v.add_bos = *b;
    if (auto b = g.get_bool("tokenizer.ggml.add_eos_token")) v.add_eos = *b;
    if (v.model == "gemma4") v.add_bos = true;  // llama.cpp forces BOS for Gemma 4
    if (v.add_bos && v.bos == -1) {
        fail(v, "tokenizer.ggml.bos_token_id", "add_bos_token is true but no BOS token is set");
    }
    if (v.add_eos && v.eos == -1) {
        fail(v, "tokenizer.ggml.eos_token_id", "add_eos_token is true but no EOS token is set");
    }

    detect_by_text(v);
    build_eog(v);

    for (int32_t i = 0; i < v.n_tokens(); ++i) {
        if (v.attr[i] & (kAttrControl | kAttrUserDefined | kAttrUnknown)) {
            v.special_tokens.push_back(i);
        }
    }
    std::stable_sort(v.special_tokens.begin(), v.special_tokens.end(),
                     [&](int32_t a, int32_t b) { return v.text[a].size() > v.text[b].size(); });

    v.pieces.resize(v.text.size());
    for (int32_t i = 0; i < v.n_tokens(); ++i) v.pieces[i] = render_piece(v, i);

    // Phi-3 (matched on general.name, as llama.cpp does): special tokens swallow the
    // whitespace that follows them.
    std::string name(g.get_string("general.name").value_or(""));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name.find("phi-3") != std::string::npos || name.find("phi3") != std::string::npos) {
        for (int32_t id : v.special_tokens) v.attr[id] |= kAttrRstrip;
        if (auto id = v.find("</s>")) v.attr[*id] |= kAttrRstrip;
        for (std::string_view t : {"<unk>", "<s>", "<|endoftext|>"}) {
            if (auto id = v.find(t)) v.attr[*id] &= ~kAttrRstrip;
        }
    }

    static const char* hex = "0123456789ABCDEF";
    for (int b = 0; b < 256; ++b) {
        const char name_buf[7] = {'<', '0', 'x', hex[b >> 4], hex[b & 15], '>', 0};
        auto id = v.find(name_buf);
        if (!id && v.kind == VocabKind::Spm) id = v.find(std::string(1, static_cast<char>(b)));
        v.byte_token[b] = id.value_or(-1);
    }
}

}  // namespace flash::tok
