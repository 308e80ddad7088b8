#include "app/listen_address.hpp"

#include <charconv>

namespace berth::app {

Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto invalid = [&] {
    return make_error(ErrorCode::invalid_argument,
                      "listen address must be HOST:PORT or [IPV6]:PORT, got '" + std::string(text) + "'");
  };
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return invalid();
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.starts_with('[')) {
    if (!host.ends_with(']') || host.size() < 3) return invalid();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return invalid();
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return invalid();
  }
  return ListenAddress{host.empty() ? "0.0.0.0" : std::string(host), static_cast<std::uint16_t>(port)};
}

}  // namespace berth::app
