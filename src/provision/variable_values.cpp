#include "provision/variable_values.hpp"

#include <algorithm>

#include "hcl/evaluator.hpp"
#include "hcl/parser.hpp"
#include "provision/suggestion.hpp"

namespace berth::provision {
namespace {

namespace fs = std::filesystem;

std::string undeclared(const std::string& name, const DeclaredVariables& declared) {
  std::vector<std::string_view> names;
  for (const auto& entry : declared) names.push_back(entry.first);
  return "variable \"" + name + "\" is not declared" + did_you_mean(name, names);
}

Status read_tfvars(const fs::path& file, const DeclaredVariables& declared, hcl::Value& values) {
  auto body = hcl::parse_file(file);
  if (!body) return std::move(body).error();
  if (!body->blocks.empty()) {
    return hcl::error_at(body->blocks.front().position, "a .tfvars file holds only `name = value` assignments");
  }
  for (const auto& attribute : body->attributes) {
    if (!declared.contains(attribute.name))
      return hcl::error_at(attribute.position, undeclared(attribute.name, declared));
    auto value = hcl::evaluate(attribute.expression, hcl::Scope{});
    if (!value) return std::move(value).error();
    values[attribute.name] = std::move(*value);
  }
  return {};
}

Result<hcl::Value> command_line_value(const std::string& name, const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos || (text[first] != '[' && text[first] != '{')) return hcl::Value(text);
  auto body = hcl::parse("value = " + text, "-var " + name);
  if (!body) return std::move(body).error();
  if (body->attributes.size() != 1 || !body->blocks.empty()) {
    return make_error(ErrorCode::invalid_argument, "-var " + name + ": expected one list or object value");
  }
  return hcl::evaluate(body->attributes.front().expression, hcl::Scope{});
}

}  // namespace

Result<hcl::Value> read_variable_values(const fs::path& dir, const std::vector<std::string>& var_files,
                                        const std::vector<std::pair<std::string, std::string>>& vars,
                                        const DeclaredVariables& declared) {
  std::vector<fs::path> files;
  if (fs::is_regular_file(dir / "terraform.tfvars")) files.push_back(dir / "terraform.tfvars");
  std::vector<fs::path> automatic;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.is_regular_file() && entry.path().filename().string().ends_with(".auto.tfvars")) {
      automatic.push_back(entry.path());
    }
  }
  if (error) return make_error(ErrorCode::invalid_argument, dir.string() + ": " + error.message());
  std::sort(automatic.begin(), automatic.end());
  files.insert(files.end(), automatic.begin(), automatic.end());
  files.insert(files.end(), var_files.begin(), var_files.end());

  hcl::Value values = hcl::Value::object();
  for (const auto& file : files) BERTH_TRY(read_tfvars(file, declared, values));
  for (const auto& [name, text] : vars) {
    if (!declared.contains(name)) {
      return make_error(ErrorCode::invalid_argument, "-var " + name + ": " + undeclared(name, declared));
    }
    auto value = command_line_value(name, text);
    if (!value) return std::move(value).error();
    values[name] = std::move(*value);
  }
  return values;
}

}  // namespace berth::provision
