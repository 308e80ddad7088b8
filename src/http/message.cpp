#include "http/message.hpp"

#include <algorithm>
#include <array>
#include <strings.h>

#include "http/target.hpp"

namespace berth::http {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && ::strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Query components decode '+' as space (application/x-www-form-urlencoded).
std::string decode_component(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string_view method_name(Method method) {
  switch (method) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::delete_: return "DELETE";
    case Method::other: return "OTHER";
  }
  return "OTHER";
}

std::optional<std::string_view> Headers::get(std::string_view name) const {
  for (const auto& [key, value] : fields_) {
    if (iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

void Headers::add(std::string name, std::string value) { fields_.emplace_back(std::move(name), std::move(value)); }

void Headers::set(std::string name, std::string value) {
  remove(name);
  add(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(fields_, [&](const auto& field) { return iequals(field.first, name); });
}

Query Query::parse(std::string_view raw) {
  Query query;
  while (!raw.empty()) {
    auto amp = raw.find('&');
    std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    query.items_.emplace_back(decode_component(key), decode_component(value));
  }
  return query;
}

std::optional<std::string_view> Query::get(std::string_view key) const {
  for (const auto& [k, v] : items_) {
    if (k == key) return std::string_view(v);
  }
  return std::nullopt;
}

std::vector<std::string_view> Query::get_all(std::string_view key) const {
  std::vector<std::string_view> out;
  for (const auto& [k, v] : items_) {
    if (k == key) out.emplace_back(v);
  }
  return out;
}

Task<Result<std::string>> BodyReader::read_all(std::size_t limit) {
  std::string out;
  if (auto length = content_length()) {
    if (*length > limit) co_return make_error(ErrorCode::payload_too_large, "request body too large");
    out.reserve(static_cast<std::size_t>(*length));
  }
  std::array<char, 64 * 1024> buffer;
  for (;;) {
    auto n = co_await read_some(buffer);
    if (!n.ok()) co_return std::move(n).error();
    if (*n == 0) break;
    if (out.size() + *n > limit) co_return make_error(ErrorCode::payload_too_large, "request body too large");
    out.append(buffer.data(), *n);
  }
  co_return out;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response response;
  response.status = status;
  response.headers.set("Content-Type", std::move(content_type));
  response.body = std::move(body);
  return response;
}

Response Response::json(int status, std::string body, std::string content_type) {
  return text(status, std::move(body), std::move(content_type));
}

Response Response::empty(int status) {
  Response response;
  response.status = status;
  return response;
}

}  // namespace berth::http
