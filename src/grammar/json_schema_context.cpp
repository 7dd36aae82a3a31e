// JSON Schema compilation state: pointers, keyword tables, reporting and $ref resolution.
#include "grammar/json_schema_context.h"

#include <algorithm>
#include <array>

#include "core/error.h"
#include "core/hex.h"

namespace flash::grammar::detail {

namespace {

// Annotations and content-* keywords assert nothing in Draft 2020-12.
constexpr std::array<std::string_view, 13> kAnnotations = {
    "title",           "description",      "$schema",      "$id",      "default",
    "examples",        "$comment",         "deprecated",   "readOnly", "writeOnly",
    "contentEncoding", "contentMediaType", "contentSchema"};

constexpr std::array<std::string_view, 26> kKnown = {"type",
                                                     "enum",
                                                     "const",
                                                     "properties",
                                                     "required",
                                                     "additionalProperties",
                                                     "items",
                                                     "prefixItems",
                                                     "additionalItems",
                                                     "minItems",
                                                     "maxItems",
                                                     "minLength",
                                                     "maxLength",
                                                     "pattern",
                                                     "format",
                                                     "minimum",
                                                     "maximum",
                                                     "exclusiveMinimum",
                                                     "exclusiveMaximum",
                                                     "anyOf",
                                                     "oneOf",
                                                     "allOf",
                                                     "$ref",
                                                     "$defs",
                                                     "definitions",
                                                     "$anchor"};

std::string percent_decode(std::string_view s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
            hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

std::string pointer_child(const std::string& ptr, std::string_view token) {
    std::string out = ptr + "/";
    for (char c : token) {
        if (c == '~') {
            out += "~0";
        } else if (c == '/') {
            out += "~1";
        } else {
            out += c;
        }
    }
    return out;
}

std::string pointer_child(const std::string& ptr, size_t index) {
    return ptr + "/" + std::to_string(index);
}

std::string show_pointer(const std::string& ptr) {
    return ptr.empty() ? "/" : ptr;
}

bool is_annotation(std::string_view keyword) {
    return std::find(kAnnotations.begin(), kAnnotations.end(), keyword) != kAnnotations.end();
}

bool is_known(std::string_view keyword) {
    return std::find(kKnown.begin(), kKnown.end(), keyword) != kKnown.end();
}

SchemaContext::SchemaContext(const Json& root, const JsonSchemaOptions& options)
    : root_(root), options_(options) {}

void SchemaContext::unsupported(std::string_view keyword, const std::string& ptr,
                                const std::string& detail) {
    std::string msg = "json schema: keyword '" + std::string(keyword) + "' at " +
                      show_pointer(ptr) + " is not supported";
    if (!detail.empty()) msg += ": " + detail;
    const auto& lk = options_.lenient_keywords;
    const bool lenient = options_.lenient || std::find(lk.begin(), lk.end(), keyword) != lk.end();
    if (!lenient) throw Error(msg);
    if (warned_.insert(msg).second) warnings_.push_back(msg);
}

void SchemaContext::fail(const std::string& message) const {
    throw Error("json schema: " + message);
}

const Json& SchemaContext::store(Json schema) {
    store_.push_back(std::move(schema));
    return store_.back();
}

void SchemaContext::collect_anchors(const Json& node, const std::string& ptr, int depth) {
    if (depth > 4 * kMaxSchemaDepth) return;
    if (node.is_object()) {
        const auto a = node.find("$anchor");
        if (a != node.end() && a->is_string()) {
            anchors_->emplace(a->get<std::string>(), SchemaRef{&node, ptr});
        }
        for (const auto& [k, v] : node.items())
            collect_anchors(v, pointer_child(ptr, k), depth + 1);
    } else if (node.is_array()) {
        for (size_t i = 0; i < node.size(); ++i) {
            collect_anchors(node[i], pointer_child(ptr, i), depth + 1);
        }
    }
}

std::optional<SchemaRef> SchemaContext::resolve(const std::string& ref, const std::string& ptr) {
    const size_t hash = ref.find('#');
    const std::string base = ref.substr(0, hash);
    const std::string fragment = hash == std::string::npos ? "" : ref.substr(hash + 1);
    if (!base.empty()) {
        // Only a reference back into this document (by the root's $id) stays local.
        std::string id;
        if (root_.is_object() && root_.contains("$id") && root_["$id"].is_string()) {
            id = root_["$id"].get<std::string>();
            if (!id.empty() && id.back() == '#') id.pop_back();
        }
        if (id.empty() || base != id) {
            unsupported("$ref", ptr, "remote reference '" + ref + "'");
            return std::nullopt;
        }
    }
    const std::string frag = percent_decode(fragment);
    if (frag.empty()) return SchemaRef{&root_, ""};
    if (frag[0] != '/') {
        if (!anchors_) {
            anchors_.emplace();
            collect_anchors(root_, "", 0);
        }
        const auto it = anchors_->find(frag);
        if (it == anchors_->end()) {
            fail("$ref '" + ref + "' at " + show_pointer(ptr) + " names no $anchor");
        }
        return it->second;
    }
    const Json* node = &root_;
    std::string at;
    size_t pos = 1;
    for (;;) {
        const size_t slash = frag.find('/', pos);
        std::string token =
            frag.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
        std::string unescaped;
        for (size_t i = 0; i < token.size(); ++i) {
            if (token[i] == '~' && i + 1 < token.size() &&
                (token[i + 1] == '0' || token[i + 1] == '1')) {
                unescaped += token[i + 1] == '0' ? '~' : '/';
                ++i;
            } else {
                unescaped += token[i];
            }
        }
        const Json* next = nullptr;
        if (node->is_object()) {
            const auto it = node->find(unescaped);
            if (it != node->end()) next = &*it;
        } else if (node->is_array() && !unescaped.empty() &&
                   std::all_of(unescaped.begin(), unescaped.end(),
                               [](char c) { return c >= '0' && c <= '9'; }) &&
                   unescaped.size() < 10) {
            const size_t index = std::stoul(unescaped);
            if (index < node->size()) next = &(*node)[index];
        }
        if (next == nullptr) {
            fail("$ref '" + ref + "' at " + show_pointer(ptr) + " does not resolve");
        }
        node = next;
        at = pointer_child(at, unescaped);
        if (slash == std::string::npos) break;
        pos = slash + 1;
    }
    return SchemaRef{node, at};
}

}  // namespace flash::grammar::detail
