// A model's hyperparameters both ways: GGUF metadata (llama.cpp's keys) -> a transformers
// config.json, and a config.json -> the GGUF keys, for the architectures in hf_names.h.
// Depends on core/ and model/ (the GGUF side is read through ModelConfig, so a file flash
// would refuse to run is refused here too).
#pragma once

#include <nlohmann/json.hpp>

#include "convert/hf_names.h"
#include "core/gguf.h"
#include "core/gguf_writer.h"

namespace flash::convert {

using Json = nlohmann::ordered_json;

// config.json for the model in `g`; `dtype` is what the weights are stored as ("float32", ...).
Json hf_config(const GgufFile& g, const HfArchitecture& arch, const std::string& dtype);

// Writes general.architecture and the architecture's keys from config.json into `out`.
// Throws flash::Error naming a missing or mistyped config field.
void gguf_metadata(const Json& config, const HfArchitecture& arch, const std::string& name,
                   GgufWriter& out);

// The head counts the tensor layouts depend on, from config.json (transformers' defaults for
// fields left out, as gguf_metadata writes them).
HeadCounts head_counts(const Json& config, const HfArchitecture& arch);

// The shortest decimal that reads back as the same float32 (1e-05, not 9.99999975e-06).
double shortest_float(float value);

}  // namespace flash::convert
