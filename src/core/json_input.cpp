#include "core/json_input.h"

#include <vector>

#include "core/error.h"

namespace flash {
namespace {

// Line and column (1-based, in characters) of byte offset `at` in `text`.
std::string position(std::string_view text, size_t at) {
    at = std::min(at, text.size());
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at; ++i) {
        if (text[i] == '\n') {
            ++line;
            column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// nlohmann's messages end with the offending token, which can be the whole rest of the input.
std::string short_reason(const std::string& what) {
    std::string why = what;
    if (const size_t k = why.find("syntax error"); k != std::string::npos)
        why = why.substr(k);
    else if (const size_t p = why.find("] ");
             why.rfind("[json.exception.", 0) == 0 && p != std::string::npos)
        why = why.substr(p + 2);
    return excerpt(why, 160);
}

struct TooDeep {};

// Where the parser is, as "messages[2].content": the open containers, each with the key or the
// index of the member being read. Kept from the parser's callback events so an error found
// inside a value (a number too large) can name the field.
class PathTracker {
  public:
    template <class JsonT>
    void on(int depth, typename JsonT::parse_event_t event, const JsonT& parsed) {
        using E = typename JsonT::parse_event_t;
        switch (event) {
            case E::object_start:
            case E::array_start:
                frames_.push_back({event == E::array_start, {}, 0});
                break;
            case E::key:
                if (!frames_.empty()) frames_.back().key = parsed.template get<std::string>();
                break;
            case E::object_end:
            case E::array_end:
                if (!frames_.empty()) frames_.pop_back();
                member_done();
                break;
            case E::value:
                // Scalars only: a container's end is its own event.
                if (static_cast<size_t>(depth) == frames_.size()) member_done();
                break;
        }
    }

    std::string path() const {
        std::string out;
        for (const Frame& f : frames_) {
            if (f.is_array) {
                out += "[" + std::to_string(f.index) + "]";
            } else {
                if (!out.empty()) out += ".";
                out += excerpt(f.key, 40);
            }
            if (out.size() > 200) return excerpt(out, 200);
        }
        return out;
    }

  private:
    struct Frame {
        bool is_array;
        std::string key;
        size_t index;
    };
    void member_done() {
        if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
    }
    std::vector<Frame> frames_;
};

std::string at_path(const std::string& path) {
    return path.empty() ? "" : " at " + path;
}

}  // namespace

JsonInputError::JsonInputError(const std::string& message, std::string path)
    : Error(message), path_(std::move(path)) {}

std::string excerpt(std::string_view text, size_t max) {
    if (text.size() <= max) return std::string(text);
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    return std::string(text.substr(0, cut)) + "\xE2\x80\xA6";
}

template <class JsonT>
JsonT parse_json(std::string_view text, std::string_view what, int max_depth) {
    PathTracker tracker;
    // The callback sees each container open with the count of containers around it.
    const auto callback = [&](int depth, typename JsonT::parse_event_t event, JsonT& parsed) {
        if ((event == JsonT::parse_event_t::object_start ||
             event == JsonT::parse_event_t::array_start) &&
            depth >= max_depth)
            throw TooDeep{};
        tracker.on<JsonT>(depth, event, parsed);
        return true;
    };
    try {
        return JsonT::parse(text.begin(), text.end(), callback);
    } catch (const TooDeep&) {
        const std::string path = tracker.path();
        throw JsonInputError(std::string(what) + ": JSON nested deeper than " +
                                 std::to_string(max_depth) + " levels" + at_path(path),
                             path);
    } catch (const nlohmann::json::parse_error& e) {
        const size_t at = e.byte > 0 ? e.byte - 1 : 0;
        throw JsonInputError(std::string(what) + ": invalid JSON at " + position(text, at) + ": " +
                                 short_reason(e.what()),
                             tracker.path());
    } catch (const nlohmann::json::out_of_range& e) {
        // 406: a number no double holds (1e400, a 400-digit integer).
        const std::string path = tracker.path();
        throw JsonInputError(std::string(what) + ": number out of range" + at_path(path) + ": " +
                                 short_reason(e.what()),
                             path);
    }
}

template nlohmann::json parse_json<nlohmann::json>(std::string_view, std::string_view, int);
template nlohmann::ordered_json parse_json<nlohmann::ordered_json>(std::string_view,
                                                                   std::string_view, int);

}  // namespace flash
