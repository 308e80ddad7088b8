#include "auth/sigv4_canonical.hpp"

#include <algorithm>

namespace berth::auth {
namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// RFC 3986 §5.2.4 plus the AWS rule that empty segments vanish (botocore `remove_dot_segments`).
std::vector<std::string_view> normalized_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = std::min(path.find('/', start), path.size());
    std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  return segments;
}

}  // namespace

std::string uri_encode(std::string_view bytes, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size());
  for (char ch : bytes) {
    auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (keep_slash && c == '/')) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
  return out;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

QueryParameters decode_query(std::string_view raw_query) {
  QueryParameters parameters;
  std::size_t start = 0;
  while (start <= raw_query.size()) {
    std::size_t end = std::min(raw_query.find('&', start), raw_query.size());
    std::string_view pair = raw_query.substr(start, end - start);
    if (!pair.empty()) {
      std::size_t equals = pair.find('=');
      std::string_view name = pair.substr(0, equals);
      std::string_view value = equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1);
      parameters.emplace_back(percent_decode(name), percent_decode(value));
    }
    start = end + 1;
  }
  return parameters;
}

std::string canonical_uri(std::string_view raw_path) {
  std::vector<std::string_view> segments = normalized_segments(raw_path);
  std::string out = "/";
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (i > 0) out += '/';
    out += uri_encode(segments[i], false);
  }
  if (!segments.empty() && raw_path.ends_with('/')) out += '/';
  return out;
}

std::string canonical_query_string(std::string_view raw_query, std::string_view excluded_name) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [name, value] : decode_query(raw_query)) {
    if (!excluded_name.empty() && name == excluded_name) continue;
    encoded.emplace_back(uri_encode(name, false), uri_encode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += name;
    out += '=';
    out += value;
  }
  return out;
}

void append_canonical_header_value(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool wrote_any = false;
  for (char c : value) {
    if (is_space(c)) {
      pending_space = wrote_any;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    wrote_any = true;
    out += c;
  }
}

}  // namespace berth::auth
