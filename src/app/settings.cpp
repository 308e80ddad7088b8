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

// An age that may be zero: collect as soon as a reference is lost (tests, tight disks).
FieldReader age_into(std::chrono::seconds& out) {
  return [&out](const Field& field) -> Status {
    if (!field.value.is_number_integer()) return field.error("must be a whole number");
    const auto seconds = field.value.get<std::int64_t>();
    if (seconds < 0) return field.error("must not be negative");
    out = std::chrono::seconds(seconds);
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

// `pattern_ok` decides whether a non-empty string is acceptable; `expected` says what it must look like.
FieldReader checked_text_into(std::string& out, bool (*pattern_ok)(std::string_view), std::string_view expected) {
  return [&out, pattern_ok, expected](const Field& field) -> Status {
    auto text = non_empty_string(field);
    if (!text) return std::move(text).error();
    if (!pattern_ok(*text)) return field.error("must be " + std::string(expected));
    out = std::move(*text);
    return {};
  };
}

FieldReader strings_into(std::vector<std::string>& out) {
  return [&out](const Field& field) -> Status {
    if (!field.value.is_array() || field.value.empty()) return field.error("must be a non-empty list of strings");
    std::vector<std::string> items;
    for (const auto& item : field.value) {
      if (!item.is_string() || item.get_ref<const std::string&>().empty()) {
        return field.error("must be a non-empty list of non-empty strings");
      }
      items.push_back(item.get<std::string>());
    }
    out = std::move(items);
    return {};
  };
}

bool is_account_id(std::string_view text) {
  return text.size() == 12 && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// What AWS clients accept as a region (configure-aws-credentials checks ^[a-z0-9-]+$).
bool is_region(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
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
                            {"max_images_per_repository", size_into(settings.max_images_per_repository)},
                            {"header_timeout_seconds", seconds_into(settings.header_timeout)},
                            {"idle_timeout_seconds", seconds_into(settings.idle_timeout)},
                            {"shutdown_grace_seconds", seconds_into(settings.shutdown_grace)}});
}

Status read_credentials(const hcl::Block& block, const hcl::Scope& scope, Settings& settings) {
  BERTH_TRY(read_block_fields(block, scope,
                              {{"session_duration_seconds", seconds_into(settings.default_session_duration)},
                               {"registry_password_lifetime_seconds", seconds_into(settings.registry_password_lifetime)},
                               {"clock_skew_seconds", seconds_into(settings.clock_skew)},
                               {"keys", strings_into(settings.keys)}}));
  // STS's own bounds on DurationSeconds (interfaces.md §4.2).
  if (settings.default_session_duration < std::chrono::seconds(900) ||
      settings.default_session_duration > std::chrono::seconds(43200)) {
    return hcl::error_at(block.position, "session_duration_seconds must be between 900 and 43200");
  }
  return {};
}

Status read_lifecycle(const hcl::Block& block, const hcl::Scope& scope, Settings& settings) {
  return read_block_fields(block, scope,
                           {{"enabled", flag_into(settings.lifecycle_enabled)},
                            {"interval_seconds", seconds_into(settings.lifecycle_interval)}});
}

Status read_gc(const hcl::Block& block, const hcl::Scope& scope, Settings& settings) {
  return read_block_fields(block, scope,
                           {{"enabled", flag_into(settings.gc_enabled)},
                            {"interval_seconds", seconds_into(settings.gc_interval)},
                            {"grace_period_seconds", age_into(settings.gc_grace_period)},
                            {"upload_grace_seconds", age_into(settings.gc_upload_grace)},
                            {"upload_max_age_seconds", age_into(settings.gc_upload_max_age)}});
}

using BlockReader = Status (*)(const hcl::Block&, const hcl::Scope&, Settings&);

// The settings blocks; adding one is a reader above and a line here.
constexpr std::array<std::pair<std::string_view, BlockReader>, 6> kBlocks{{
    {"log", read_log},
    {"tls", read_tls},
    {"limits", read_limits},
    {"credentials", read_credentials},
    {"lifecycle", read_lifecycle},
    {"gc", read_gc},
}};

// The well-known issuers (interfaces.md §2.2, §3): GitHub's is fixed and its tokens for AWS carry
// `aud` sts.amazonaws.com; CircleCI's is per organisation and `aud` is the organisation id.
Status apply_provider_defaults(const hcl::Block& block, OidcProviderSettings& provider) {
  if (provider.name == "github") {
    if (provider.issuer.empty()) provider.issuer = "https://token.actions.githubusercontent.com";
    if (provider.audiences.empty()) provider.audiences = {"sts.amazonaws.com"};
  } else if (provider.name == "circleci") {
    if (provider.circleci_organization_id.empty()) {
      return hcl::error_at(block.position, "oidc_provider \"circleci\" needs organization_id");
    }
    if (provider.issuer.empty()) provider.issuer = "https://oidc.circleci.com/org/" + provider.circleci_organization_id;
    if (provider.audiences.empty()) provider.audiences = {provider.circleci_organization_id};
  } else if (provider.issuer.empty() || provider.audiences.empty()) {
    return hcl::error_at(block.position, "oidc_provider \"" + provider.name + "\" needs issuer and audiences");
  }
  if (!provider.github_owner.empty() && provider.name != "github") {
    return hcl::error_at(block.position, "owner is a setting of oidc_provider \"github\" only");
  }
  if (!provider.circleci_organization_id.empty() && provider.name != "circleci") {
    return hcl::error_at(block.position, "organization_id is a setting of oidc_provider \"circleci\" only");
  }
  if (!provider.issuer.starts_with("https://") && !(provider.insecure && provider.issuer.starts_with("http://"))) {
    return hcl::error_at(block.position, "issuer of oidc_provider \"" + provider.name +
                                             "\" must start with https:// (http:// needs insecure = true)");
  }
  return {};
}

Status read_oidc_provider(const hcl::Block& block, const hcl::Scope& scope, Settings& settings) {
  if (block.labels.size() != 1 || block.labels.front().empty()) {
    return hcl::error_at(block.position, "block \"oidc_provider\" takes one label: its name (\"github\", \"circleci\", ...)");
  }
  if (!block.body.blocks.empty()) {
    return hcl::error_at(block.body.blocks.front().position, "unknown block in block \"oidc_provider\"");
  }
  OidcProviderSettings provider;
  provider.name = block.labels.front();
  BERTH_TRY(read_fields(block.body, scope,
                        {{"issuer", url_into(provider.issuer)},
                         {"audiences", strings_into(provider.audiences)},
                         {"owner", text_into(provider.github_owner)},
                         {"organization_id", text_into(provider.circleci_organization_id)},
                         {"insecure", flag_into(provider.insecure)}},
                        "block \"oidc_provider\""));
  BERTH_TRY(apply_provider_defaults(block, provider));
  for (const auto& other : settings.oidc_providers) {
    if (other.name == provider.name || other.issuer == provider.issuer) {
      return hcl::error_at(block.position, "oidc_provider \"" + provider.name + "\" repeats the name or issuer of \"" +
                                               other.name + "\"");
    }
  }
  settings.oidc_providers.push_back(std::move(provider));
  return {};
}

Status read_blocks(const hcl::Body& body, const hcl::Scope& scope, Settings& settings) {
  std::map<std::string_view, const hcl::Block*> seen;
  for (const auto& block : body.blocks) {
    if (block.type == "variable" || block.type == "locals") continue;  // read by hcl::build_scope
    if (block.type == "oidc_provider") {
      BERTH_TRY(read_oidc_provider(block, scope, settings));
      continue;
    }
    const auto reader =
        std::find_if(kBlocks.begin(), kBlocks.end(), [&](const auto& entry) { return entry.first == block.type; });
    if (reader == kBlocks.end()) {
      std::string names;
      for (const auto& [name, read] : kBlocks) names += std::string(name) + ", ";
      return hcl::error_at(block.position,
                           "unknown block \"" + block.type + "\" (expected one of: " + names +
                                               "oidc_provider, variable, locals)");
    }
    if (const auto [previous, added] = seen.emplace(reader->first, &block); !added) {
      return hcl::error_at(block.position, "block \"" + block.type + "\" is already defined at line " +
                                               std::to_string(previous->second->position.line));
    }
    BERTH_TRY(reader->second(block, scope, settings));
  }
  return {};
}

Result<Settings> settings_from(Result<hcl::Body> body, Settings base) {
  if (!body) return std::move(body).error();
  auto scope = hcl::build_scope(*body);
  if (!scope) return std::move(scope).error();
  BERTH_TRY(read_fields(*body, *scope,
                        {{"listen", listen_into(base.listen)},
                         {"data_dir", text_into(base.data_dir)},
                         {"anonymous", flag_into(base.anonymous)},
                         {"public_url", url_into(base.public_url)},
                         {"threads", threads_into(base.threads)},
                         {"account_id", checked_text_into(base.account_id, is_account_id, "12 digits")},
                         {"region", checked_text_into(base.region, is_region, "a region name such as \"eu-west-2\"")}},
                        "the config file"));
  BERTH_TRY(read_blocks(*body, *scope, base));
  return base;
}

}  // namespace

Result<Settings> load_settings(const std::string& path, Settings base) {
  return settings_from(hcl::parse_file(path), std::move(base));
}

Result<Settings> parse_settings(std::string_view text, std::string file_name, Settings base) {
  return settings_from(hcl::parse(text, std::move(file_name)), std::move(base));
}

}  // namespace berth::app
