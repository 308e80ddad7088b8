// Splits a `listen` setting ("127.0.0.1:5000", "[::1]:5000", ":5000") into host and port.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth::app {

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace berth::app
