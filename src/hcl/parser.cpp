#include "hcl/parser.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <utility>

#include "hcl/cursor.hpp"
#include "hcl/utf8.hpp"

namespace berth::hcl {
namespace {

constexpr std::string_view kHint = " (berth evaluates only literals, var.* and local.*)";
// Bounds recursion so that hostile input ("[[[[...") cannot exhaust the stack.
constexpr int kMaxDepth = 100;

// Where an unsupported expression that is being skipped ends.
enum class Stop {
  line,     // an attribute or object item: a newline, ',', or a closing bracket at depth 0
  bracket,  // a list element, index or interpolation: ',' or a closing bracket at depth 0
  closing,  // a template directive or for expression: a closing bracket at depth 0
};

// A template's text ends at a closing quote, or for a heredoc at the line holding its marker.
struct TemplateSource {
  bool heredoc = false;
  std::size_t end = 0;     // heredoc: offset of the marker line
  std::size_t indent = 0;  // heredoc `<<-`: leading whitespace removed from each line
};

class DepthGuard {
 public:
  explicit DepthGuard(int& depth) : depth_(depth) { ++depth_; }
  ~DepthGuard() { --depth_; }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;
  bool too_deep() const { return depth_ > kMaxDepth; }

 private:
  int& depth_;
};

bool is_operator(char c, char next) {
  return std::string_view("+-*/%<>&|!").find(c) != std::string_view::npos || (c == '=' && next == '=');
}

bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

Expression literal(Position position, Value value) {
  return Expression{std::move(position), Literal{std::move(value)}};
}

class Parser {
 public:
  Parser(std::string_view text, std::string file) : cursor_(text, std::move(file)) {}

  // Reads items up to the end of input (top level, `open` null) or up to the '}' closing the
  // block opened at `open`.
  Result<Body> parse_body(const Position* open);

 private:
  Status parse_item(Body& body);
  Status parse_attribute(Body& body, std::string name, Position position);
  Status parse_block(Body& body, std::string type, Position position);
  Status expect_item_end();

  Result<Expression> parse_expression(Stop stop);
  Result<Expression> parse_primary(Stop stop);
  Result<Expression> parse_number(Position position, bool negative);
  Result<Expression> parse_list();
  Result<Expression> parse_object();
  Result<std::string> parse_object_key();
  Result<Expression> parse_name(Stop stop);
  Result<Expression> parse_reference(std::string root, Position position, Stop stop);
  Result<std::int64_t> read_index();
  Result<Expression> parse_quoted();
  Result<Expression> parse_heredoc();
  Result<Expression> parse_template(const TemplateSource& source, const Position& start);
  Status parse_escape(std::string& text);
  Result<Expression> parse_interpolation();
  Result<Expression> parse_directive();
  Result<std::string> parse_plain_string(std::string_view what);
  Result<Expression> parse_for_expression(char closer);

  // Records an expression berth cannot evaluate and skips the rest of it.
  Result<Expression> unsupported(Position position, std::string_view what, Stop stop);
  Status skip_expression(Stop stop);
  bool at_for_expression();
  std::string describe_next() const;
  Status skip_space(bool newlines) {
    auto skipped = cursor_.skip_space(newlines);
    if (!skipped) return std::move(skipped).error();
    return {};
  }

  Cursor cursor_;
  int depth_ = 0;
};

std::string Parser::describe_next() const {
  if (cursor_.at_end()) return "end of file";
  const char c = cursor_.peek();
  if (c == '\n') return "a newline";
  if (c >= 0x20 && c < 0x7F) return std::string("'") + c + "'";
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "0x%02X", static_cast<unsigned char>(c));
  return std::string("byte ") + buffer;
}

Result<Body> Parser::parse_body(const Position* open) {
  Body body;
  while (true) {
    BERTH_TRY(skip_space(true));
    if (cursor_.at_end()) {
      if (open == nullptr) return body;
      return error_at(cursor_.position(),
                      "missing '}' to close the block opened at line " + std::to_string(open->line));
    }
    if (cursor_.peek() == '}') {
      if (open == nullptr) return error_at(cursor_.position(), "unexpected '}'");
      cursor_.advance();
      return body;
    }
    BERTH_TRY(parse_item(body));
  }
}

Status Parser::parse_item(Body& body) {
  Position position = cursor_.position();
  std::string name = cursor_.read_identifier();
  if (name.empty()) return error_at(position, "expected an attribute or block name, found " + describe_next());
  BERTH_TRY(skip_space(false));
  const char c = cursor_.peek();
  if (c == '=' && cursor_.peek(1) != '=') {
    BERTH_TRY(parse_attribute(body, std::move(name), std::move(position)));
  } else if (c == '{' || c == '"' || is_identifier_start(c)) {
    BERTH_TRY(parse_block(body, std::move(name), std::move(position)));
  } else {
    return error_at(cursor_.position(), "expected '=' or '{' after \"" + name + "\", found " + describe_next());
  }
  return expect_item_end();
}

Status Parser::parse_attribute(Body& body, std::string name, Position position) {
  if (const Attribute* previous = body.find_attribute(name)) {
    return error_at(position,
                    "attribute \"" + name + "\" is already defined at line " + std::to_string(previous->position.line));
  }
  cursor_.advance();  // '='
  BERTH_TRY(skip_space(false));
  auto expression = parse_expression(Stop::line);
  if (!expression) return std::move(expression).error();
  body.attributes.push_back(Attribute{std::move(name), std::move(*expression), std::move(position)});
  return {};
}

Status Parser::parse_block(Body& body, std::string type, Position position) {
  Block block{std::move(type), {}, {}, std::move(position)};
  while (cursor_.peek() != '{') {
    if (cursor_.peek() == '"') {
      auto label = parse_plain_string("block labels");
      if (!label) return std::move(label).error();
      block.labels.push_back(std::move(*label));
    } else if (is_identifier_start(cursor_.peek())) {
      block.labels.push_back(cursor_.read_identifier());
    } else {
      return error_at(cursor_.position(), "expected a block label or '{', found " + describe_next());
    }
    BERTH_TRY(skip_space(false));
  }
  const Position open = cursor_.position();
  DepthGuard guard(depth_);
  if (guard.too_deep()) return error_at(open, "blocks are nested too deeply");
  cursor_.advance();
  auto inner = parse_body(&open);
  if (!inner) return std::move(inner).error();
  block.body = std::move(*inner);
  body.blocks.push_back(std::move(block));
  return {};
}

// Items end at a newline. Several may share a line (`log { format = "json"  level = "info" }`),
// which HCL itself only allows for a single attribute.
Status Parser::expect_item_end() {
  auto passed_newline = cursor_.skip_space(false);
  if (!passed_newline) return std::move(passed_newline).error();
  const char c = cursor_.peek();
  if (*passed_newline || cursor_.at_end() || c == '\n' || c == '}' || is_identifier_start(c)) return {};
  return error_at(cursor_.position(), "expected a newline, found " + describe_next());
}

Result<Expression> Parser::parse_expression(Stop stop) {
  DepthGuard guard(depth_);
  if (guard.too_deep()) return error_at(cursor_.position(), "expression is nested too deeply");
  auto expression = parse_primary(stop);
  if (!expression || std::holds_alternative<Unsupported>(expression->node)) return expression;
  // Inside brackets HCL ignores newlines, so an operator may follow on the next line.
  const Cursor::Mark after = cursor_.mark();
  BERTH_TRY(skip_space(stop != Stop::line));
  const Position position = cursor_.position();
  const char c = cursor_.peek();
  if (c == '?') return unsupported(position, "conditional expressions (a ? b : c) are not supported", stop);
  if (is_operator(c, cursor_.peek(1))) return unsupported(position, "operators are not supported", stop);
  if (c == '.' || c == '[') {
    return unsupported(position, "only var.* and local.* references can be indexed", stop);
  }
  cursor_.reset(after);
  return expression;
}

Result<Expression> Parser::parse_primary(Stop stop) {
  Position position = cursor_.position();
  const char c = cursor_.peek();
  if (cursor_.at_end()) return error_at(position, "expected an expression, found end of file");
  if (c == '"') return parse_quoted();
  if (cursor_.starts_with("<<")) return parse_heredoc();
  if (is_digit(c)) return parse_number(std::move(position), false);
  if (c == '-' && is_digit(cursor_.peek(1))) {
    cursor_.advance();
    return parse_number(std::move(position), true);
  }
  if (c == '[') return parse_list();
  if (c == '{') return parse_object();
  if (is_identifier_start(c)) return parse_name(stop);
  if (c == '(') return unsupported(std::move(position), "parenthesized expressions are not supported", stop);
  if (c == '!' || c == '-') return unsupported(std::move(position), "operators are not supported", stop);
  return error_at(position, "expected an expression, found " + describe_next());
}

Result<Expression> Parser::parse_number(Position position, bool negative) {
  const std::size_t start = cursor_.offset();
  bool integer = true;
  while (is_digit(cursor_.peek())) cursor_.advance();
  if (cursor_.peek() == '.' && is_digit(cursor_.peek(1))) {
    integer = false;
    cursor_.advance();
    while (is_digit(cursor_.peek())) cursor_.advance();
  }
  const char e = cursor_.peek();
  const char sign = cursor_.peek(1);
  if ((e == 'e' || e == 'E') && (is_digit(sign) || ((sign == '+' || sign == '-') && is_digit(cursor_.peek(2))))) {
    integer = false;
    cursor_.advance(2);
    while (is_digit(cursor_.peek())) cursor_.advance();
  }
  std::string digits = (negative ? "-" : "") + std::string(cursor_.text().substr(start, cursor_.offset() - start));
  const char* first = digits.data();
  const char* last = digits.data() + digits.size();
  if (integer) {
    std::int64_t value = 0;
    if (std::from_chars(first, last, value).ec != std::errc{}) {
      return error_at(position, "integer " + digits + " is out of range");
    }
    return literal(std::move(position), value);
  }
  double value = 0;
  if (std::from_chars(first, last, value).ec != std::errc{}) {
    return error_at(position, "number " + digits + " is out of range");
  }
  return literal(std::move(position), value);
}

// `for` opens a for expression unless it is an object key (`{ for = 1 }`).
bool Parser::at_for_expression() {
  if (!cursor_.starts_with("for") || is_identifier_continue(cursor_.peek(3))) return false;
  const Cursor::Mark start = cursor_.mark();
  cursor_.advance(3);
  const bool skipped = cursor_.skip_space(true).ok();
  const char next = cursor_.peek();
  cursor_.reset(start);
  return skipped && next != '=' && next != ':';
}

Result<Expression> Parser::parse_for_expression(char closer) {
  auto expression = unsupported(cursor_.position(), "for expressions are not supported", Stop::closing);
  if (!expression) return expression;
  if (cursor_.peek() != closer) {
    return error_at(cursor_.position(), std::string("expected '") + closer + "', found " + describe_next());
  }
  cursor_.advance();
  return expression;
}

Result<Expression> Parser::parse_list() {
  Position open = cursor_.position();
  cursor_.advance();
  BERTH_TRY(skip_space(true));
  if (at_for_expression()) return parse_for_expression(']');
  List list;
  while (true) {
    BERTH_TRY(skip_space(true));
    if (cursor_.at_end()) break;
    if (cursor_.peek() == ']') {
      cursor_.advance();
      return Expression{std::move(open), std::move(list)};
    }
    auto element = parse_expression(Stop::bracket);
    if (!element) return std::move(element).error();
    list.elements.push_back(std::move(*element));
    BERTH_TRY(skip_space(true));
    if (cursor_.peek() == ',') {
      cursor_.advance();
    } else if (cursor_.peek() != ']' && !cursor_.at_end()) {
      return error_at(cursor_.position(), "expected ',' or ']' in list, found " + describe_next());
    }
  }
  return error_at(cursor_.position(), "missing ']' to close the list opened at line " + std::to_string(open.line));
}

Result<Expression> Parser::parse_object() {
  Position open = cursor_.position();
  cursor_.advance();
  BERTH_TRY(skip_space(true));
  if (at_for_expression()) return parse_for_expression('}');
  Object object;
  bool separated = true;
  while (true) {
    auto passed_newline = cursor_.skip_space(true);
    if (!passed_newline) return std::move(passed_newline).error();
    separated = separated || *passed_newline;
    if (cursor_.at_end()) break;
    if (cursor_.peek() == '}') {
      cursor_.advance();
      return Expression{std::move(open), std::move(object)};
    }
    if (!separated) return error_at(cursor_.position(), "expected ',' or a newline between object items");
    Position position = cursor_.position();
    auto key = parse_object_key();
    if (!key) return std::move(key).error();
    BERTH_TRY(skip_space(false));
    const char c = cursor_.peek();
    if ((c != '=' && c != ':') || cursor_.starts_with("==")) {
      return error_at(cursor_.position(), "expected '=' or ':' after object key, found " + describe_next());
    }
    cursor_.advance();
    BERTH_TRY(skip_space(false));
    auto value = parse_expression(Stop::line);
    if (!value) return std::move(value).error();
    for (const auto& item : object.items) {
      if (item.key == *key) return error_at(position, "duplicate object key \"" + *key + "\"");
    }
    object.items.push_back(ObjectItem{std::move(*key), std::move(position), std::move(*value)});
    passed_newline = cursor_.skip_space(false);
    if (!passed_newline) return std::move(passed_newline).error();
    separated = *passed_newline;
    if (cursor_.peek() == ',') {
      cursor_.advance();
      separated = true;
    }
  }
  return error_at(cursor_.position(), "missing '}' to close the object opened at line " + std::to_string(open.line));
}

Result<std::string> Parser::parse_object_key() {
  if (cursor_.peek() == '"') return parse_plain_string("object keys");
  std::string name = cursor_.read_identifier();
  if (name.empty()) {
    return error_at(cursor_.position(), "expected an object key (a name or a quoted string), found " + describe_next());
  }
  return name;
}

Result<Expression> Parser::parse_name(Stop stop) {
  Position position = cursor_.position();
  std::string name = cursor_.read_identifier();
  if (name == "true" || name == "false") return literal(std::move(position), name == "true");
  if (name == "null") return literal(std::move(position), nullptr);
  if (name == "var" || name == "local") return parse_reference(std::move(name), std::move(position), stop);
  while (cursor_.peek() == '.' && is_identifier_start(cursor_.peek(1))) {
    cursor_.advance();
    name += "." + cursor_.read_identifier();
  }
  BERTH_TRY(skip_space(false));
  if (cursor_.peek() == '(') return unsupported(std::move(position), "function calls are not supported", stop);
  return unsupported(std::move(position), "references to \"" + name + "\" are not supported", stop);
}

Result<Expression> Parser::parse_reference(std::string root, Position position, Stop stop) {
  if (cursor_.peek() != '.' || !is_identifier_start(cursor_.peek(1))) {
    return error_at(cursor_.position(), "expected a name after \"" + root + ".\"");
  }
  cursor_.advance();
  Reference reference{std::move(root), cursor_.read_identifier(), {}};
  while (true) {
    Position step = cursor_.position();
    const Cursor::Mark start = cursor_.mark();
    if (cursor_.peek() == '.') {
      cursor_.advance();
      if (cursor_.peek() == '*') {
        cursor_.reset(start);
        return unsupported(std::move(step), "splat expressions are not supported", stop);
      }
      if (is_identifier_start(cursor_.peek())) {
        reference.steps.push_back(Traversal{cursor_.read_identifier(), std::move(step)});
      } else if (is_digit(cursor_.peek())) {
        auto index = read_index();
        if (!index) return std::move(index).error();
        reference.steps.push_back(Traversal{*index, std::move(step)});
      } else {
        return error_at(cursor_.position(), "expected a name after '.', found " + describe_next());
      }
      continue;
    }
    if (cursor_.peek() != '[') break;
    cursor_.advance();
    BERTH_TRY(skip_space(true));
    std::optional<Value> key;
    const char c = cursor_.peek();
    if (c == '"') {
      auto quoted = parse_quoted();
      if (!quoted) return std::move(quoted).error();
      if (auto* plain = std::get_if<Literal>(&quoted->node)) key = std::move(plain->value);
    } else if (is_digit(c)) {
      auto index = read_index();
      if (!index) return std::move(index).error();
      key = *index;
    }
    if (!key) {
      cursor_.reset(start);
      return unsupported(
          std::move(step),
          c == '*' ? "splat expressions are not supported" : "indexes must be whole numbers or quoted strings", stop);
    }
    BERTH_TRY(skip_space(true));
    if (cursor_.peek() != ']') return error_at(cursor_.position(), "expected ']', found " + describe_next());
    cursor_.advance();
    reference.steps.push_back(Traversal{std::move(*key), std::move(step)});
  }
  return Expression{std::move(position), std::move(reference)};
}

Result<std::int64_t> Parser::read_index() {
  const Position position = cursor_.position();
  const std::size_t start = cursor_.offset();
  while (is_digit(cursor_.peek())) cursor_.advance();
  const std::string_view digits = cursor_.text().substr(start, cursor_.offset() - start);
  std::int64_t index = 0;
  if (std::from_chars(digits.data(), digits.data() + digits.size(), index).ec != std::errc{}) {
    return error_at(position, "index " + std::string(digits) + " is out of range");
  }
  return index;
}

Result<Expression> Parser::parse_quoted() {
  const Position start = cursor_.position();
  cursor_.advance();
  return parse_template(TemplateSource{}, start);
}

Result<Expression> Parser::parse_heredoc() {
  const Position start = cursor_.position();
  cursor_.advance(2);
  const bool indented = cursor_.peek() == '-';
  if (indented) cursor_.advance();
  const std::string marker = cursor_.read_identifier();
  if (marker.empty()) return error_at(cursor_.position(), "expected a heredoc marker name (<<EOF or <<-EOF)");
  if (cursor_.peek() == '\r') cursor_.advance();
  if (cursor_.peek() != '\n') {
    return error_at(cursor_.position(), "expected a newline after the heredoc marker, found " + describe_next());
  }
  cursor_.advance();

  const std::string_view text = cursor_.text();
  std::size_t end = std::string_view::npos;
  std::size_t indent = std::string_view::npos;
  for (std::size_t line = cursor_.offset(); line < text.size();) {
    const std::size_t line_end = std::min(text.find('\n', line), text.size());
    std::string_view content = text.substr(line, line_end - line);
    if (content.ends_with('\r')) content.remove_suffix(1);
    const std::size_t leading = content.find_first_not_of(" \t");
    if (leading != std::string_view::npos) {
      if (content.substr(leading) == marker) {
        end = line;
        break;
      }
      indent = std::min(indent, leading);
    }
    line = line_end + 1;
  }
  if (end == std::string_view::npos) {
    return error_at(start, "heredoc is not closed: missing a line with " + marker);
  }
  const TemplateSource source{true, end, indented && indent != std::string_view::npos ? indent : 0};
  auto value = parse_template(source, start);
  if (!value) return value;
  while (cursor_.peek() == ' ' || cursor_.peek() == '\t') cursor_.advance();
  cursor_.advance(marker.size());
  return value;
}

Result<Expression> Parser::parse_template(const TemplateSource& source, const Position& start) {
  std::vector<Expression> parts;
  std::string text;
  Position text_position = cursor_.position();
  const auto flush = [&] {
    if (text.empty()) return;
    parts.push_back(literal(std::move(text_position), std::move(text)));
    text.clear();
  };
  bool line_start = source.heredoc;
  while (true) {
    if (source.heredoc) {
      if (cursor_.offset() >= source.end) break;
      if (line_start) {
        for (std::size_t i = 0; i < source.indent && (cursor_.peek() == ' ' || cursor_.peek() == '\t'); ++i) {
          cursor_.advance();
        }
        line_start = false;
        continue;
      }
    } else {
      if (cursor_.at_end() || cursor_.peek() == '\n') return error_at(start, "unterminated string: missing '\"'");
      if (cursor_.peek() == '"') {
        cursor_.advance();
        break;
      }
    }
    if (text.empty()) text_position = cursor_.position();
    if (cursor_.starts_with("$${") || cursor_.starts_with("%%{")) {
      text += cursor_.peek();
      text += '{';
      cursor_.advance(3);
    } else if (cursor_.starts_with("${") || cursor_.starts_with("%{")) {
      flush();
      auto part = cursor_.peek() == '$' ? parse_interpolation() : parse_directive();
      if (!part) return part;
      parts.push_back(std::move(*part));
    } else if (!source.heredoc && cursor_.peek() == '\\') {
      BERTH_TRY(parse_escape(text));
    } else {
      line_start = cursor_.peek() == '\n';
      text += cursor_.peek();
      cursor_.advance();
    }
  }
  if (source.heredoc && cursor_.offset() > source.end) {
    return error_at(start, "an interpolation runs past the end of the heredoc");
  }
  flush();
  if (parts.empty()) return literal(start, "");
  if (parts.size() == 1 && std::holds_alternative<Literal>(parts.front().node)) {
    return literal(start, std::move(std::get<Literal>(parts.front().node).value));
  }
  return Expression{start, Template{std::move(parts)}};
}

Status Parser::parse_escape(std::string& text) {
  const Position position = cursor_.position();
  const char c = cursor_.peek(1);
  const std::string_view simple = "nrt\"\\";
  if (const auto at = simple.find(c); at != std::string_view::npos && c != '\0') {
    text += "\n\r\t\"\\"[at];
    cursor_.advance(2);
    return {};
  }
  if (c == 'u' || c == 'U') {
    const std::size_t digits = c == 'u' ? 4 : 8;
    char32_t code_point = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const char h = cursor_.peek(2 + i);
      if (!is_hex(h)) {
        return error_at(
            position, std::string("\\") + c + " must be followed by " + std::to_string(digits) + " hexadecimal digits");
      }
      code_point = code_point * 16 + static_cast<char32_t>(is_digit(h) ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    if (!append_utf8(text, code_point)) return error_at(position, "escape is not a valid Unicode code point");
    cursor_.advance(2 + digits);
    return {};
  }
  return error_at(position, "invalid escape sequence: use \\n, \\r, \\t, \\\", \\\\, \\uXXXX or \\UXXXXXXXX");
}

Result<Expression> Parser::parse_interpolation() {
  const Position open = cursor_.position();
  cursor_.advance(2);
  if (cursor_.peek() == '~') return error_at(cursor_.position(), "template strip markers (~) are not supported");
  BERTH_TRY(skip_space(true));
  auto expression = parse_expression(Stop::bracket);
  if (!expression) return expression;
  BERTH_TRY(skip_space(true));
  if (cursor_.peek() == '~') return error_at(cursor_.position(), "template strip markers (~) are not supported");
  if (cursor_.peek() != '}') {
    return error_at(cursor_.position(), "expected '}' to close the interpolation at column " +
                                            std::to_string(open.column) + ", found " + describe_next());
  }
  cursor_.advance();
  return expression;
}

Result<Expression> Parser::parse_directive() {
  const Position open = cursor_.position();
  cursor_.advance(2);
  auto directive = unsupported(open, "template directives (%{ ... }) are not supported", Stop::closing);
  if (!directive) return directive;
  if (cursor_.peek() != '}') return error_at(open, "template directive is not closed: missing '}'");
  cursor_.advance();
  return directive;
}

Result<std::string> Parser::parse_plain_string(std::string_view what) {
  const Position position = cursor_.position();
  auto expression = parse_quoted();
  if (!expression) return std::move(expression).error();
  if (!std::holds_alternative<Literal>(expression->node)) {
    return error_at(position, std::string(what) + " must be plain strings, without interpolation");
  }
  return std::get<Literal>(expression->node).value.get<std::string>();
}

Result<Expression> Parser::unsupported(Position position, std::string_view what, Stop stop) {
  BERTH_TRY(skip_expression(stop));
  return Expression{std::move(position), Unsupported{std::string(what) + std::string(kHint)}};
}

// Skips balanced brackets, strings and heredocs up to the end of the expression.
Status Parser::skip_expression(Stop stop) {
  std::string closers;
  while (true) {
    const bool nested = !closers.empty();
    BERTH_TRY(skip_space(nested || stop != Stop::line));
    if (cursor_.at_end()) {
      if (!nested) return {};
      return error_at(cursor_.position(), std::string("missing '") + closers.back() + "' before end of file");
    }
    const char c = cursor_.peek();
    if (!nested && (c == '}' || c == ']' || c == ')' || (stop != Stop::closing && (c == ',' || c == '\n')))) {
      return {};
    }
    if (c == '"') {
      auto skipped = parse_quoted();
      if (!skipped) return std::move(skipped).error();
      continue;
    }
    if (cursor_.starts_with("<<") && (cursor_.peek(2) == '-' || is_identifier_start(cursor_.peek(2)))) {
      auto skipped = parse_heredoc();
      if (!skipped) return std::move(skipped).error();
      continue;
    }
    if (c == '(' || c == '[' || c == '{') {
      if (closers.size() >= kMaxDepth) return error_at(cursor_.position(), "expression is nested too deeply");
      closers += c == '(' ? ')' : c == '[' ? ']' : '}';
    } else if (c == ')' || c == ']' || c == '}') {
      if (closers.back() != c) return error_at(cursor_.position(), "unexpected " + describe_next());
      closers.pop_back();
    }
    cursor_.advance();
  }
}

}  // namespace

Result<Body> parse(std::string_view text, std::string file_name) {
  if (const std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    Cursor cursor(text, std::move(file_name));
    cursor.advance(bad);
    return error_at(cursor.position(), "invalid UTF-8");
  }
  Parser parser(text, std::move(file_name));
  return parser.parse_body(nullptr);
}

Result<Body> parse_file(const std::filesystem::path& path) {
  std::error_code status_error;
  const auto status = std::filesystem::status(path, status_error);
  if (!std::filesystem::exists(status)) {
    return make_error(ErrorCode::not_found, path.string() + ": file not found");
  }
  if (!std::filesystem::is_regular_file(status)) {
    return make_error(ErrorCode::invalid_argument, path.string() + ": not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream content;
  if (in) content << in.rdbuf();
  if (!in || in.bad()) {
    return make_error(ErrorCode::internal, path.string() + ": cannot read: " + std::strerror(errno));
  }
  return parse(content.str(), path.string());
}

}  // namespace berth::hcl
