#include "app/settings.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <utility>
#include <vector>

#include "app/listen_address.hpp"
#include "hcl/evaluator.hpp"
#include "hcl/parser.hpp"
#include "hcl/scope.hpp"

namespace berth::app {
namespace {

using hcl::Value;

// One evaluated attribute, with what error messages need to point at it.
struct Field {
  const std::string& name;
  const Value& value;
  const hcl::Position& position;

  Error error(std::string_view problem) const { return hcl::error_at(position, name + " " + std::string(problem)); }
};

using FieldReader = std::function<Status(const Field&)>;
using Fields = std::vector<std::pair<std::string_view, FieldReader>>;

Result<std::string> non_empty_string(const Field& field) {
  if (!field.value.is_string() || field.value.get_ref<const std::string&>().empty()) {
    return field.error("must be a non-empty string");
  }
  return field.value.get<std::string>();
}

Result<std::int64_t> positive_number(const Field& field) {
  if (!field.value.is_number_integer()) return field.error("must be a whole number");
  const auto number = field.value.get<std::int64_t>();
  if (number <= 0) return field.error("must be greater than zero");
  return number;
}

FieldReader text_into(std::string& out) {
  return [&out](const Field& field) -> Status {
    auto text = non_empty_string(field);
    if (!text) return std::move(text).error();
    out = std::move(*text);
    return {};
  };
}

FieldReader flag_into(bool& out) {
  return [&out](const Field& field) -> Status {
    if (!field.value.is_boolean()) return field.error("must be true or false");
    out = field.value.get<bool>();
    return {};
  };
}

FieldReader size_into(std::size_t& out) {
  return [&out](const Field& field) -> Status {
    auto number = positive_number(field);
    if (!number) return std::move(number).error();
    out = static_cast<std::size_t>(*number);
    return {};
  };
}

FieldReader seconds_into(std::chrono::seconds& out) {
  return [&out](const Field& field) -> Status {
    auto number = positive_number(field);
    if (!number) return std::move(number).error();
    out = std::chrono::seconds(*number);
    return {};
  };
}

FieldReader threads_into(unsigned& out) {
  return [&out](const Field& field) -> Status {
    constexpr std::int64_t kMaxThreads = 1024;
    if (!field.value.is_number_integer()) return field.error("must be a whole number");
    const auto threads = field.value.get<std::int64_t>();
    if (threads < 0 || threads > kMaxThreads) return field.error("must be between 0 (one per core) and 1024");
    out = static_cast<unsigned>(threads);
    return {};
  };
}

FieldReader listen_into(std::string& out) {
  return [&out](const Field& field) -> Status {
    auto text = non_empty_string(field);
    if (!text) return std::move(text).error();
    auto address = parse_listen_address(*text);
    if (!address) return hcl::error_at(field.position, address.error().message);
    out = std::move(*text);
    return {};
  };
}

FieldReader url_into(std::string& out) {
  return [&out](const Field& field) -> Status {
    auto url = non_empty_string(field);
    if (!url) return std::move(url).error();
    if (!url->starts_with("https://") && !url->starts_with("http://")) {
      return field.error("must start with https:// or http://");
    }
    // Callers append paths ("/v2/..."), so a trailing slash would double up.
    while (url->ends_with('/')) url->pop_back();
    out = std::move(*url);
    return {};
  };
}

template <typename Enum>
FieldReader choice_into(Enum& out, bool (*parse)(std::string_view, Enum&), std::string_view choices) {
  return [&out, parse, choices](const Field& field) -> Status {
    if (!field.value.is_string() || !parse(field.value.get_ref<const std::string&>(), out)) {
      return field.error("must be one of " + std::string(choices));
    }
    return {};
  };
}

std::string names_of(const Fields& fields) {
  std::string names;
  for (const auto& [name, reader] : fields) names += (names.empty() ? "" : ", ") + std::string(name);
  return names;
}

// Evaluates every attribute of `body` through the reader of its name; other names are errors.
Status read_fields(const hcl::Body& body, const hcl::Scope& scope, const Fields& fields, std::string_view where) {
  for (const auto& attribute : body.attributes) {
    const auto reader =
        std::find_if(fields.begin(), fields.end(), [&](const auto& field) { return field.first == attribute.name; });
    if (reader == fields.end()) {
      return hcl::error_at(attribute.position, "unknown attribute \"" + attribute.name + "\" in " + std::string(where) +
                                                   " (expected one of: " + names_of(fields) + ")");
    }
    auto value = hcl::evaluate(attribute.expression, scope);
    if (!value) return std::move(value).error();
    BERTH_TRY(reader->second(Field{attribute.name, *value, attribute.position}));
  }
  return {};
}

// Settings blocks are plain: no labels, no nested blocks.
Status read_block_fields(const hcl::Block& block, const hcl::Scope& scope, const Fields& fields) {
  const std::string where = "block \"" + block.type + "\"";
  if (!block.labels.empty()) return hcl::error_at(block.position, where + " takes no labels");
  if (!block.body.blocks.empty()) {
    const auto& nested = block.body.blocks.front();
    return hcl::error_at(nested.position, "unknown block \"" + nested.type + "\" in " + where);
  }
  return read_fields(block.body, scope, fields, where);
}

Status read_log(const hcl::Block& block, const hcl::Scope& scope, Settings& settings) {
  return read_block_fields(
      block, scope,
      {{"format", choice_into(settings.log_format, log::parse_format, "\"text\", \"json\"")},
       {"level", choice_into(settings.log_level, log::parse_level, "\"debug\", \"info\", \"warn\", \"error\"")}});
}

Status read_tls(const hcl::Block& block, const hcl::Scope& scope, Settings& settings) {
  TlsSettings tls;
  BERTH_TRY(read_block_fields(block, scope,
                              {{"certificate", text_into(tls.certificate_file)}, {"key", text_into(tls.key_file)}}));
  if (tls.certificate_file.empty() || tls.key_file.empty()) {
    return hcl::error_at(block.position, "tls needs both certificate and key");
  }
  settings.tls = std::move(tls);
  return {};
}

Status read_limits(const hcl::Block& block, const hcl::Scope& scope, Settings& settings) {
  return read_block_fields(block, scope,
                           {{"max_header_bytes", size_into(settings.max_header_bytes)},
                            {"max_manifest_bytes", size_into(settings.max_manifest_bytes)},
                            {"header_timeout_seconds", seconds_into(settings.header_timeout)},
                            {"idle_timeout_seconds", seconds_into(settings.idle_timeout)},
                            {"shutdown_grace_seconds", seconds_into(settings.shutdown_grace)}});
}

using BlockReader = Status (*)(const hcl::Block&, const hcl::Scope&, Settings&);

// The settings blocks; adding one is a reader above and a line here.
constexpr std::array<std::pair<std::string_view, BlockReader>, 3> kBlocks{{
    {"log", read_log},
    {"tls", read_tls},
    {"limits", read_limits},
}};

Status read_blocks(const hcl::Body& body, const hcl::Scope& scope, Settings& settings) {
  std::map<std::string_view, const hcl::Block*> seen;
  for (const auto& block : body.blocks) {
    if (block.type == "variable" || block.type == "locals") continue;  // read by hcl::build_scope
    const auto reader =
        std::find_if(kBlocks.begin(), kBlocks.end(), [&](const auto& entry) { return entry.first == block.type; });
    if (reader == kBlocks.end()) {
      std::string names;
      for (const auto& [name, read] : kBlocks) names += std::string(name) + ", ";
      return hcl::error_at(block.position,
                           "unknown block \"" + block.type + "\" (expected one of: " + names + "variable, locals)");
    }
    if (const auto [previous, added] = seen.emplace(reader->first, &block); !added) {
      return hcl::error_at(block.position, "block \"" + block.type + "\" is already defined at line " +
                                               std::to_string(previous->second->position.line));
    }
    BERTH_TRY(reader->second(block, scope, settings));
  }
  return {};
}

}  // namespace

Result<Settings> load_settings(const std::string& path, Settings base) {
  auto body = hcl::parse_file(path);
  if (!body) return std::move(body).error();
  auto scope = hcl::build_scope(*body);
  if (!scope) return std::move(scope).error();
  BERTH_TRY(read_fields(*body, *scope,
                        {{"listen", listen_into(base.listen)},
                         {"data_dir", text_into(base.data_dir)},
                         {"anonymous", flag_into(base.anonymous)},
                         {"public_url", url_into(base.public_url)},
                         {"threads", threads_into(base.threads)}},
                        "the config file"));
  BERTH_TRY(read_blocks(*body, *scope, base));
  return base;
}

}  // namespace berth::app
