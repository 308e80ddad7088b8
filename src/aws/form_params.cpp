#include "aws/form_params.hpp"

#include "http/target.hpp"

namespace berth::aws {

namespace {

Result<std::string> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      const int high = i + 2 < text.size() ? http::hex_value(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? http::hex_value(text[i + 2]) : -1;
      if (high < 0 || low < 0) return make_error(ErrorCode::invalid_argument, "Malformed percent-encoding in request");
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

Result<FormParams> FormParams::parse(std::string_view encoded) {
  FormParams params;
  while (!encoded.empty()) {
    const auto amp = encoded.find('&');
    const std::string_view pair = encoded.substr(0, amp);
    encoded = amp == std::string_view::npos ? std::string_view{} : encoded.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    Result<std::string> name = form_decode(pair.substr(0, eq));
    if (!name) return std::move(name).error();
    Result<std::string> value = form_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!value) return std::move(value).error();
    params.items_.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

std::optional<std::string_view> FormParams::get(std::string_view name) const {
  for (const auto& [key, value] : items_) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

bool FormParams::has_prefix(std::string_view prefix) const {
  for (const auto& item : items_) {
    if (item.first.starts_with(prefix)) return true;
  }
  return false;
}

}  // namespace berth::aws
