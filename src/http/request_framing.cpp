#include "http/request_framing.hpp"

#include <strings.h>

#include <vector>

#include "http/target.hpp"

namespace berth::http {
namespace {

bool is_alpha_or_digit(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool is_reg_name_char(char c) {
  if (is_alpha_or_digit(c)) return true;
  constexpr std::string_view kOthers = "-._~!$&'()*+,;=";  // unreserved and sub-delims
  return kOthers.find(c) != std::string_view::npos;
}

bool is_port(std::string_view text) {
  if (text.size() > 5) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

bool is_reg_name(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      if (i + 2 >= text.size() || hex_value(text[i + 1]) < 0 || hex_value(text[i + 2]) < 0) return false;
      i += 2;
    } else if (!is_reg_name_char(text[i])) {
      return false;
    }
  }
  return true;
}

bool is_ip_literal(std::string_view inside) {
  if (inside.empty()) return false;
  for (char c : inside) {
    if (hex_value(c) < 0 && c != ':' && c != '.') return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

// The codings of every Transfer-Encoding line, in order; empty list members are skipped
// (RFC 9110 §5.6.1).
std::vector<std::string_view> codings_of(std::span<const std::string_view> lines) {
  std::vector<std::string_view> codings;
  for (std::string_view line : lines) {
    while (true) {
      const auto comma = line.find(',');
      const std::string_view coding = trim(line.substr(0, comma));
      if (!coding.empty()) codings.push_back(coding);
      if (comma == std::string_view::npos) break;
      line.remove_prefix(comma + 1);
    }
  }
  return codings;
}

bool is_chunked(std::string_view coding) {
  return coding.size() == 7 && ::strncasecmp(coding.data(), "chunked", 7) == 0;
}

std::optional<FramingRefusal> check_transfer_encoding(const RequestHead& head) {
  if (head.transfer_encoding.empty()) return std::nullopt;
  if (head.version < 11) return FramingRefusal{400, "Transfer-Encoding in an HTTP/1.0 request"};
  if (head.has_content_length) return FramingRefusal{400, "both Transfer-Encoding and Content-Length"};
  const auto codings = codings_of(head.transfer_encoding);
  if (codings.empty() || !is_chunked(codings.back())) {
    return FramingRefusal{400, "Transfer-Encoding must end with chunked"};
  }
  for (std::size_t i = 0; i + 1 < codings.size(); ++i) {
    if (is_chunked(codings[i])) return FramingRefusal{400, "chunked applied more than once"};
  }
  if (codings.size() > 1) return FramingRefusal{501, "transfer codings other than chunked are not supported"};
  return std::nullopt;
}

std::optional<FramingRefusal> check_host(const RequestHead& head) {
  if (head.host.size() > 1) return FramingRefusal{400, "more than one Host"};
  if (head.host.empty()) {
    if (head.version >= 11) return FramingRefusal{400, "HTTP/1.1 request without Host"};
    return std::nullopt;
  }
  if (!is_valid_host_value(trim(head.host.front()))) return FramingRefusal{400, "invalid Host"};
  return std::nullopt;
}

}  // namespace

bool is_valid_host_value(std::string_view value) {
  std::string_view host = value;
  std::string_view port;
  bool has_port = false;
  if (value.starts_with('[')) {
    const auto close = value.find(']');
    if (close == std::string_view::npos || !is_ip_literal(value.substr(1, close - 1))) return false;
    host = {};
    const std::string_view rest = value.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      has_port = true;
      port = rest.substr(1);
    }
  } else if (const auto colon = value.rfind(':'); colon != std::string_view::npos) {
    host = value.substr(0, colon);
    port = value.substr(colon + 1);
    has_port = true;
  }
  if (has_port && !is_port(port)) return false;
  return is_reg_name(host);
}

std::optional<FramingRefusal> check_request_framing(const RequestHead& head) {
  if (auto refusal = check_transfer_encoding(head)) return refusal;
  return check_host(head);
}

}  // namespace berth::http
