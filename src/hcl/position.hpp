// Where something was written in an HCL file, and the one error shape every HCL diagnostic uses:
// Error{invalid_argument, "file:line:col: message"}.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth::hcl {

struct Position {
  std::string file;
  int line = 1;    // 1-based
  int column = 1;  // 1-based, counted in Unicode code points
};

inline std::string to_string(const Position& position) {
  return position.file + ":" + std::to_string(position.line) + ":" + std::to_string(position.column);
}

inline Error error_at(const Position& position, std::string_view message) {
  return make_error(ErrorCode::invalid_argument, to_string(position) + ": " + std::string(message));
}

}  // namespace berth::hcl
