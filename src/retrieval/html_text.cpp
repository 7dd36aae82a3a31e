#include "retrieval/html_text.h"

#include <algorithm>
#include <cctype>
#include <string>

#include "retrieval/html_entities.h"

namespace flash::retrieval {
namespace {

enum Break { k_none = 0, k_line = 1, k_paragraph = 2 };

// What a tag's start and end do to the text flow.
Break tag_break(std::string_view name) {
    static constexpr std::string_view k_paragraph_tags[] = {
        "address", "article", "aside", "blockquote", "body",       "caption", "center",
        "details", "div",     "dl",    "fieldset",   "figcaption", "figure",  "footer",
        "form",    "h1",      "h2",    "h3",         "h4",         "h5",      "h6",
        "header",  "hr",      "main",  "nav",        "ol",         "p",       "pre",
        "section", "summary", "table", "title",      "ul"};
    static constexpr std::string_view k_line_tags[] = {"br",     "dd",    "dt",    "legend", "li",
                                                       "option", "tbody", "tfoot", "thead",  "tr"};
    for (std::string_view t : k_paragraph_tags)
        if (t == name) return k_paragraph;
    for (std::string_view t : k_line_tags)
        if (t == name) return k_line;
    return k_none;
}

bool is_raw_text(std::string_view name) {
    return name == "script" || name == "style";
}
bool is_hidden(std::string_view name) {
    return name == "template" || name == "noscript";
}
bool is_cell(std::string_view name) {
    return name == "td" || name == "th";
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

size_t find_ci(std::string_view hay, std::string_view needle, size_t from) {
    for (size_t i = from; i + needle.size() <= hay.size(); ++i) {
        size_t k = 0;
        while (k < needle.size() &&
               std::tolower(static_cast<unsigned char>(hay[i + k])) == needle[k])
            ++k;
        if (k == needle.size()) return i;
    }
    return std::string_view::npos;
}

class Converter {
  public:
    explicit Converter(std::string_view html) : in_(html) {}

    std::string run() {
        while (pos_ < in_.size()) {
            const char c = in_[pos_];
            if (c == '<' && tag()) continue;
            if (c == '&') {
                std::string decoded;
                if (decode_entity(in_, pos_, decoded)) {
                    if (hidden_ == 0) emit(decoded);
                    continue;
                }
            }
            // Plain text up to the next markup or reference (at least this one byte).
            size_t end = in_.find_first_of("<&", pos_ + 1);
            if (end == std::string_view::npos) end = in_.size();
            if (hidden_ == 0) emit(in_.substr(pos_, end - pos_));
            pos_ = end;
        }
        return std::move(out_);
    }

  private:
    // Handles markup at '<'; false when the '<' is plain text ("a < b").
    bool tag() {
        const std::string_view rest = in_.substr(pos_);
        if (rest.starts_with("<!--")) {
            const size_t end = in_.find("-->", pos_ + 4);
            pos_ = end == std::string_view::npos ? in_.size() : end + 3;
            return true;
        }
        if (rest.starts_with("<!") || rest.starts_with("<?")) {  // doctype, CDATA, processing
            const size_t end = in_.find('>', pos_);
            pos_ = end == std::string_view::npos ? in_.size() : end + 1;
            return true;
        }
        const bool closing = rest.size() > 1 && rest[1] == '/';
        size_t i = pos_ + (closing ? 2 : 1);
        if (i >= in_.size() || !std::isalpha(static_cast<unsigned char>(in_[i]))) return false;
        std::string name;
        while (i < in_.size() &&
               (std::isalnum(static_cast<unsigned char>(in_[i])) || in_[i] == '-' || in_[i] == ':'))
            name += static_cast<char>(std::tolower(static_cast<unsigned char>(in_[i++])));
        // Skip attributes; a quoted value may hold '>'.
        char quote = 0;
        bool self_closing = false;
        for (; i < in_.size(); ++i) {
            const char c = in_[i];
            if (quote) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                self_closing = i > 0 && in_[i - 1] == '/';
                break;
            }
        }
        pos_ = std::min(i + 1, in_.size());
        if (closing) {
            end_tag(name);
        } else {
            start_tag(name, self_closing);
        }
        return true;
    }

    void start_tag(const std::string& name, bool self_closing) {
        if (is_raw_text(name) && !self_closing) {
            // Script and style bodies are not markup: skip to their own end tag.
            const size_t end = find_ci(in_, "</" + name, pos_);
            if (end == std::string_view::npos) {
                pos_ = in_.size();
            } else {
                const size_t gt = in_.find('>', end);
                pos_ = gt == std::string_view::npos ? in_.size() : gt + 1;
            }
            return;
        }
        if (is_hidden(name)) {
            if (!self_closing) ++hidden_;
            return;
        }
        if (name == "pre") ++pre_;
        if (name == "br") {
            // Each <br> is one more line break: two in a row make a blank line.
            pending_break_ = std::min(pending_break_ + 1, static_cast<int>(k_paragraph));
            return;
        }
        block_or_cell(name);
    }

    void end_tag(const std::string& name) {
        if (is_hidden(name)) {
            if (hidden_ > 0) --hidden_;
            return;
        }
        if (name == "pre" && pre_ > 0) --pre_;
        if (name == "br") return;
        block_or_cell(name);
    }

    void block_or_cell(std::string_view name) {
        if (is_cell(name)) {
            pending_space_ = true;
            return;
        }
        if (const Break b = tag_break(name); b != k_none)
            pending_break_ = std::max(pending_break_, static_cast<int>(b));
    }

    void emit(std::string_view text) {
        for (size_t i = 0; i < text.size(); ++i) {
            const char c = text[i];
            const bool nbsp = static_cast<unsigned char>(c) == 0xC2 && i + 1 < text.size() &&
                              static_cast<unsigned char>(text[i + 1]) == 0xA0;
            if (nbsp) ++i;
            if (pre_ > 0 && c == '\n') {
                pre_spaces_.clear();
                pending_break_ = std::min(pending_break_ + 1, static_cast<int>(k_paragraph));
                continue;
            }
            if (nbsp || is_space(c)) {
                if (pre_ > 0 && c != '\r') pre_spaces_ += nbsp ? ' ' : c;
                pending_space_ = true;
                continue;
            }
            flush_whitespace();
            out_ += c;
        }
    }

    void flush_whitespace() {
        if (!out_.empty() && pending_break_ != k_none) {
            out_ += pending_break_ == k_paragraph ? "\n\n" : "\n";
            if (pre_ > 0) out_ += pre_spaces_;  // keep a code line's indentation
        } else if (!out_.empty() && pending_space_ && out_.back() != '\n') {
            out_ += pre_ > 0 && !pre_spaces_.empty() ? pre_spaces_ : " ";
        }
        pending_break_ = k_none;
        pending_space_ = false;
        pre_spaces_.clear();
    }

    std::string_view in_;
    size_t pos_ = 0;
    std::string out_;
    int pending_break_ = k_none;
    bool pending_space_ = false;
    std::string pre_spaces_;
    int hidden_ = 0;
    int pre_ = 0;
};

}  // namespace

std::string html_to_text(std::string_view html) {
    return Converter(html).run();
}

}  // namespace flash::retrieval
