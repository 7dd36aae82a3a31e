#include "follow/follow.h"

#include <algorithm>

#include "follow/segment_constraint.h"
#include "follow/text_rules.h"
#include "instruct/check.h"

namespace flash::follow {

namespace {

// Words the segments after `index` will add at least: their forced text, and one word per
// generated segment that must hold text. The word limit keeps room for them.
size_t words_reserved_after(const ResponsePlan& plan, size_t index) {
    size_t words = 0;
    for (size_t i = index + 1; i < plan.segments.size(); ++i) {
        const Segment& s = plan.segments[i];
        words += s.generated ? (s.require_text ? 1 : 0) : words_in(s.text);
    }
    return words;
}

// Tokens for generated segment `index` out of `left`: a capped segment gets its cap; the rest
// share what the capped segments after them leave, so a long body cannot starve a second
// response or a postscript.
int token_share(const ResponsePlan& plan, size_t index, int left) {
    const Segment& self = plan.segments[index];
    if (self.max_tokens > 0) return std::min(self.max_tokens, left);
    int reserved = 0, sharing = 1;
    for (size_t i = index + 1; i < plan.segments.size(); ++i) {
        const Segment& s = plan.segments[i];
        if (!s.generated) continue;
        if (s.max_tokens > 0)
            reserved += s.max_tokens;
        else
            ++sharing;
    }
    return std::max(1, (left - reserved) / sharing);
}

SamplerConfig sampling_for_try(const FollowOptions& options, int try_number) {
    SamplerConfig s = options.generation.sampling;
    if (try_number > 1) {
        s.temperature = std::max(s.temperature, options.retry_temperature);
        s.seed += static_cast<uint64_t>(try_number - 1);
    }
    return s;
}

}  // namespace

std::string InstructionReport::status() const {
    if (!passed) return "not met";
    if (enforced) return "enforced";
    if (passed_on_try <= 1) return "checked (passed on try 1)";
    return "checked and retried (passed on try " + std::to_string(passed_on_try) + ")";
}

bool InstructedGeneration::all_met() const {
    return std::all_of(instructions.begin(), instructions.end(),
                       [](const InstructionReport& r) { return r.passed; });
}

nlohmann::json InstructedGeneration::to_json() const {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& r : instructions)
        list.push_back({{"type", r.instruction.type},
                        {"args", r.instruction.args},
                        {"status", r.status()},
                        {"enforced", r.enforced},
                        {"passed", r.passed},
                        {"how", r.how},
                        {"reason", r.reason}});
    return {{"response", response},
            {"tries", tries},
            {"kept_try", kept_try},
            {"generated_tokens", generated_tokens},
            {"instructions", list}};
}

InstructionFollower::InstructionFollower(Session& session, ChatTemplate chat_template)
    : InstructionFollower(session, turn::Turn(std::move(chat_template), session.tokenizer())) {}

InstructionFollower::InstructionFollower(Session& session, turn::Turn turn)
    : vocab_(turn.vocabulary()), tokenizer_(&turn.tokenizer()) {
    // Each segment continues the reply so far; the segment's hooks are already on `options`.
    generator_ = [&session, one_turn = std::move(turn)](
                     const std::string& prompt, const std::string& so_far,
                     const GenerateOptions& options, GenerationStats& stats) {
        turn::Prompt p;
        p.messages.push_back({{"role", "user"}, {"content", prompt}});
        p.continuation = so_far;
        turn::TurnOutput out = one_turn.run(session, one_turn.prepare(p), options);
        stats = out.stats;
        return std::move(out.text);
    };
}

InstructionFollower::InstructionFollower(SegmentGenerator generator,
                                         std::shared_ptr<const grammar::TokenVocabulary> vocab,
                                         const Tokenizer* tokenizer)
    : generator_(std::move(generator)), vocab_(std::move(vocab)), tokenizer_(tokenizer) {}

std::shared_ptr<const grammar::CompiledGrammar> InstructionFollower::compiled(
    const Segment& segment) {
    if (!segment.grammar) return nullptr;
    auto& slot = grammars_[segment.grammar_key];
    if (!slot || segment.grammar_key.empty())
        slot = grammar::CompiledGrammar::compile(*segment.grammar);
    return slot;
}

const std::vector<bool>* InstructionFollower::banned(const TextRules& rules) {
    if (!rules.bans_characters()) return nullptr;
    const int key = static_cast<int>(rules.letter_case) * 2 + (rules.no_commas ? 1 : 0);
    auto it = banned_.find(key);
    if (it == banned_.end()) it = banned_.emplace(key, banned_tokens(rules, *vocab_)).first;
    return &it->second;
}

InstructionFollower::Try InstructionFollower::generate(
    const std::string& prompt, const ResponsePlan& plan,
    const std::vector<instruct::Instruction>& instructions, const GenerateOptions& generation) {
    Try t;
    for (size_t i = 0; i < plan.segments.size(); ++i) {
        const Segment& segment = plan.segments[i];
        if (!segment.generated) {
            t.response += segment.text;
            continue;
        }
        const int left = generation.max_tokens - static_cast<int>(t.tokens);
        if (left <= 0) continue;
        SegmentRules rules;
        rules.banned = banned(plan.rules);
        rules.require_text = segment.require_text;
        rules.closing_chars = segment.closing_chars;
        if (plan.rules.max_words) {
            const size_t reserved = words_reserved_after(plan, i);
            rules.max_words =
                *plan.rules.max_words > reserved ? *plan.rules.max_words - reserved : 0;
        }
        SegmentConstraint constraint(vocab_, compiled(segment), tokenizer_, rules, t.response);
        GenerateOptions o = generation;
        o.max_tokens = token_share(plan, i, left);
        constraint.attach(o);
        GenerationStats stats;
        t.response += generator_(prompt, t.response, o, stats);
        t.tokens += stats.generated_tokens;
    }
    for (const auto& instruction : instructions) {
        t.passed.push_back(instruct::check(instruction, t.response).passed);
        t.n_passed += t.passed.back();
    }
    return t;
}

InstructedGeneration InstructionFollower::follow(
    const std::string& prompt, const std::vector<instruct::Instruction>& instructions,
    const FollowOptions& options) {
    const ResponsePlan plan =
        options.enforce ? plan_response(instructions) : unconstrained_plan(instructions.size());
    if (!options.enforce)
        for (const auto& instruction : instructions) instruct::validate(instruction);
    InstructedGeneration out;
    Try best;
    for (int k = 1; k <= 1 + std::max(0, options.retries); ++k) {
        GenerateOptions generation = options.generation;
        generation.sampling = sampling_for_try(options, k);
        Try t = generate(prompt, plan, instructions, generation);
        ++out.tries;
        out.generated_tokens += t.tokens;
        if (k == 1 || t.n_passed > best.n_passed) {
            best = std::move(t);
            out.kept_try = k;
        }
        if (best.n_passed == instructions.size()) break;
    }
    out.response = best.response;
    for (size_t i = 0; i < instructions.size(); ++i) {
        InstructionReport r;
        r.instruction = instructions[i];
        r.enforced = plan.enforced[i];
        r.how = plan.how[i];
        const instruct::CheckResult verdict = instruct::check(instructions[i], out.response);
        r.passed = verdict.passed;
        r.reason = verdict.reason;
        if (r.passed) r.passed_on_try = out.kept_try;
        out.instructions.push_back(std::move(r));
    }
    return out;
}

InstructedGeneration follow_instructions(Session& session, const ChatTemplate& chat_template,
                                         const std::string& prompt,
                                         const std::vector<instruct::Instruction>& instructions,
                                         const FollowOptions& options) {
    InstructionFollower follower(session, chat_template);
    return follower.follow(prompt, instructions, options);
}

}  // namespace flash::follow
