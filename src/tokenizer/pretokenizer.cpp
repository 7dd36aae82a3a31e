// Pre-tokenizer regex table and the PCRE2 splitter.
#define PCRE2_CODE_UNIT_WIDTH 8
#include "tokenizer/pretokenizer.h"

#include <pcre2.h>

#include "core/error.h"

namespace flash::tok {

namespace {

// Regexes as llama.cpp writes them (its "adapted" forms: case-insensitive contractions are
// spelled out so that every engine treats them alike).
constexpr const char* kGpt2 =
    R"('s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S))";
constexpr const char* kLlama3 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen2 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kQwen35 =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kSeedCoder =
    R"((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kBailing =
    R"('(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)";
constexpr const char* kTekken =
    R"([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";
constexpr const char* kGpt4o =
    R"([^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))*((?=[\p{L}])([^A-Z]))+(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\r\n\p{L}\p{N}]?((?=[\p{L}])([^a-z]))+((?=[\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)";

struct Entry {
    std::vector<std::string_view> names;
    std::vector<std::string> regexes;
    bool add_bos = false;
    bool ignore_merges = false;
    bool byte_encode = true;
    bool escape_whitespace = false;
    bool newline_run_whole = false;
};

const std::vector<Entry>& table() {
    static const std::vector<Entry> t = {
        {{"default"}, {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2, R"(\p{N}+)", "[0-9][0-9][0-9]"}},
        {{"llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
          "jina-v5-nano"},
         {kLlama3},
         /*add_bos=*/true,
         /*ignore_merges=*/true},
        {{"dbrx", "smaug-bpe"}, {kLlama3}},
        {{"gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de", "a.x-4.0",
          "mellum", "modern-bert", "exaone4", "mpt", "olmo", "jais", "trillion", "granite-docling",
          "jina-v1-en", "jina-v2-code", "roberta-bpe"},
         {kGpt2}},
        {{"starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b",
          "mellum2"},
         {R"(\p{N})", kGpt2}},
        {{"falcon"}, {R"([\p{P}\$\+<=>\^~\|]+)", kGpt2, "[0-9][0-9][0-9]"}},
        {{"qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "megrez", "stablelm2", "hunyuan",
          "solar-open", "grok-2"},
         {kQwen2}},
        {{"qwen35"}, {kQwen35}},
        {{"chatglm-bpe", "glm4"}, {kLlama3}},
        {{"tekken"}, {kTekken}, /*add_bos=*/true, /*ignore_merges=*/true},
        {{"gpt-4o", "llama4", "kanana2", "talkie", "minimax-m2"}, {kGpt4o}},
        {{"seed-coder"}, {kSeedCoder}},
        {{"bailingmoe", "bailingmoe2", "llada-moe"}, {kBailing}},
        {{"gemma4"},
         {"[^\\n]+|[\\n]+"},
         /*add_bos=*/false,
         /*ignore_merges=*/false,
         /*byte_encode=*/false,
         /*escape_whitespace=*/true,
         /*newline_run_whole=*/true},
    };
    return t;
}

// llama.cpp's whitespace set: Unicode White_Space.
constexpr const char* kWhitespace =
    R"(\t\n\x{0B}\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000})";

}  // namespace

std::optional<PreTokenizerSpec> pretokenizer_spec(std::string_view pre) {
    for (const Entry& e : table()) {
        for (std::string_view n : e.names) {
            if (n == pre) {
                return PreTokenizerSpec{e.regexes,     e.add_bos,           e.ignore_merges,
                                        e.byte_encode, e.escape_whitespace, e.newline_run_whole};
            }
        }
    }
    return std::nullopt;
}

std::string supported_pretokenizers() {
    std::string out;
    for (const Entry& e : table()) {
        for (std::string_view n : e.names) {
            if (!out.empty()) out += ", ";
            out += n;
        }
    }
    return out;
}

std::string expand_whitespace_classes(std::string_view re) {
    std::string out;
    bool in_class = false;
    for (size_t i = 0; i < re.size(); ++i) {
        const char c = re[i];
        if (c == '\\' && i + 1 < re.size()) {
            const char n = re[i + 1];
            ++i;
            if (n == 's') {
                out += in_class ? std::string(kWhitespace) : "[" + std::string(kWhitespace) + "]";
            } else if (n == 'S' && !in_class) {
                out += "[^" + std::string(kWhitespace) + "]";
            } else {
                out.push_back('\\');
                out.push_back(n);
            }
            continue;
        }
        if (c == '[' && !in_class)
            in_class = true;
        else if (c == ']' && in_class)
            in_class = false;
        out.push_back(c);
    }
    return out;
}

struct PreTokenizer::Compiled {
    pcre2_code* code = nullptr;
    ~Compiled() { pcre2_code_free(code); }
};

PreTokenizer::PreTokenizer(const std::vector<std::string>& regexes, const std::string& source) {
    for (const std::string& re : regexes) {
        const std::string pattern = expand_whitespace_classes(re);
        int err = 0;
        PCRE2_SIZE err_off = 0;
        auto c = std::make_unique<Compiled>();
        c->code =
            pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                          PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &err, &err_off, nullptr);
        if (!c->code) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(err, msg, sizeof msg);
            throw Error(source + ": pre-tokenizer regex '" + re + "' does not compile at offset " +
                        std::to_string(err_off) + ": " + reinterpret_cast<const char*>(msg));
        }
        // JIT is an optimisation only; without it matching is merely slower.
        pcre2_jit_compile(c->code, PCRE2_JIT_COMPLETE);
        regexes_.push_back(std::move(c));
    }
}

PreTokenizer::~PreTokenizer() = default;

std::vector<std::string_view> PreTokenizer::split(std::string_view text) const {
    std::vector<std::string_view> pieces;
    if (text.empty()) return pieces;
    pieces.push_back(text);
    std::vector<std::string_view> next;
    for (const auto& re : regexes_) {
        pcre2_match_data* md = pcre2_match_data_create_from_pattern(re->code, nullptr);
        next.clear();
        for (std::string_view piece : pieces) {
            // Each piece is its own subject: lookarounds stop at the piece's edges, as in
            // the reference, which runs every regex on every piece separately.
            const auto* subject = reinterpret_cast<PCRE2_SPTR>(piece.data());
            size_t offset = 0, last_end = 0;
            while (offset <= piece.size()) {
                const int rc = pcre2_match(re->code, subject, piece.size(), offset,
                                           PCRE2_NO_UTF_CHECK, md, nullptr);
                if (rc < 0) break;  // no (further) match
                const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
                const size_t ms = ov[0], me = ov[1];
                if (ms > last_end) next.push_back(piece.substr(last_end, ms - last_end));
                if (me > ms) {
                    next.push_back(piece.substr(ms, me - ms));
                    last_end = me;
                    offset = me;
                } else {
                    // Empty match: step over one character so the scan progresses.
                    if (ms >= piece.size()) break;
                    size_t step = 1;
                    while (ms + step < piece.size() &&
                           (static_cast<unsigned char>(piece[ms + step]) & 0xC0) == 0x80) {
                        ++step;
                    }
                    last_end = ms;
                    offset = ms + step;
                }
            }
            if (last_end < piece.size()) next.push_back(piece.substr(last_end));
        }
        pcre2_match_data_free(md);
        pieces.swap(next);
    }
    return pieces;
}

}  // namespace flash::tok
