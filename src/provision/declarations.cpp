#include "provision/declarations.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "hcl/evaluator.hpp"
#include "hcl/parser.hpp"
#include "hcl/scope.hpp"
#include "provision/tf_json.hpp"
#include "provision/variable_values.hpp"

namespace berth::provision {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kBerthModule = "cloud-platform-terraform-ecr-credentials";
constexpr std::string_view kUnevaluatedMetaArguments[] = {"version", "providers", "depends_on"};

Result<std::vector<fs::path>> declaration_files(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return make_error(ErrorCode::not_found, dir.string() + ": not a directory");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && (name.ends_with(".tf") || name.ends_with(".tf.json"))) files.push_back(entry.path());
  }
  if (error) return make_error(ErrorCode::invalid_argument, dir.string() + ": " + error.message());
  std::sort(files.begin(), files.end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  return files;
}

Result<hcl::Body> parse_declaration_file(const fs::path& file) {
  if (!file.filename().string().ends_with(".tf.json")) return hcl::parse_file(file);
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) return make_error(ErrorCode::internal, file.string() + ": cannot read");
  return parse_tf_json(text.str(), file.string());
}

// All files' blocks in one body, so that one scope resolves variables and locals across files.
Result<hcl::Body> merged_body(const std::vector<fs::path>& files) {
  hcl::Body merged;
  for (const auto& file : files) {
    auto body = parse_declaration_file(file);
    if (!body) return std::move(body).error();
    if (!body->attributes.empty()) {
      const auto& attribute = body->attributes.front();
      return hcl::error_at(attribute.position, "unexpected attribute \"" + attribute.name +
                                                   "\" at top level: declarations hold only blocks");
    }
    std::move(body->blocks.begin(), body->blocks.end(), std::back_inserter(merged.blocks));
  }
  return merged;
}

DeclaredVariables declared_variables(const hcl::Body& body) {
  DeclaredVariables declared;
  for (const auto& block : body.blocks) {
    if (block.type == "variable" && block.labels.size() == 1) declared.emplace(block.labels.front(), block.position);
  }
  return declared;
}

Status require_values(const hcl::Body& body, const hcl::Scope& scope) {
  for (const auto& block : body.blocks) {
    if (block.type != "variable" || scope.variables.contains(block.labels.front())) continue;
    return hcl::error_at(block.position, "variable \"" + block.labels.front() +
                                             "\" has no default and no value: set it in terraform.tfvars, "
                                             "a -var-file or with -var " +
                                             block.labels.front() + "=VALUE");
  }
  return {};
}

std::vector<hcl::Position> element_positions(const hcl::Expression& expression) {
  std::vector<hcl::Position> positions;
  if (const auto* list = std::get_if<hcl::List>(&expression.node)) {
    for (const auto& element : list->elements) positions.push_back(element.position);
  } else if (const auto* object = std::get_if<hcl::Object>(&expression.node)) {
    for (const auto& item : object->items) positions.push_back(item.position);
  }
  return positions;
}

Result<ModuleBlock> read_module(const hcl::Block& block, const hcl::Scope& scope) {
  if (block.labels.size() != 1)
    return hcl::error_at(block.position, "a module block needs one label: module \"name\" {}");
  if (!block.body.blocks.empty()) {
    const auto& nested = block.body.blocks.front();
    return hcl::error_at(nested.position, "unexpected block \"" + nested.type + "\" in module \"" +
                                              block.labels.front() + "\": module inputs are attributes");
  }
  ModuleBlock module{block.labels.front(), block.position, std::nullopt, false, {}};
  if (const hcl::Attribute* source = block.body.find_attribute("source")) {
    auto value = hcl::evaluate(source->expression, scope);
    if (!value) return std::move(value).error();
    if (!value->is_string()) return hcl::error_at(source->expression.position, "source must be a string");
    module.source = value->get<std::string>();
  }
  module.berth = is_berth_source(module.source);
  if (!module.berth) return module;
  for (const auto& attribute : block.body.attributes) {
    if (attribute.name == "source" ||
        std::ranges::find(kUnevaluatedMetaArguments, attribute.name) != std::end(kUnevaluatedMetaArguments)) {
      continue;
    }
    auto value = hcl::evaluate(attribute.expression, scope);
    if (!value) return std::move(value).error();
    module.inputs.push_back(
        ModuleInput{attribute.name, attribute.position, std::move(*value), element_positions(attribute.expression)});
  }
  return module;
}

}  // namespace

bool is_berth_source(const std::optional<std::string>& source) {
  return !source || source->find(kBerthModule) != std::string::npos;
}

Result<Declarations> read_declarations(const fs::path& dir, const ReadOptions& options) {
  auto files = declaration_files(dir);
  if (!files) return std::move(files).error();
  auto body = merged_body(*files);
  if (!body) return std::move(body).error();
  auto values = read_variable_values(dir, options.var_files, options.vars, declared_variables(*body));
  if (!values) return std::move(values).error();
  auto scope = hcl::build_scope(*body, *values);
  if (!scope) return std::move(scope).error();
  BERTH_TRY(require_values(*body, *scope));

  Declarations declarations{std::move(*files), {}};
  std::map<std::string, hcl::Position> labels;
  for (const auto& block : body->blocks) {
    if (block.type != "module") continue;
    auto module = read_module(block, *scope);
    if (!module) return std::move(module).error();
    if (const auto [first, added] = labels.emplace(module->label, module->position); !added) {
      return hcl::error_at(module->position,
                           "module \"" + module->label + "\" is already declared at " + hcl::to_string(first->second));
    }
    declarations.modules.push_back(std::move(*module));
  }
  return declarations;
}

}  // namespace berth::provision
