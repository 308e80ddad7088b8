#include "hcl/scope.hpp"

#include <map>
#include <set>
#include <type_traits>

#include "hcl/evaluator.hpp"

namespace berth::hcl {
namespace {

// Every reference inside `expression`, in source order.
void collect_references(const Expression& expression, std::vector<const Expression*>& out) {
  std::visit(
      [&](const auto& node) {
        using Node = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<Node, Reference>) {
          out.push_back(&expression);
        } else if constexpr (std::is_same_v<Node, Template>) {
          for (const auto& part : node.parts) collect_references(part, out);
        } else if constexpr (std::is_same_v<Node, List>) {
          for (const auto& element : node.elements) collect_references(element, out);
        } else if constexpr (std::is_same_v<Node, Object>) {
          for (const auto& item : node.items) collect_references(item.value, out);
        }
      },
      expression.node);
}

Status add_variable(const Block& block, const Value& values, std::set<std::string>& declared, Scope& scope) {
  if (block.labels.size() != 1)
    return error_at(block.position, "a variable block needs one label: variable \"name\" {}");
  const std::string& name = block.labels.front();
  if (!declared.insert(name).second) return error_at(block.position, "variable \"" + name + "\" is declared twice");
  if (const auto given = values.find(name); given != values.end()) {
    scope.variables[name] = *given;
    return {};
  }
  const Attribute* fallback = block.body.find_attribute("default");
  if (fallback == nullptr) return {};
  std::vector<const Expression*> references;
  collect_references(fallback->expression, references);
  if (!references.empty()) {
    return error_at(references.front()->position, "a variable default must be a constant, without references");
  }
  auto value = evaluate(fallback->expression, Scope{});
  if (!value) return std::move(value).error();
  scope.variables[name] = std::move(*value);
  return {};
}

// Evaluates locals in dependency order, so they may refer to each other in any order.
class LocalsEvaluator {
 public:
  explicit LocalsEvaluator(Scope& scope) : scope_(scope) {}

  Status add(const Attribute& attribute) {
    const auto [entry, added] = pending_.emplace(attribute.name, &attribute);
    if (!added) {
      return error_at(attribute.position, "local value \"" + attribute.name + "\" is already defined at line " +
                                              std::to_string(entry->second->position.line));
    }
    order_.push_back(&attribute);
    return {};
  }

  Status evaluate_all() {
    for (const Attribute* attribute : order_) BERTH_TRY(resolve(*attribute));
    return {};
  }

 private:
  Status resolve(const Attribute& attribute) {
    if (scope_.locals.contains(attribute.name)) return {};
    if (!in_progress_.emplace(attribute.name).second) {
      return error_at(attribute.position, "local value \"" + attribute.name + "\" refers to itself");
    }
    std::vector<const Expression*> references;
    collect_references(attribute.expression, references);
    for (const Expression* reference : references) {
      const auto& node = std::get<Reference>(reference->node);
      const auto dependency = pending_.find(node.name);
      if (node.root == "local" && dependency != pending_.end()) BERTH_TRY(resolve(*dependency->second));
    }
    auto value = evaluate(attribute.expression, scope_);
    if (!value) return std::move(value).error();
    scope_.locals[attribute.name] = std::move(*value);
    return {};
  }

  Scope& scope_;
  std::map<std::string, const Attribute*, std::less<>> pending_;
  std::vector<const Attribute*> order_;
  std::set<std::string> in_progress_;
};

}  // namespace

Result<Scope> build_scope(const Body& body, const Value& values) {
  Scope scope;
  LocalsEvaluator locals(scope);
  std::set<std::string> declared;
  for (const auto& block : body.blocks) {
    if (block.type == "variable") {
      BERTH_TRY(add_variable(block, values, declared, scope));
    } else if (block.type == "locals") {
      if (!block.labels.empty()) return error_at(block.position, "a locals block takes no labels");
      if (!block.body.blocks.empty()) {
        return error_at(block.body.blocks.front().position, "a locals block contains only attributes");
      }
      for (const auto& attribute : block.body.attributes) BERTH_TRY(locals.add(attribute));
    }
  }
  BERTH_TRY(locals.evaluate_all());
  return scope;
}

}  // namespace berth::hcl
