#include "aws/ecr_json_input.hpp"

#include <algorithm>

#include "oidc/strict_json.hpp"

namespace berth::aws {
namespace {

Error invalid_at(std::string_view path, std::string_view constraint) {
  return make_error(ErrorCode::aws_validation_error, "Invalid parameter at '" + std::string(path) +
                                                         "' failed to satisfy constraint: '" + std::string(constraint) +
                                                         "'");
}

}  // namespace

Result<EcrJsonInput> EcrJsonInput::parse(std::string_view body, Members members) {
  if (body.empty()) body = "{}";
  Result<nlohmann::json> value = oidc::parse_json_object(body);
  if (!value) {
    return make_error(ErrorCode::aws_validation_error,
                      "The request body is not a valid JSON object: " + value.error().message);
  }
  return checked(std::move(*value), {}, members);
}

Result<EcrJsonInput> EcrJsonInput::checked(nlohmann::json value, std::string path, Members members) {
  EcrJsonInput input(std::move(value), std::move(path));
  for (const auto& [name, unused] : input.value_.items()) {
    if (std::find(members.begin(), members.end(), name) == members.end()) {
      return input.invalid(name, "Member is not supported by this operation");
    }
  }
  return input;
}

Error EcrJsonInput::invalid(std::string_view member, std::string_view constraint) const {
  return invalid_at(path_of(member), constraint);
}

const nlohmann::json* EcrJsonInput::find(std::string_view member) const {
  auto found = value_.find(member);
  if (found == value_.end() || found->is_null()) return nullptr;
  return &*found;
}

std::string EcrJsonInput::path_of(std::string_view member) const {
  return path_.empty() ? std::string(member) : path_ + "." + std::string(member);
}

Result<std::optional<std::string>> EcrJsonInput::string(std::string_view member) const {
  const nlohmann::json* value = find(member);
  if (value == nullptr) return std::optional<std::string>();
  if (!value->is_string()) return invalid(member, "Member must be a string");
  return std::optional<std::string>(value->get<std::string>());
}

Result<std::string> EcrJsonInput::required_string(std::string_view member) const {
  Result<std::optional<std::string>> value = string(member);
  if (!value) return std::move(value).error();
  if (!value->has_value()) return invalid(member, "Member must not be null");
  return std::move(**value);
}

Result<std::optional<bool>> EcrJsonInput::boolean(std::string_view member) const {
  const nlohmann::json* value = find(member);
  if (value == nullptr) return std::optional<bool>();
  if (!value->is_boolean()) return invalid(member, "Member must be a boolean");
  return std::optional<bool>(value->get<bool>());
}

Result<std::optional<std::int64_t>> EcrJsonInput::integer(std::string_view member, std::int64_t min,
                                                          std::int64_t max) const {
  const nlohmann::json* value = find(member);
  if (value == nullptr) return std::optional<std::int64_t>();
  if (!value->is_number_integer()) return invalid(member, "Member must be an integer");
  // Unsigned JSON numbers above INT64_MAX are out of range whatever `max` is.
  if (value->is_number_unsigned() && value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    return invalid(member, "Member must have value less than or equal to " + std::to_string(max));
  }
  const auto number = value->get<std::int64_t>();
  if (number < min) return invalid(member, "Member must have value greater than or equal to " + std::to_string(min));
  if (number > max) return invalid(member, "Member must have value less than or equal to " + std::to_string(max));
  return std::optional<std::int64_t>(number);
}

Result<const nlohmann::json*> EcrJsonInput::list(std::string_view member, std::size_t min_items,
                                                 std::size_t max_items) const {
  const nlohmann::json* value = find(member);
  if (value == nullptr) return value;
  if (!value->is_array()) return invalid(member, "Member must be a list");
  if (value->size() < min_items) {
    return invalid(member, "Member must have length greater than or equal to " + std::to_string(min_items));
  }
  if (value->size() > max_items) {
    return invalid(member, "Member must have length less than or equal to " + std::to_string(max_items));
  }
  return value;
}

Result<std::optional<std::vector<std::string>>> EcrJsonInput::strings(std::string_view member, std::size_t min_items,
                                                                      std::size_t max_items) const {
  Result<const nlohmann::json*> items = list(member, min_items, max_items);
  if (!items) return std::move(items).error();
  if (*items == nullptr) return std::optional<std::vector<std::string>>();
  std::vector<std::string> values;
  for (const nlohmann::json& item : **items) {
    if (!item.is_string()) return invalid(member, "Member must be a list of strings");
    values.push_back(item.get<std::string>());
  }
  return std::optional<std::vector<std::string>>(std::move(values));
}

Result<std::optional<EcrJsonInput>> EcrJsonInput::object(std::string_view member, Members members) const {
  const nlohmann::json* value = find(member);
  if (value == nullptr) return std::optional<EcrJsonInput>();
  if (!value->is_object()) return invalid(member, "Member must be an object");
  Result<EcrJsonInput> input = checked(*value, path_of(member), members);
  if (!input) return std::move(input).error();
  return std::optional<EcrJsonInput>(std::move(*input));
}

Result<std::optional<std::vector<EcrJsonInput>>> EcrJsonInput::objects(std::string_view member, Members members,
                                                                       std::size_t min_items,
                                                                       std::size_t max_items) const {
  Result<const nlohmann::json*> items = list(member, min_items, max_items);
  if (!items) return std::move(items).error();
  if (*items == nullptr) return std::optional<std::vector<EcrJsonInput>>();
  std::vector<EcrJsonInput> inputs;
  for (std::size_t i = 0; i < (*items)->size(); ++i) {
    const nlohmann::json& item = (**items)[i];
    std::string path = path_of(member) + "[" + std::to_string(i) + "]";
    if (!item.is_object()) return invalid_at(path, "Member must be an object");
    Result<EcrJsonInput> input = checked(item, std::move(path), members);
    if (!input) return std::move(input).error();
    inputs.push_back(std::move(*input));
  }
  return std::optional<std::vector<EcrJsonInput>>(std::move(inputs));
}

}  // namespace berth::aws
