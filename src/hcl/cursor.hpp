// A read position in HCL source text that keeps line and column, and skips whitespace and
// comments. Internal to the parser.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "hcl/position.hpp"

namespace berth::hcl {

bool is_identifier_start(char c);
bool is_identifier_continue(char c);  // HCL identifiers may contain '-' after the first character
bool is_digit(char c);

class Cursor {
 public:
  // Where the cursor is; restore it with reset() to re-read from there.
  struct Mark {
    std::size_t offset = 0;
    int line = 1;
    int column = 1;
  };

  Cursor(std::string_view text, std::string file) : text_(text), file_(std::move(file)) {}

  bool at_end() const { return mark_.offset >= text_.size(); }
  // The byte `ahead` bytes on, or '\0' past the end (so callers test at_end() to tell a NUL byte
  // from the end).
  char peek(std::size_t ahead = 0) const;
  bool starts_with(std::string_view prefix) const { return text_.substr(mark_.offset).starts_with(prefix); }
  void advance(std::size_t count = 1);

  std::size_t offset() const { return mark_.offset; }
  std::string_view text() const { return text_; }
  Mark mark() const { return mark_; }
  void reset(const Mark& mark) { mark_ = mark; }
  Position position() const { return Position{file_, mark_.line, mark_.column}; }

  // Skips spaces, tabs, carriage returns and comments (`#`, `//`, `/* */`), and newlines too when
  // `newlines` is true. Returns whether a newline was passed (a `#`/`//` comment stops before
  // its newline when `newlines` is false). Fails only on an unterminated `/*`.
  Result<bool> skip_space(bool newlines);
  // Reads [A-Za-z_][A-Za-z0-9_-]*; empty when the cursor is not on an identifier.
  std::string read_identifier();

 private:
  std::string_view text_;
  std::string file_;
  Mark mark_;
};

}  // namespace berth::hcl
