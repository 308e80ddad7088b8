#include "hcl/evaluator.hpp"

#include <type_traits>

namespace berth::hcl {
namespace {

std::string type_name(const Value& value) {
  if (value.is_array()) return "a list";
  if (value.is_object()) return "an object";
  return value.is_null() ? "null" : value.is_string() ? "a string" : value.is_boolean() ? "a bool" : "a number";
}

std::string key_text(const Value& key) { return key.is_string() ? "\"" + key.get<std::string>() + "\"" : key.dump(); }

Result<Value> evaluate_reference(const Reference& reference, const Position& position, const Scope& scope) {
  const bool variable = reference.root == "var";
  const Value& table = variable ? scope.variables : scope.locals;
  const auto found = table.find(reference.name);
  if (found == table.end()) {
    return error_at(position, variable ? "unknown variable \"" + reference.name + "\" (declare it with variable \"" +
                                             reference.name + "\" { default = ... })"
                                       : "unknown local value \"" + reference.name + "\"");
  }
  const Value* current = &*found;
  std::string path = reference.root + "." + reference.name;
  for (const auto& step : reference.steps) {
    if (step.key.is_string()) {
      if (!current->is_object()) {
        return error_at(step.position, path + " is " + type_name(*current) + ", not an object");
      }
      const auto item = current->find(step.key.get<std::string>());
      if (item == current->end()) return error_at(step.position, path + " has no key " + key_text(step.key));
      current = &*item;
    } else {
      if (!current->is_array()) return error_at(step.position, path + " is " + type_name(*current) + ", not a list");
      const auto index = step.key.get<std::int64_t>();
      if (index < 0 || static_cast<std::size_t>(index) >= current->size()) {
        return error_at(step.position, "index " + std::to_string(index) + " is out of range: " + path + " has " +
                                           std::to_string(current->size()) + " elements");
      }
      current = &(*current)[static_cast<std::size_t>(index)];
    }
    path += "[" + key_text(step.key) + "]";
  }
  return *current;
}

Result<Value> evaluate_template(const Template& text, const Scope& scope) {
  // "${var.x}" alone keeps the value's type, as in HCL.
  if (text.parts.size() == 1) return evaluate(text.parts.front(), scope);
  std::string result;
  for (const auto& part : text.parts) {
    auto value = evaluate(part, scope);
    if (!value) return value;
    if (value->is_string()) {
      result += value->get<std::string>();
    } else if (value->is_number() || value->is_boolean()) {
      result += value->dump();
    } else {
      return error_at(part.position, "cannot interpolate " + type_name(*value) + " into a string");
    }
  }
  return Value(std::move(result));
}

}  // namespace

Result<Value> evaluate(const Expression& expression, const Scope& scope) {
  return std::visit(
      [&](const auto& node) -> Result<Value> {
        using Node = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<Node, Literal>) {
          return node.value;
        } else if constexpr (std::is_same_v<Node, Template>) {
          return evaluate_template(node, scope);
        } else if constexpr (std::is_same_v<Node, Reference>) {
          return evaluate_reference(node, expression.position, scope);
        } else if constexpr (std::is_same_v<Node, List>) {
          Value list = Value::array();
          for (const auto& element : node.elements) {
            auto value = evaluate(element, scope);
            if (!value) return value;
            list.push_back(std::move(*value));
          }
          return list;
        } else if constexpr (std::is_same_v<Node, Object>) {
          Value object = Value::object();
          for (const auto& item : node.items) {
            auto value = evaluate(item.value, scope);
            if (!value) return value;
            object[item.key] = std::move(*value);
          }
          return object;
        } else {
          static_assert(std::is_same_v<Node, Unsupported>);
          return error_at(expression.position, node.message);
        }
      },
      expression.node);
}

}  // namespace berth::hcl
