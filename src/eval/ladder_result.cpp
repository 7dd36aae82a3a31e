#include "eval/ladder_result.h"

#include <algorithm>

#include "core/error.h"

namespace flash::eval {
namespace {

// Reads j[key] as T; `where` names the object ("levels/Q4_0.json: fidelity").
template <typename T>
T field(const Json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) throw Error(where + ": '" + key + "' is missing");
    try {
        return j.at(key).get<T>();
    } catch (const Json::exception&) {
        throw Error(where + ": '" + key + "' has the wrong type (" +
                    std::string(j.at(key).type_name()) + ")");
    }
}

const Json& object(const Json& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key) || !j.at(key).is_object())
        throw Error(where + ": '" + key + "' is missing or not an object");
    return j.at(key);
}

Json interval_json(const Interval& i) {
    return Json::array({i.low, i.high});
}

Interval interval_from(const Json& j, const char* key, const std::string& where) {
    const auto v = field<std::vector<double>>(j, key, where);
    if (v.size() != 2) throw Error(where + ": '" + key + "' must be [low, high]");
    return {v[0], v[1]};
}

Json comparison_json(const BaselineComparison& c) {
    return Json{{"n", c.n},
                {"right_to_wrong", c.right_to_wrong},
                {"wrong_to_right", c.wrong_to_right},
                {"difference", c.difference},
                {"ci95", interval_json(c.ci)}};
}

BaselineComparison comparison_from(const Json& j, const std::string& where) {
    BaselineComparison c;
    c.n = field<int64_t>(j, "n", where);
    c.right_to_wrong = field<int64_t>(j, "right_to_wrong", where);
    c.wrong_to_right = field<int64_t>(j, "wrong_to_right", where);
    c.difference = field<double>(j, "difference", where);
    c.ci = interval_from(j, "ci95", where);
    return c;
}

Json suite_json(const SuiteScore& s, bool with_samples) {
    Json j{{"metric", s.metric},
           {"hits", s.hits},
           {"n", s.n},
           {"accuracy", s.accuracy},
           {"ci95", interval_json(s.ci95)},
           {"figures", s.figures},
           {"seconds", s.seconds}};
    if (with_samples) {
        Json samples = Json::array();
        for (const Sample& x : s.samples)
            samples.push_back(Json{{"id", x.id}, {"right", x.right}, {"detail", x.detail}});
        j["samples"] = std::move(samples);
    }
    return j;
}

SuiteScore suite_from(const Json& j, const std::string& where) {
    SuiteScore s;
    s.metric = field<std::string>(j, "metric", where);
    s.hits = field<int64_t>(j, "hits", where);
    s.n = field<int64_t>(j, "n", where);
    s.accuracy = field<double>(j, "accuracy", where);
    s.ci95 = interval_from(j, "ci95", where);
    s.figures = j.value("figures", Json());
    s.seconds = j.value("seconds", 0.0);
    if (j.contains("samples")) {
        if (!j["samples"].is_array()) throw Error(where + ": 'samples' is not an array");
        for (const Json& x : j["samples"]) {
            const std::string at = where + ": samples[" + std::to_string(s.samples.size()) + "]";
            s.samples.push_back({field<std::string>(x, "id", at), field<bool>(x, "right", at),
                                 x.value("detail", Json())});
        }
    }
    return s;
}

// Members of an object in order, each read by `read`.
template <typename T, typename Read>
std::vector<std::pair<std::string, T>> named(const Json& j, const char* key,
                                             const std::string& where, Read read) {
    std::vector<std::pair<std::string, T>> out;
    for (const auto& [name, value] : object(j, key, where).items())
        out.emplace_back(name, read(value, where + ": " + key + "." + name));
    return out;
}

template <typename T>
const T* find_named(const std::vector<std::pair<std::string, T>>& list, const std::string& name) {
    for (const auto& [n, v] : list)
        if (n == name) return &v;
    return nullptr;
}

}  // namespace

SuiteScore SuiteScore::of(const SuiteResult& r) {
    SuiteScore s;
    s.metric = r.metric;
    s.hits = r.hits();
    s.n = static_cast<int64_t>(r.samples.size());
    s.accuracy = r.accuracy();
    s.ci95 = wilson_interval(s.hits, s.n);
    s.figures = r.figures;
    s.seconds = r.seconds;
    s.samples = r.samples;
    return s;
}

const SuiteScore* LevelResult::suite(const std::string& name) const {
    return find_named(suites, name);
}

const BaselineComparison* LevelResult::comparison(const std::string& name) const {
    return find_named(vs_baseline, name);
}

std::vector<std::string> LadderResult::suite_names() const {
    std::vector<std::string> names;
    for (const LevelResult& l : levels)
        for (const auto& [name, s] : l.suites)
            if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
    return names;
}

Json to_json(const LadderSettings& s) {
    Json j{{"source", s.source},
           {"source_sha256", s.source_sha256},
           {"chat_template", s.chat_template},
           {"suites", suites_settings(s.suites)},
           {"fidelity",
            {{"corpus", s.fidelity_corpus},
             {"window", s.fidelity_window},
             {"max_tokens", s.fidelity_max_tokens}}},
           {"threads", s.threads},
           {"precision", s.precision}};
    if (s.imatrix) j["imatrix"] = Json{{"file", s.imatrix->file}, {"sha256", s.imatrix->sha256}};
    return j;
}

LadderSettings settings_from_json(const Json& j, const std::string& what) {
    const std::string where = what + ": settings";
    LadderSettings s;
    s.source = field<std::string>(j, "source", where);
    s.source_sha256 = field<std::string>(j, "source_sha256", where);
    s.chat_template = field<std::string>(j, "chat_template", where);
    const Json& su = object(j, "suites", where);
    const std::string sw = where + ".suites";
    const Json& tools = object(su, "tools", sw);
    const Json& grounded = object(su, "grounded", sw);
    const Json& instruct = object(su, "instruct", sw);
    s.suites.tools_limit = field<int>(tools, "limit", sw + ".tools");
    s.suites.tool_max_tokens = field<int>(tools, "max_tokens", sw + ".tools");
    s.suites.grounded_limit = field<int>(grounded, "limit", sw + ".grounded");
    s.suites.grounded_max_tokens = field<int>(grounded, "max_tokens", sw + ".grounded");
    s.suites.instruct_limit = field<int>(instruct, "limit", sw + ".instruct");
    s.suites.instruct_retries = field<int>(instruct, "retries", sw + ".instruct");
    s.suites.instruct_enforce = field<bool>(instruct, "enforcement", sw + ".instruct");
    s.suites.instruct_max_tokens = field<int>(instruct, "max_tokens", sw + ".instruct");
    s.suites.only = su.value("only", std::vector<std::string>{});
    const Json& fi = object(j, "fidelity", where);
    s.fidelity_corpus = field<std::string>(fi, "corpus", where + ".fidelity");
    s.fidelity_window = field<int64_t>(fi, "window", where + ".fidelity");
    s.fidelity_max_tokens = field<int64_t>(fi, "max_tokens", where + ".fidelity");
    s.threads = field<int>(j, "threads", where);
    s.precision = field<std::string>(j, "precision", where);
    if (j.contains("imatrix")) {
        const Json& im = object(j, "imatrix", where);
        s.imatrix = LadderSettings::FileHash{field<std::string>(im, "file", where + ".imatrix"),
                                             field<std::string>(im, "sha256", where + ".imatrix")};
    }
    return s;
}

Json to_json(const LevelResult& l, bool with_samples) {
    Json types = Json::object();
    for (const auto& [type, n] : l.tensor_types) types[type] = n;
    Json suites = Json::object();
    for (const auto& [name, s] : l.suites) suites[name] = suite_json(s, with_samples);
    const Fidelity& f = l.fidelity;
    const Throughput& t = l.throughput;
    Json j{{"level", l.level},
           {"file", l.file},
           {"bytes", l.bytes},
           {"sha256", l.sha256},
           {"bits_per_weight", l.bits_per_weight},
           {"parameters", l.parameters},
           {"tensor_types", types},
           {"fidelity",
            {{"positions", f.positions},
             {"kl_mean", f.kl_mean},
             {"kl_p99", f.kl_p99},
             {"kl_max", f.kl_max},
             {"top1_agreement", f.top1_agreement},
             {"ppl_baseline", f.ppl_reference},
             {"ppl", f.ppl},
             {"ppl_ratio", f.ppl_ratio()}}},
           {"throughput",
            {{"prompt_tokens", t.prompt_tokens},
             {"prefill_tokens_per_s", t.prefill_tokens_per_s},
             {"generated_tokens", t.generated_tokens},
             {"decode_tokens_per_s", t.decode_tokens_per_s}}},
           {"suites", suites},
           {"peak_resident_bytes", l.peak_resident_bytes},
           {"seconds", l.seconds},
           {"settings", to_json(l.settings)}};
    if (!l.vs_baseline.empty()) {
        Json cmp = Json::object();
        for (const auto& [name, c] : l.vs_baseline) cmp[name] = comparison_json(c);
        j["vs_baseline"] = std::move(cmp);
    }
    return j;
}

LevelResult level_from_json(const Json& j, const std::string& what) {
    LevelResult l;
    l.level = field<std::string>(j, "level", what);
    const std::string where = what + ": level " + l.level;
    l.file = field<std::string>(j, "file", where);
    l.bytes = field<uint64_t>(j, "bytes", where);
    l.sha256 = field<std::string>(j, "sha256", where);
    l.bits_per_weight = field<double>(j, "bits_per_weight", where);
    l.parameters = field<int64_t>(j, "parameters", where);
    l.tensor_types =
        named<int64_t>(j, "tensor_types", where, [](const Json& v, const std::string& at) {
            if (!v.is_number_integer()) throw Error(at + " is not an integer");
            return v.get<int64_t>();
        });
    const Json& f = object(j, "fidelity", where);
    const std::string fw = where + ": fidelity";
    l.fidelity = {field<int64_t>(f, "positions", fw),
                  field<double>(f, "kl_mean", fw),
                  field<double>(f, "kl_p99", fw),
                  field<double>(f, "kl_max", fw),
                  field<double>(f, "top1_agreement", fw),
                  field<double>(f, "ppl_baseline", fw),
                  field<double>(f, "ppl", fw)};
    (void)field<double>(f, "ppl_ratio", fw);  // derived from the two above, but part of the file
    const Json& t = object(j, "throughput", where);
    const std::string tw = where + ": throughput";
    l.throughput.prompt_tokens = field<int64_t>(t, "prompt_tokens", tw);
    l.throughput.generated_tokens = field<int64_t>(t, "generated_tokens", tw);
    l.throughput.prefill_tokens_per_s = field<double>(t, "prefill_tokens_per_s", tw);
    l.throughput.decode_tokens_per_s = field<double>(t, "decode_tokens_per_s", tw);
    l.suites = named<SuiteScore>(j, "suites", where, suite_from);
    l.peak_resident_bytes = field<int64_t>(j, "peak_resident_bytes", where);
    l.seconds = field<double>(j, "seconds", where);
    l.settings = settings_from_json(object(j, "settings", where), where);
    if (j.contains("vs_baseline"))
        l.vs_baseline = named<BaselineComparison>(j, "vs_baseline", where, comparison_from);
    return l;
}

Json to_json(const LadderResult& r, bool with_samples) {
    Json levels = Json::array();
    for (const LevelResult& l : r.levels) levels.push_back(to_json(l, with_samples));
    Json j{{"model", r.model},
           {"baseline_level", r.baseline_level},
           {"baseline_file", r.baseline_file},
           {"baseline_note", r.baseline_note},
           {"source_weights", r.source_weights},
           {"settings", to_json(r.settings)},
           {"levels", std::move(levels)}};
    if (!r.command.empty()) j["command"] = r.command;
    return j;
}

LadderResult ladder_from_json(const Json& j, const std::string& what) {
    LadderResult r;
    r.model = field<std::string>(j, "model", what);
    r.baseline_level = field<std::string>(j, "baseline_level", what);
    r.baseline_file = field<std::string>(j, "baseline_file", what);
    r.baseline_note = field<std::string>(j, "baseline_note", what);
    r.source_weights = field<std::string>(j, "source_weights", what);
    r.settings = settings_from_json(object(j, "settings", what), what);
    r.command = j.value("command", "");
    if (!j.contains("levels") || !j["levels"].is_array())
        throw Error(what + ": 'levels' is missing or not an array");
    for (const Json& l : j["levels"]) r.levels.push_back(level_from_json(l, what));
    return r;
}

}  // namespace flash::eval
