#include "hcl/cursor.hpp"

namespace berth::hcl {

bool is_identifier_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

bool is_identifier_continue(char c) { return is_identifier_start(c) || is_digit(c) || c == '-'; }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char Cursor::peek(std::size_t ahead) const {
  const std::size_t at = mark_.offset + ahead;
  return at < text_.size() ? text_[at] : '\0';
}

void Cursor::advance(std::size_t count) {
  for (; count > 0 && !at_end(); --count) {
    const auto byte = static_cast<unsigned char>(text_[mark_.offset++]);
    if (byte == '\n') {
      ++mark_.line;
      mark_.column = 1;
    } else if ((byte & 0xC0) != 0x80) {  // UTF-8 continuation bytes do not start a column
      ++mark_.column;
    }
  }
}

Result<bool> Cursor::skip_space(bool newlines) {
  bool passed_newline = false;
  while (!at_end()) {
    const char c = peek();
    if (c == ' ' || c == '\t' || c == '\r') {
      advance();
    } else if (c == '\n') {
      if (!newlines) break;
      passed_newline = true;
      advance();
    } else if (c == '#' || starts_with("//")) {
      while (!at_end() && peek() != '\n') advance();
    } else if (starts_with("/*")) {
      const Position start = position();
      const std::size_t end = text_.find("*/", mark_.offset + 2);
      if (end == std::string_view::npos) return error_at(start, "unterminated comment: missing '*/'");
      passed_newline |= text_.substr(mark_.offset, end - mark_.offset).find('\n') != std::string_view::npos;
      advance(end + 2 - mark_.offset);
    } else {
      break;
    }
  }
  return passed_newline;
}

std::string Cursor::read_identifier() {
  std::string name;
  if (!is_identifier_start(peek())) return name;
  while (!at_end() && is_identifier_continue(peek())) {
    name += peek();
    advance();
  }
  return name;
}

}  // namespace berth::hcl
