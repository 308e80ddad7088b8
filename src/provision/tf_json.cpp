#include "provision/tf_json.hpp"

#include <cstddef>
#include <iterator>
#include <map>
#include <type_traits>
#include <vector>

#include "hcl/parser.hpp"

namespace berth::provision {
namespace {

using Json = nlohmann::ordered_json;

// nlohmann's SAX interface reports no positions, so the parser reads through this iterator and the
// handler asks how far it has got: at each event the lexer has just consumed the event's token.
class TrackingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  TrackingIterator(const char* at, const char** furthest) : at_(at), furthest_(furthest) {}
  reference operator*() const { return *at_; }
  TrackingIterator& operator++() {
    *furthest_ = ++at_;
    return *this;
  }
  TrackingIterator operator++(int) {
    TrackingIterator before = *this;
    ++*this;
    return before;
  }
  bool operator==(const TrackingIterator& other) const { return at_ == other.at_; }

 private:
  const char* at_;
  const char** furthest_;
};

std::string pointer_token(std::string_view key) {
  std::string token;
  for (const char c : key) token += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return token;
}

// Records the byte offset where every value and every key starts, by JSON pointer.
class PositionRecorder {
 public:
  PositionRecorder(std::string_view text, const char** furthest) : text_(text), furthest_(furthest) {}

  std::map<std::string, std::size_t> values;
  std::map<std::string, std::size_t> keys;

  bool null() { return scalar(); }
  bool boolean(bool) { return scalar(); }
  bool number_integer(Json::number_integer_t) { return scalar(); }
  bool number_unsigned(Json::number_unsigned_t) { return scalar(); }
  bool number_float(Json::number_float_t, const Json::string_t&) { return scalar(); }
  bool string(Json::string_t&) { return scalar(); }
  bool binary(Json::binary_t&) { return scalar(); }
  bool start_object(std::size_t) { return open(false); }
  bool start_array(std::size_t) { return open(true); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(Json::string_t& name) {
    frames_.back().key = name;
    keys[pointer()] = token_start();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

 private:
  struct Frame {
    bool array = false;
    std::size_t index = 0;
    std::string key;
  };

  std::size_t consumed() const { return static_cast<std::size_t>(*furthest_ - text_.data()); }

  // The lexer may have read one character past a number, so the token is found by skipping
  // separators forward from where the previous event ended.
  std::size_t token_start() {
    std::size_t offset = scanned_;
    while (offset < text_.size() && std::string_view(" \t\r\n,:").find(text_[offset]) != std::string_view::npos) {
      ++offset;
    }
    scanned_ = consumed();
    return offset;
  }

  std::string pointer() const {
    std::string path;
    for (const auto& frame : frames_)
      path += "/" + (frame.array ? std::to_string(frame.index) : pointer_token(frame.key));
    return path;
  }

  bool scalar() {
    values[pointer()] = token_start();
    finish_value();
    return true;
  }
  bool open(bool array) {
    values[pointer()] = token_start();
    frames_.push_back(Frame{array, 0, {}});
    return true;
  }
  bool close() {
    frames_.pop_back();
    scanned_ = consumed();
    finish_value();
    return true;
  }
  void finish_value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  std::string_view text_;
  const char** furthest_;
  std::vector<Frame> frames_;
  std::size_t scanned_ = 0;
};

// Quotes a decoded JSON string as an HCL string literal, keeping `${...}` as interpolation.
std::string hcl_quoted(std::string_view text) {
  std::string quoted = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        quoted += "\\\"";
        break;
      case '\\':
        quoted += "\\\\";
        break;
      case '\n':
        quoted += "\\n";
        break;
      case '\r':
        quoted += "\\r";
        break;
      case '\t':
        quoted += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          quoted += std::string("\\u00") + kHex[(c >> 4) & 0xf] + kHex[c & 0xf];
        } else {
          quoted += c;
        }
    }
  }
  return quoted + "\"";
}

// A template parsed from a synthetic line has positions in that line; the JSON string is the
// smallest place berth can point to.
void relocate(hcl::Expression& expression, const hcl::Position& position) {
  expression.position = position;
  std::visit(
      [&](auto& node) {
        using Node = std::decay_t<decltype(node)>;
        if constexpr (std::is_same_v<Node, hcl::Template>) {
          for (auto& part : node.parts) relocate(part, position);
        } else if constexpr (std::is_same_v<Node, hcl::Reference>) {
          for (auto& step : node.steps) step.position = position;
        } else if constexpr (std::is_same_v<Node, hcl::List>) {
          for (auto& element : node.elements) relocate(element, position);
        } else if constexpr (std::is_same_v<Node, hcl::Object>) {
          for (auto& item : node.items) {
            item.position = position;
            relocate(item.value, position);
          }
        }
      },
      expression.node);
}

class Converter {
 public:
  Converter(std::string_view text, std::string file, const PositionRecorder& recorder)
      : text_(text), file_(std::move(file)), recorder_(recorder) {}

  Result<hcl::Body> body(const Json& document) {
    if (!document.is_object()) return hcl::error_at(value_position(""), "a .tf.json file holds one JSON object");
    hcl::Body body;
    for (const auto& [type, blocks] : document.items()) {
      const std::string path = "/" + pointer_token(type);
      if (type == "module" || type == "variable") {
        if (!blocks.is_object()) return hcl::error_at(value_position(path), "\"" + type + "\" must be an object");
        for (const auto& [label, content] : blocks.items()) {
          auto block = labelled_block(type, label, content, path + "/" + pointer_token(label));
          if (!block) return std::move(block).error();
          body.blocks.push_back(std::move(*block));
        }
      } else if (type == "locals") {
        auto block = block_body("locals", blocks, path, true);
        if (!block) return std::move(block).error();
        body.blocks.push_back(hcl::Block{"locals", {}, std::move(*block), value_position(path)});
      }
    }
    return body;
  }

 private:
  Result<hcl::Block> labelled_block(const std::string& type, const std::string& label, const Json& content,
                                    const std::string& path) {
    auto body = block_body(type + " \"" + label + "\"", content, path, type != "variable");
    if (!body) return std::move(body).error();
    return hcl::Block{type, {label}, std::move(*body), key_position(path)};
  }

  Result<hcl::Body> block_body(const std::string& what, const Json& content, const std::string& path, bool templates) {
    if (!content.is_object()) return hcl::error_at(value_position(path), what + " must be an object");
    hcl::Body body;
    for (const auto& [name, value] : content.items()) {
      if (name == "//") continue;
      const std::string item_path = path + "/" + pointer_token(name);
      auto expression = this->expression(value, item_path, templates);
      if (!expression) return std::move(expression).error();
      body.attributes.push_back(hcl::Attribute{name, std::move(*expression), key_position(item_path)});
    }
    return body;
  }

  Result<hcl::Expression> expression(const Json& value, const std::string& path, bool templates) {
    const hcl::Position position = value_position(path);
    if (value.is_array()) {
      hcl::List list;
      for (std::size_t i = 0; i < value.size(); ++i) {
        auto element = expression(value[i], path + "/" + std::to_string(i), templates);
        if (!element) return element;
        list.elements.push_back(std::move(*element));
      }
      return hcl::Expression{position, std::move(list)};
    }
    if (value.is_object()) {
      hcl::Object object;
      for (const auto& [key, item] : value.items()) {
        const std::string item_path = path + "/" + pointer_token(key);
        auto converted = expression(item, item_path, templates);
        if (!converted) return converted;
        object.items.push_back(hcl::ObjectItem{key, key_position(item_path), std::move(*converted)});
      }
      return hcl::Expression{position, std::move(object)};
    }
    if (templates && value.is_string()) {
      const auto& text = value.get_ref<const std::string&>();
      if (text.find("${") != std::string::npos || text.find("%{") != std::string::npos)
        return parse_template(text, position);
    }
    return hcl::Expression{position, hcl::Literal{value}};
  }

  Result<hcl::Expression> parse_template(const std::string& text, const hcl::Position& position) {
    auto parsed = hcl::parse("v = " + hcl_quoted(text), file_);
    if (!parsed) return hcl::error_at(position, "invalid template: " + parsed.error().message);
    hcl::Expression expression = std::move(parsed->attributes.front().expression);
    relocate(expression, position);
    return expression;
  }

  hcl::Position value_position(const std::string& path) const { return at(recorder_.values, path); }
  hcl::Position key_position(const std::string& path) const { return at(recorder_.keys, path); }

  hcl::Position at(const std::map<std::string, std::size_t>& offsets, const std::string& path) const {
    const auto found = offsets.find(path);
    const std::size_t offset = found == offsets.end() ? 0 : found->second;
    hcl::Position position{file_, 1, 1};
    for (std::size_t i = 0; i < offset && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++position.line;
        position.column = 1;
      } else if ((static_cast<unsigned char>(text_[i]) & 0xc0) != 0x80) {
        ++position.column;
      }
    }
    return position;
  }

  std::string_view text_;
  std::string file_;
  const PositionRecorder& recorder_;
};

}  // namespace

Result<hcl::Body> parse_tf_json(std::string_view text, const std::string& file_name) {
  Json document;
  try {
    document = Json::parse(text);
  } catch (const Json::exception& error) {  // parse_error, and out_of_range for a number too large for a double
    std::string message = error.what();
    if (const auto bracket = message.find("] "); bracket != std::string::npos) message.erase(0, bracket + 2);
    return make_error(ErrorCode::invalid_argument, file_name + ": invalid JSON: " + message);
  }
  const char* furthest = text.data();
  PositionRecorder recorder(text, &furthest);
  Json::sax_parse(TrackingIterator(text.data(), &furthest), TrackingIterator(text.data() + text.size(), &furthest),
                  &recorder);
  return Converter(text, file_name, recorder).body(document);
}

}  // namespace berth::provision
