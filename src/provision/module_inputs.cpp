#include "provision/module_inputs.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <regex>
#include <set>

#include "lifecycle/lifecycle_policy.hpp"
#include "provision/suggestion.hpp"

namespace berth::provision {
namespace {

constexpr std::array<std::string_view, 2> kProviders = {"github", "circleci"};
constexpr const char* kMutability = "image_tag_mutability";
constexpr const char* kExclusionFilters = "image_tag_mutability_exclusion_filters";

// The OCI repository name grammar of berth::is_valid_repository_name, which the registry
// enforces on push; berth_provision does not link berth_registry, so the same grammar is stated
// here as a regular expression.
bool is_valid_repository_name(const std::string& name) {
  static const std::regex kGrammar(R"([a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*)");
  return name.size() <= 255 && std::regex_match(name, kGrammar);
}

// GitHub's repository name characters. Anything else, `*` and `?` above all, would widen the
// trust policy's StringLike patterns to repositories nobody declared.
bool is_valid_github_repository(const std::string& name) {
  static const std::regex kGrammar(R"([A-Za-z0-9._-]{1,100})");
  return name != "." && name != ".." && std::regex_match(name, kGrammar);
}

// A Kubernetes namespace is a DNS-1123 label.
bool is_valid_namespace(const std::string& name) {
  static const std::regex kGrammar(R"([a-z0-9]([-a-z0-9]*[a-z0-9])?)");
  return name.size() <= 63 && std::regex_match(name, kGrammar);
}

std::string upper_case(std::string text) {
  std::ranges::transform(text, text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// GitHub secret and variable names are [A-Za-z0-9_], not starting with a digit or GITHUB_.
bool is_valid_prefix(const std::string& prefix) {
  static const std::regex kGrammar(R"([A-Za-z_][A-Za-z0-9_]*)");
  return std::regex_match(prefix, kGrammar) && !upper_case(prefix).starts_with("GITHUB");
}

std::string kind_of(const hcl::Value& value) {
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  return value.is_string() ? "a string" : value.is_boolean() ? "a bool" : "a number";
}

std::optional<std::string> primitive_text(const hcl::Value& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return std::nullopt;
}

hcl::Position element_position(const ModuleInput& input, std::size_t index) {
  return index < input.element_positions.size() ? input.element_positions[index] : input.position;
}

Result<std::optional<std::string>> text(const ModuleInput& input) {
  if (input.value.is_null()) return std::optional<std::string>();
  auto converted = primitive_text(input.value);
  if (!converted) return hcl::error_at(input.position, input.name + " must be a string, not " + kind_of(input.value));
  return converted;
}

Result<std::vector<std::string>> texts(const ModuleInput& input) {
  std::vector<std::string> result;
  if (input.value.is_null()) return result;
  if (!input.value.is_array()) {
    return hcl::error_at(input.position, input.name + " must be a list of strings, not " + kind_of(input.value));
  }
  for (std::size_t i = 0; i < input.value.size(); ++i) {
    auto element = primitive_text(input.value[i]);
    if (!element || input.value[i].is_null()) {
      return hcl::error_at(element_position(input, i), input.name + " must be a list of strings; element " +
                                                           std::to_string(i) + " is " + kind_of(input.value[i]));
    }
    if (std::ranges::find(result, *element) != result.end()) {
      return hcl::error_at(element_position(input, i), input.name + " lists \"" + *element + "\" twice");
    }
    result.push_back(std::move(*element));
  }
  return result;
}

Result<bool> flag(const ModuleInput& input, bool fallback) {
  if (input.value.is_null()) return fallback;
  if (input.value.is_boolean()) return input.value.get<bool>();
  if (input.value == "true" || input.value == "false") return input.value == "true";
  return hcl::error_at(input.position, input.name + " must be a bool, not " + kind_of(input.value));
}

Result<std::optional<std::string>> canned_policy(const ModuleInput& input) {
  if (input.value.is_null()) return std::optional<std::string>();
  const auto fail = [&](const std::string& message) {
    return hcl::error_at(input.position, input.name + ": " + message);
  };
  if (!input.value.is_object()) return fail("must be an object { type = \"days\" | \"images\", count = N }");
  for (const auto& item : input.value.items()) {
    if (item.key() != "type" && item.key() != "count") return fail("unknown key \"" + item.key() + "\"");
  }
  const hcl::Value type = input.value.value("type", hcl::Value());
  if (type != "days" && type != "images") return fail("type must be \"days\" or \"images\"");
  hcl::Value count = input.value.value("count", hcl::Value());
  if (count.is_string()) count = hcl::Value::parse(count.get<std::string>(), nullptr, false);
  if (!count.is_number_integer() || count.get<std::int64_t>() < 1) return fail("count must be a positive integer");
  return std::optional<std::string>(lifecycle::canned_lifecycle_policy(
      type == "days" ? lifecycle::CannedLifecycle::days : lifecycle::CannedLifecycle::images, count.get<std::int64_t>()));
}

// Reads every input into `module`, remembering where each was written.
class InputReader {
 public:
  explicit InputReader(ModuleInputs& module) : module_(module) {}

  std::map<std::string, const ModuleInput*> seen;
  std::optional<std::string> explicit_policy;
  std::optional<std::string> canned;
  std::optional<std::string> mutability;
  std::vector<std::string> exclusion_filters;

  Status read(const ModuleInput& input) {
    seen[input.name] = &input;
    const std::string& name = input.name;
    if (name == "repo_name") return assign(text(input), module_.repo_name);
    if (name == "team_name") return assign(text(input), module_.team_name);
    if (name == "oidc_providers") return assign(texts(input), module_.oidc_providers);
    if (name == "github_repositories") return assign(texts(input), module_.github_repositories);
    if (name == "github_environments") return assign(texts(input), module_.github_environments);
    if (name == "github_actions_prefix") return assign(text(input), module_.github_actions_prefix);
    if (name == "namespace") return assign(text(input), module_.namespace_name);
    if (name == "lifecycle_policy") return assign(text(input), explicit_policy);
    if (name == "canned_lifecycle_policy") return assign(canned_policy(input), canned);
    if (name == "deletion_protection") return assign(flag(input, true), module_.deletion_protection);
    if (name == kMutability) return assign(text(input), mutability);
    if (name == kExclusionFilters) return assign(texts(input), exclusion_filters);
    if (name == "business_unit") return assign(text(input), module_.business_unit);
    if (name == "application") return assign(text(input), module_.application);
    if (name == "is_production") return assign(text(input), module_.is_production);
    if (name == "environment_name") return assign(text(input), module_.environment_name);
    if (name == "infrastructure_support") return assign(text(input), module_.infrastructure_support);
    if (name == "count" || name == "for_each") {
      return hcl::error_at(input.position, name +
                                               " is not supported on berth's modules: declare one module block "
                                               "per repository");
    }
    return hcl::error_at(input.position, "unknown input \"" + name + "\" for module \"" + module_.label + "\"" +
                                             did_you_mean(name, kInputs));
  }

  static constexpr std::array<std::string_view, 17> kInputs = {
      "repo_name",           "team_name",           "oidc_providers",
      "github_repositories", "github_environments", "github_actions_prefix",
      "namespace",           "lifecycle_policy",    "canned_lifecycle_policy",
      "deletion_protection", kMutability,           kExclusionFilters,
      "business_unit",       "application",         "is_production",
      "environment_name",    "infrastructure_support"};

 private:
  template <typename T, typename Target>
  static Status assign(Result<T> value, Target& target) {
    if (!value) return std::move(value).error();
    if constexpr (std::is_same_v<T, std::optional<std::string>> && std::is_same_v<Target, std::string>) {
      target = value->value_or("");
    } else {
      target = std::move(*value);
    }
    return {};
  }

  ModuleInputs& module_;
};

Status check(const ModuleInputs& module, const std::map<std::string, const ModuleInput*>& seen) {
  const auto where = [&](const char* name) {
    const auto found = seen.find(name);
    return found == seen.end() ? module.position : found->second->position;
  };
  const std::string module_name = "module \"" + module.label + "\"";
  for (const char* required : {"repo_name", "team_name"}) {
    const auto found = seen.find(required);
    if (found == seen.end() || found->second->value.is_null()) {
      return hcl::error_at(module.position,
                           module_name + ": required input \"" + std::string(required) + "\" is missing");
    }
  }
  if (!is_valid_repository_name(module.repository())) {
    return hcl::error_at(where("repo_name"), "invalid repository name \"" + module.repository() +
                                                 "\" (team_name/repo_name): lower-case letters and digits, "
                                                 "separated by '.', '_', '__' or '-', at most 255 characters");
  }
  for (std::size_t i = 0; i < module.oidc_providers.size(); ++i) {
    const std::string& provider = module.oidc_providers[i];
    if (std::ranges::find(kProviders, provider) == kProviders.end()) {
      return hcl::error_at(element_position(*seen.at("oidc_providers"), i), "unknown OIDC provider \"" + provider +
                                                                                "\": use \"github\" or \"circleci\"" +
                                                                                did_you_mean(provider, kProviders));
    }
  }
  if (module.uses("circleci") && !module.namespace_name) {
    return hcl::error_at(where("oidc_providers"), module_name + ": \"circleci\" needs a namespace for its ConfigMap");
  }
  if (!module.oidc_providers.empty() && module.github_repositories.empty()) {
    return hcl::error_at(where("oidc_providers"), module_name +
                                                      ": github_repositories is empty, so no CI job could assume "
                                                      "the roles; list the repositories that push");
  }
  for (std::size_t i = 0; i < module.github_repositories.size(); ++i) {
    const std::string& repository = module.github_repositories[i];
    const hcl::Position position = element_position(*seen.at("github_repositories"), i);
    if (repository.find('/') != std::string::npos) {
      return hcl::error_at(position, "\"" + repository +
                                         "\": the GitHub repository name cannot contain a URL or \"/\"; only "
                                         "provide the repository name (e.g. \"example-repository\")");
    }
    if (!is_valid_github_repository(repository)) {
      return hcl::error_at(position,
                           "\"" + repository + "\" is not a GitHub repository name: letters, digits, '.', '_' and '-'");
    }
  }
  for (std::size_t i = 0; i < module.github_environments.size(); ++i) {
    if (module.github_environments[i].empty()) {
      return hcl::error_at(element_position(*seen.at("github_environments"), i), "a GitHub environment name is empty");
    }
  }
  if (!is_valid_prefix(module.github_actions_prefix) && !module.github_actions_prefix.empty()) {
    return hcl::error_at(where("github_actions_prefix"),
                         "github_actions_prefix \"" + module.github_actions_prefix +
                             "\" cannot start a GitHub variable name: letters, digits and '_', not starting with "
                             "a digit or GITHUB");
  }
  if (module.namespace_name && !is_valid_namespace(*module.namespace_name)) {
    return hcl::error_at(where("namespace"), "namespace \"" + *module.namespace_name +
                                                 "\" is not a Kubernetes namespace name (a DNS-1123 label)");
  }
  if (module.environment_name && module.environment_name->empty()) {
    return hcl::error_at(where("environment_name"), "environment_name cannot be empty");
  }
  return {};
}

// `one of "MUTABLE", "IMMUTABLE", ...` and the closest to `name`. ECR's names are upper case, so the
// hint compares in upper case: "immutable" gets "IMMUTABLE".
std::string valid_mutabilities(const std::string& name) {
  std::array<std::string_view, metadata::kTagMutabilities.size()> names;
  std::ranges::transform(metadata::kTagMutabilities, names.begin(), metadata::tag_mutability_name);
  std::string listed;
  for (const std::string_view valid : names) listed += (listed.empty() ? "\"" : ", \"") + std::string(valid) + "\"";
  return "one of " + listed + did_you_mean(upper_case(name), names);
}

// The declared tag mutability, by the rules the ECR API applies (metadata/tag_mutability_setting.hpp).
Result<metadata::TagMutabilitySetting> tag_mutability(const InputReader& reader) {
  const auto where = [&](const char* name) { return reader.seen.at(name)->position; };
  metadata::TagMutabilitySetting setting;
  if (reader.mutability) {
    const std::optional<metadata::TagMutability> named = metadata::tag_mutability_named(*reader.mutability);
    if (!named) {
      return hcl::error_at(where(kMutability), "unknown image_tag_mutability \"" + *reader.mutability +
                                                   "\": use " + valid_mutabilities(*reader.mutability));
    }
    setting.mutability = *named;
  }
  const std::vector<std::string>& filters = reader.exclusion_filters;
  for (std::size_t i = 0; i < filters.size(); ++i) {
    if (Status checked = metadata::check_exclusion_filter(filters[i]); !checked) {
      return hcl::error_at(element_position(*reader.seen.at(kExclusionFilters), i),
                           "exclusion filter \"" + filters[i] + "\" " + checked.error().message);
    }
  }
  if (Status counted = metadata::check_exclusion_filter_count(setting.mutability, filters.size()); !counted) {
    // No filters: the mode that needs them was declared; else the filters were.
    return hcl::error_at(where(filters.empty() ? kMutability : kExclusionFilters),
                         std::string(kExclusionFilters) + " " + counted.error().message);
  }
  setting.exclusions = filters;
  return setting;
}

std::string skipped_line(const ModuleBlock& module) {
  return hcl::to_string(module.position) + ": module \"" + module.label + "\" (source \"" + module.source.value_or("") +
         "\")";
}

}  // namespace

bool ModuleInputs::uses(std::string_view provider) const {
  return std::ranges::find(oidc_providers, provider) != oidc_providers.end();
}

Result<ModuleInputs> read_module_inputs(const ModuleBlock& block) {
  ModuleInputs module;
  module.label = block.label;
  module.position = block.position;
  InputReader reader(module);
  for (const auto& input : block.inputs) BERTH_TRY(reader.read(input));
  BERTH_TRY(check(module, reader.seen));
  if (reader.explicit_policy) {
    auto policy = lifecycle::normalise_lifecycle_policy(*reader.explicit_policy);
    if (!policy) return hcl::error_at(reader.seen.at("lifecycle_policy")->position, policy.error().message);
    module.lifecycle_policy = std::move(*policy);
  } else {
    module.lifecycle_policy = std::move(reader.canned);
  }
  auto mutability = tag_mutability(reader);
  if (!mutability) return std::move(mutability).error();
  module.tag_mutability = std::move(*mutability);
  return module;
}

Result<ModuleSelection> select_modules(const Declarations& declarations) {
  ModuleSelection selection;
  std::map<std::string, const ModuleInputs*> repositories;
  for (const auto& block : declarations.modules) {
    if (!block.berth) {
      selection.skipped.push_back(skipped_line(block));
      continue;
    }
    auto module = read_module_inputs(block);
    if (!module) return std::move(module).error();
    selection.modules.push_back(std::move(*module));
  }
  for (const auto& module : selection.modules) {
    const auto [first, added] = repositories.emplace(module.repository(), &module);
    if (!added) {
      return hcl::error_at(module.position, "module \"" + module.label + "\" declares repository \"" +
                                                module.repository() + "\", already declared by module \"" +
                                                first->second->label + "\" at " + to_string(first->second->position));
    }
  }
  return selection;
}

}  // namespace berth::provision
