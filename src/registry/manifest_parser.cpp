#include "registry/manifest_parser.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <set>

namespace berth::registry {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

enum class Kind { image, index };

Error invalid(std::string message) { return make_error(ErrorCode::manifest_invalid, std::move(message)); }

std::optional<Kind> kind_of(std::string_view media_type) {
  if (media_type == kOciManifestType || media_type == kDockerManifestType) return Kind::image;
  if (media_type == kOciIndexType || media_type == kDockerManifestListType) return Kind::index;
  return std::nullopt;
}

std::string_view strip_parameters(std::string_view content_type) {
  content_type = content_type.substr(0, content_type.find(';'));
  auto first = content_type.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  auto last = content_type.find_last_not_of(" \t");
  return content_type.substr(first, last - first + 1);
}

// Content types that say nothing about the manifest kind (clients that omit the header, curl).
bool is_generic(std::string_view media_type) {
  return media_type.empty() || media_type == "application/json" || media_type == "application/octet-stream";
}

bool is_schema1(std::string_view media_type) {
  return media_type.starts_with("application/vnd.docker.distribution.manifest.v1");
}

// Duplicate keys would let two readers of the same bytes see different manifests (the registry
// checks one `layers`, a client pulls the other), so they are refused outright.
Status check_unique_keys(object fields, std::string_view where) {
  std::vector<std::string_view> keys;
  for (auto field : fields) keys.push_back(field.key);
  std::sort(keys.begin(), keys.end());
  auto duplicate = std::adjacent_find(keys.begin(), keys.end());
  if (duplicate != keys.end()) {
    return invalid(std::string(where) + " has duplicate key \"" + std::string(*duplicate) + "\"");
  }
  return {};
}

std::optional<element> find_field(object fields, std::string_view key) {
  element value;
  if (fields[key].get(value) != simdjson::SUCCESS) return std::nullopt;
  return value;
}

// nullopt when absent; manifest_invalid when present but not a string.
Result<std::optional<std::string_view>> optional_string(object fields, std::string_view key, std::string_view where) {
  auto value = find_field(fields, key);
  if (!value) return std::optional<std::string_view>{};
  std::string_view text;
  if (value->get_string().get(text) != simdjson::SUCCESS) {
    return invalid(std::string(where) + "." + std::string(key) + " must be a string");
  }
  return std::optional<std::string_view>{text};
}

Result<object> required_object(std::optional<element> value, std::string_view where) {
  object fields;
  if (!value) return invalid(std::string(where) + " is required");
  if (value->get_object().get(fields) != simdjson::SUCCESS) return invalid(std::string(where) + " must be an object");
  BERTH_TRY(check_unique_keys(fields, where));
  return fields;
}

Result<array> required_array(std::optional<element> value, std::string_view where) {
  array items;
  if (!value) return invalid(std::string(where) + " is required");
  if (value->get_array().get(items) != simdjson::SUCCESS) return invalid(std::string(where) + " must be an array");
  return items;
}

// OCI annotations are a string-to-string map.
Result<std::optional<object>> optional_annotations(object fields, std::string_view where) {
  auto value = find_field(fields, "annotations");
  if (!value) return std::optional<object>{};
  auto annotations = required_object(value, std::string(where) + ".annotations");
  if (!annotations.ok()) return std::move(annotations).error();
  for (auto field : *annotations) {
    if (!field.value.is_string()) {
      return invalid(std::string(where) + ".annotations." + std::string(field.key) + " must be a string");
    }
  }
  return std::optional<object>{*annotations};
}

struct Descriptor {
  std::string_view media_type;
  Digest digest;
  std::uint64_t size = 0;
  // Carries `urls`: content the registry does not hold (Docker foreign layers).
  bool external = false;
};

Result<Descriptor> parse_descriptor(std::optional<element> value, const std::string& where) {
  auto fields = required_object(value, where);
  if (!fields.ok()) return std::move(fields).error();

  auto media_type = optional_string(*fields, "mediaType", where);
  if (!media_type.ok()) return std::move(media_type).error();
  if (!*media_type) return invalid(where + ".mediaType is required");

  auto digest_text = optional_string(*fields, "digest", where);
  if (!digest_text.ok()) return std::move(digest_text).error();
  if (!*digest_text) return invalid(where + ".digest is required");
  auto digest = Digest::parse(**digest_text);
  if (!digest.ok()) return invalid(where + ".digest: " + digest.error().message);

  auto size = find_field(*fields, "size");
  if (!size) return invalid(where + ".size is required");
  // OCI sizes are int64: fractions, exponents and values above INT64_MAX are refused.
  std::int64_t size_value = 0;
  if (size->get_int64().get(size_value) != simdjson::SUCCESS || size_value < 0) {
    return invalid(where + ".size must be a non-negative 64-bit integer");
  }

  BERTH_TRY(optional_string(*fields, "artifactType", where));
  BERTH_TRY(optional_annotations(*fields, where));

  bool external = false;
  if (auto urls = find_field(*fields, "urls")) {
    auto items = required_array(urls, where + ".urls");
    if (!items.ok()) return std::move(items).error();
    for (auto url : *items) {
      if (!url.is_string()) return invalid(where + ".urls must hold strings");
      external = true;
    }
  }
  return Descriptor{**media_type, std::move(*digest), static_cast<std::uint64_t>(size_value), external};
}

// Picks the manifest's media type from the request header and the body (see the header comment).
Result<std::string_view> resolve_media_type(std::string_view content_type, std::optional<std::string_view> body_type,
                                            object fields) {
  const std::string_view header = strip_parameters(content_type);
  if (is_schema1(header) || (body_type && is_schema1(*body_type))) {
    return invalid("Docker schema 1 manifests are not supported");
  }
  if (!is_generic(header)) {
    if (!kind_of(header)) return invalid("unsupported manifest media type " + std::string(header));
    if (body_type && *body_type != header) {
      return invalid("manifest mediaType " + std::string(*body_type) + " does not match Content-Type " +
                     std::string(header));
    }
    return header;
  }
  if (body_type) {
    if (!kind_of(*body_type)) return invalid("unsupported manifest media type " + std::string(*body_type));
    return *body_type;
  }
  if (find_field(fields, "manifests")) return kOciIndexType;
  if (find_field(fields, "config")) return kOciManifestType;
  return invalid("cannot tell the manifest type: no Content-Type, mediaType, config or manifests");
}

class ReferenceList {
 public:
  explicit ReferenceList(ParsedManifest& parsed) : parsed_(parsed) {}

  // A digest listed twice (the same layer reused) is one reference but two descriptors to check.
  void add(const Descriptor& descriptor, metadata::ReferenceKind kind, std::string where) {
    if (seen_.insert(descriptor.digest).second) parsed_.references.push_back({descriptor.digest, kind});
    parsed_.described.push_back({descriptor.digest, kind, descriptor.size, std::move(where)});
  }

 private:
  ParsedManifest& parsed_;
  std::set<Digest> seen_;
};

}  // namespace

Result<ParsedManifest> parse_manifest(std::string_view bytes, std::string_view content_type) {
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(bytes.data(), bytes.size()).get(root); error != simdjson::SUCCESS) {
    return invalid(std::string("manifest is not valid JSON: ") + simdjson::error_message(error));
  }
  auto fields = required_object(root, "manifest");
  if (!fields.ok()) return std::move(fields).error();

  auto schema_version_field = find_field(*fields, "schemaVersion");
  std::int64_t schema_version = 0;
  if (!schema_version_field || schema_version_field->get_int64().get(schema_version) != simdjson::SUCCESS) {
    return invalid("schemaVersion must be the integer 2");
  }
  if (schema_version == 1) return invalid("Docker schema 1 manifests are not supported");
  if (schema_version != 2) return invalid("schemaVersion must be the integer 2");

  auto body_type = optional_string(*fields, "mediaType", "manifest");
  if (!body_type.ok()) return std::move(body_type).error();
  auto media_type = resolve_media_type(content_type, *body_type, *fields);
  if (!media_type.ok()) return std::move(media_type).error();

  auto artifact_type = optional_string(*fields, "artifactType", "manifest");
  if (!artifact_type.ok()) return std::move(artifact_type).error();

  ParsedManifest parsed;
  parsed.media_type = std::string(*media_type);
  ReferenceList references(parsed);
  if (kind_of(*media_type) == Kind::image) {
    auto config = parse_descriptor(find_field(*fields, "config"), "config");
    if (!config.ok()) return std::move(config).error();
    references.add(*config, metadata::ReferenceKind::blob, "config");
    auto layers = required_array(find_field(*fields, "layers"), "layers");
    if (!layers.ok()) return std::move(layers).error();
    std::size_t index = 0;
    for (auto item : *layers) {
      std::string where = "layers[" + std::to_string(index++) + "]";
      auto layer = parse_descriptor(item, where);
      if (!layer.ok()) return std::move(layer).error();
      if (!layer->external) references.add(*layer, metadata::ReferenceKind::blob, std::move(where));
    }
    parsed.artifact_type = std::string(artifact_type->value_or(config->media_type));
  } else {
    auto manifests = required_array(find_field(*fields, "manifests"), "manifests");
    if (!manifests.ok()) return std::move(manifests).error();
    std::size_t index = 0;
    for (auto item : *manifests) {
      std::string where = "manifests[" + std::to_string(index++) + "]";
      auto entry = parse_descriptor(item, where);
      if (!entry.ok()) return std::move(entry).error();
      references.add(*entry, metadata::ReferenceKind::manifest, std::move(where));
    }
    parsed.artifact_type = std::string(artifact_type->value_or(""));
  }

  if (auto subject = find_field(*fields, "subject")) {
    auto descriptor = parse_descriptor(subject, "subject");
    if (!descriptor.ok()) return std::move(descriptor).error();
    parsed.subject = std::move(descriptor->digest);
  }

  auto annotations = optional_annotations(*fields, "manifest");
  if (!annotations.ok()) return std::move(annotations).error();
  if (*annotations && (*annotations)->size() > 0) parsed.annotations_json = simdjson::minify(**annotations);
  return parsed;
}

}  // namespace berth::registry
