#include "http/target.hpp"

namespace berth::http {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Result<std::string> decode_path(std::string_view path) {
  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out += path[i];
      continue;
    }
    if (i + 2 >= path.size()) return make_error(ErrorCode::invalid_argument, "truncated percent-escape in path");
    const int high = hex_value(path[i + 1]);
    const int low = hex_value(path[i + 2]);
    if (high < 0 || low < 0) return make_error(ErrorCode::invalid_argument, "malformed percent-escape in path");
    const char decoded = static_cast<char>(high * 16 + low);
    if (decoded == '\0') return make_error(ErrorCode::invalid_argument, "NUL in path");
    if (decoded == '/') {
      out.append(path.substr(i, 3));
    } else {
      out += decoded;
    }
    i += 2;
  }
  return out;
}

Result<Target> parse_target(std::string_view target) {
  if (target.empty() || target.front() != '/') {
    return make_error(ErrorCode::invalid_argument, "request-target must start with '/'");
  }
  Target out;
  std::string_view path = target;
  if (auto question = target.find('?'); question != std::string_view::npos) {
    path = target.substr(0, question);
    out.raw_query = std::string(target.substr(question + 1));
  }
  auto decoded = decode_path(path);
  if (!decoded.ok()) return std::move(decoded).error();
  out.path = std::move(*decoded);
  return out;
}

}  // namespace berth::http
