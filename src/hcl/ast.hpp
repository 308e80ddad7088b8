// The syntax tree of an HCL file, as the parser (parser.hpp) builds it and the evaluator
// (evaluator.hpp) reads it.
//
// Expressions berth cannot evaluate (function calls, operators, conditionals, for expressions,
// splats, template directives, references other than var.* and local.*) still parse, as an
// `Unsupported` node that carries its position and explanation. A Terraform file full of
// `type = list(string)` or `providers = { aws = aws.london }` therefore loads, and only
// evaluating such an expression is an error — with file:line:col and a hint.
#pragma once

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "hcl/position.hpp"

namespace berth::hcl {

// An evaluated value: null, bool, number (integer or float), string, list (array) or object.
using Value = nlohmann::ordered_json;

struct Expression;
struct ObjectItem;

struct Literal {
  Value value;
};

// A string with `${...}` interpolations. Parts are literal strings and interpolated expressions,
// in order. A string without interpolation parses as a Literal instead.
struct Template {
  std::vector<Expression> parts;
};

// One step after a reference's name: `.name` and `["name"]` carry a string key, `[0]` (and the
// legacy `.0`) a number.
struct Traversal {
  Value key;
  Position position;
};

// `var.name...` or `local.name...`.
struct Reference {
  std::string root;  // "var" or "local"
  std::string name;
  std::vector<Traversal> steps;
};

struct List {
  std::vector<Expression> elements;
};

struct Object {
  std::vector<ObjectItem> items;  // in source order; keys are unique
};

struct Unsupported {
  std::string message;  // what is not supported, with a hint; the Expression holds where
};

struct Expression {
  Position position;
  std::variant<Literal, Template, Reference, List, Object, Unsupported> node;
};

struct ObjectItem {
  std::string key;
  Position position;
  Expression value;
};

// `name = expression`.
struct Attribute {
  std::string name;
  Expression expression;
  Position position;
};

struct Block;

// Attributes (unique names) and blocks, each in source order.
struct Body {
  std::vector<Attribute> attributes;
  std::vector<Block> blocks;

  const Attribute* find_attribute(std::string_view name) const;
};

// `type "label" label2 { body }`.
struct Block {
  std::string type;
  std::vector<std::string> labels;
  Body body;
  Position position;
};

inline const Attribute* Body::find_attribute(std::string_view name) const {
  for (const auto& attribute : attributes) {
    if (attribute.name == name) return &attribute;
  }
  return nullptr;
}

}  // namespace berth::hcl
