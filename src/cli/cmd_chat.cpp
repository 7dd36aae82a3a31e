// `flash chat`: an interactive conversation on the terminal, as Ollama's and llama-cli's feel:
// line editing and history, Ctrl-C stops the reply and keeps the conversation, Ctrl-D or /bye
// leaves, /commands never reach the model, """ opens multi-line input. The KV cache carries
// over turns (each prompt shares its prefix with the last).
#include <cstdio>
#include <memory>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "cli/device_choice.h"
#include "cli/option_checks.h"
#include "cli/terminal.h"
#include "core/error.h"
#include "core/json_input.h"
#include "core/text_file.h"
#include "turn/turn.h"

namespace flash::cli {
namespace {

struct ChatOptions {
    ModelOptions model;
    GenerateOptions gen;
    SamplingOverrides sampling;
    std::string system;
    std::string chat_template;
    bool no_history = false;
};

constexpr const char* kHelp =
    "  /help            this list\n"
    "  /bye             leave (also /exit, /quit, Ctrl-D)\n"
    "  /reset           start the conversation over (the system message stays)\n"
    "  /system TEXT     set the system message (/system alone shows it)\n"
    "  /save FILE       write the conversation as a JSON array of messages\n"
    "  /load FILE       continue a saved conversation\n"
    "  \"\"\"              begin and end a message of several lines\n"
    "  //text           send text that starts with /\n"
    "  Ctrl-C stops a reply; the conversation keeps what was said.\n";

// The conversation: an optional system message, then the turns.
class Conversation {
  public:
    explicit Conversation(std::string system) : system_(std::move(system)) {}

    std::vector<ChatMessage> messages() const {
        std::vector<ChatMessage> all;
        if (!system_.empty()) all.push_back({"system", system_});
        all.insert(all.end(), turns_.begin(), turns_.end());
        return all;
    }
    void add(std::string role, std::string content) {
        turns_.push_back({std::move(role), std::move(content)});
    }
    void drop_last() { turns_.pop_back(); }
    // Drops the oldest exchange; false when only the newest message is left.
    bool drop_oldest() {
        if (turns_.size() <= 1) return false;
        turns_.erase(turns_.begin());
        return true;
    }
    void reset() { turns_.clear(); }
    size_t size() const { return turns_.size(); }
    const std::string& system() const { return system_; }
    void set_system(std::string text) { system_ = std::move(text); }

    void save(const std::string& path) const {
        nlohmann::json out = nlohmann::json::array();
        for (const ChatMessage& m : messages())
            out.push_back({{"role", m.role}, {"content", m.content}});
        write_text_file(path, out.dump(2) + "\n");
    }
    // A JSON array of {"role", "content"} messages, or an object holding one as "messages".
    void load(const std::string& path) {
        const auto json = parse_json<nlohmann::json>(read_text_file(path, "conversation"), path);
        const nlohmann::json& list =
            json.is_object() && json.contains("messages") ? json["messages"] : json;
        if (!list.is_array())
            throw Error(path + ": expected a JSON array of {\"role\", \"content\"} messages");
        std::string system;
        std::vector<ChatMessage> turns;
        for (size_t i = 0; i < list.size(); ++i) {
            const nlohmann::json& m = list[i];
            const std::string where = path + ": message " + std::to_string(i + 1);
            if (!m.is_object() || !m.contains("role") || !m["role"].is_string() ||
                !m.contains("content") || !m["content"].is_string())
                throw Error(where + ": needs a string \"role\" and a string \"content\"");
            const std::string role = m["role"];
            if (role == "system" && i == 0)
                system = m["content"];
            else if (role == "user" || role == "assistant")
                turns.push_back({role, m["content"]});
            else
                throw Error(where + ": role '" + role +
                            "' (expected user or assistant, or system first)");
        }
        system_ = system.empty() ? system_ : system;
        turns_ = std::move(turns);
    }

  private:
    std::string system_;
    std::vector<ChatMessage> turns_;
};

class ChatLoop {
  public:
    ChatLoop(const ChatOptions& o, LoadedModel& lm)
        : turn_(ChatTemplate::from_gguf(lm.model->gguf(), o.chat_template), *lm.tokenizer),
          session_(*lm.model, lm.tokenizer.get(), session_options(o.model, lm)),
          conversation_(o.system),
          reader_(o.no_history ? std::string() : chat_history_path()) {
        gen_ = o.gen;
        gen_.sampling = chat_sampling_for(*lm.model, o.sampling);
        gen_.cancelled = [this] { return interrupt_.pending(); };
        std::fprintf(stderr, "flash chat — %s (%s). /help lists commands; Ctrl-D or /bye leaves.\n",
                     lm.model->config().name.c_str(), describe(gen_.sampling).c_str());
    }

    void run() {
        while (true) {
            const std::optional<std::string> line = read_message();
            if (!line) break;
            if (interrupt_.take()) {
                std::fprintf(stderr, "(Ctrl-D or /bye leaves)\n");
                continue;
            }
            if (line->empty()) continue;
            if ((*line)[0] == '/' && !line->starts_with("//")) {
                if (!command(*line)) break;
                continue;
            }
            reply(line->starts_with("//") ? line->substr(1) : *line);
        }
        std::fputc('\n', stderr);
    }

  private:
    // One message: a line, or the lines between """ and """. nullopt at end of input.
    std::optional<std::string> read_message() {
        std::optional<std::string> line = reader_.read(">>> ");
        if (!line || !line->starts_with("\"\"\"")) {
            if (line) reader_.remember(*line);
            return line;
        }
        std::string history = *line;
        std::string text = line->substr(3);
        bool closed = text.size() >= 3 && text.ends_with("\"\"\"");  // """one line"""
        while (!closed) {
            const std::optional<std::string> more = reader_.read("... ");
            if (!more) return std::nullopt;
            if (interrupt_.pending()) return std::string();  // Ctrl-C abandons the message
            history += "\n" + *more;
            closed = more->ends_with("\"\"\"");
            text += "\n" + *more;
        }
        reader_.remember(history);
        text.resize(text.size() - 3);
        while (text.starts_with("\n")) text.erase(0, 1);
        while (text.ends_with("\n")) text.pop_back();
        return text;
    }

    // Handles /COMMAND; false when the chat should end.
    bool command(const std::string& line) {
        const size_t space = line.find(' ');
        const std::string name = line.substr(0, space);
        const std::string arg = space == std::string::npos ? "" : line.substr(space + 1);
        try {
            if (name == "/bye" || name == "/exit" || name == "/quit") return false;
            if (name == "/help" || name == "/?") {
                std::fputs(kHelp, stderr);
            } else if (name == "/reset" || name == "/clear") {
                conversation_.reset();
                std::fprintf(stderr, "(conversation cleared)\n");
            } else if (name == "/system") {
                if (arg.empty()) {
                    std::fprintf(stderr, "(system message: %s)\n",
                                 conversation_.system().empty() ? "none, the template's own"
                                                                : conversation_.system().c_str());
                } else {
                    conversation_.set_system(arg);
                    std::fprintf(stderr, "(system message set)\n");
                }
            } else if (name == "/save" && !arg.empty()) {
                conversation_.save(arg);
                std::fprintf(stderr, "(saved %zu messages to %s)\n",
                             conversation_.messages().size(), arg.c_str());
            } else if (name == "/load" && !arg.empty()) {
                conversation_.load(arg);
                std::fprintf(stderr, "(loaded %zu messages from %s)\n",
                             conversation_.messages().size(), arg.c_str());
            } else if (name == "/save" || name == "/load") {
                std::fprintf(stderr, "(%s needs a file name)\n", name.c_str());
            } else {
                std::fprintf(stderr, "(unknown command %s; /help lists them, //text sends text)\n",
                             name.c_str());
            }
        } catch (const Error& e) {  // a bad file must not end the conversation
            std::fprintf(stderr, "(%s)\n", e.what());
        }
        return true;
    }

    void reply(const std::string& text) {
        conversation_.add("user", text);
        turn::PreparedTurn prepared = turn_.prepare(turn::Prompt::from(conversation_.messages()));
        while (!fits(prepared) && conversation_.drop_oldest())
            prepared = turn_.prepare(turn::Prompt::from(conversation_.messages()));
        if (!fits(prepared)) {
            std::fprintf(stderr, "(message too long for the %lld-token context; raise -c)\n",
                         static_cast<long long>(session_.n_ctx()));
            conversation_.drop_last();
            return;
        }
        turn::TurnOutput out;
        {
            const QuietInput quiet;
            out = turn_.run(session_, prepared, gen_, print_to_stdout);
        }
        std::fputc('\n', stdout);
        std::fflush(stdout);
        if (interrupt_.take()) std::fprintf(stderr, "(stopped)\n");
        note_if_cut(out.stats);
        conversation_.add("assistant", out.text);
    }

    bool fits(const turn::PreparedTurn& p) const {
        return static_cast<int64_t>(p.tokens.size()) + gen_.max_tokens < session_.n_ctx();
    }

    turn::Turn turn_;
    Session session_;
    Conversation conversation_;
    InterruptCatcher interrupt_;
    LineReader reader_;
    GenerateOptions gen_;
};

void chat(const ChatOptions& o) {
    LoadedModel lm = load_model(o.model);
    attach_device(lm, o.model);
    ChatLoop(o, lm).run();
}

}  // namespace

void add_chat_command(CLI::App& app) {
    auto o = std::make_shared<ChatOptions>();
    CLI::App* cmd = app.add_subcommand("chat", "Interactive chat on the terminal");
    add_model_options(*cmd, o->model);
    add_device_option(*cmd, o->model.device);
    o->gen.max_tokens = kDefaultMaxTokens;
    cmd->add_option("-n,--n-predict", o->gen.max_tokens, "Maximum tokens per answer")
        ->check(in_range(sampling_range::kMaxTokens, true))
        ->capture_default_str();
    cmd->add_option("--system", o->system, "System message (llama.cpp: -sys)");
    cmd->add_option(
        "--chat-template", o->chat_template,
        "chatml, gemma, llama3, raw, or a .jinja file (default: the model's own template)");
    cmd->add_option("--stop", o->gen.stop, "Stop a reply before this text (repeatable; -r)")
        ->allow_extra_args(false);
    cmd->add_flag("--no-history", o->no_history,
                  "Do not read or write the line history (~/.local/state/flash/chat_history)");
    add_sampling_options(*cmd, o->sampling, kChatPresetText);
    cmd->footer(std::string("Commands inside the chat:\n") + kHelp + "\n" + cmd->get_footer());
    cmd->callback([o] { chat(*o); });
}

}  // namespace flash::cli
