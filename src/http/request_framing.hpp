// RFC 9112 checks of a request head that Beast's parser lets through. A request that fails them
// is answered and the connection closed before any body byte is used: a front proxy and berth
// that frame a message differently would otherwise disagree on where the next request starts
// (request smuggling), and a request without one clear Host cannot be attributed to a site.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace berth::http {

struct FramingRefusal {
  int status = 400;
  std::string reason;  // one line for the response body
};

struct RequestHead {
  unsigned version = 11;  // 10 or 11, as Beast reports it
  std::span<const std::string_view> transfer_encoding;  // every Transfer-Encoding field line
  std::span<const std::string_view> host;               // every Host field line
  bool has_content_length = false;
};

// - Transfer-Encoding must be exactly `chunked` (one coding, any case, optional whitespace): a list
//   whose last coding is not chunked, chunked applied twice, any coding in HTTP/1.0, or
//   Transfer-Encoding next to Content-Length is 400; another coding before chunked (which berth
//   does not decode) is 501.
// - HTTP/1.1 needs exactly one Host; HTTP/1.0 at most one; its value must be `uri-host [":" port]`
//   (RFC 3986), else 400.
std::optional<FramingRefusal> check_request_framing(const RequestHead& head);

// `uri-host [":" port]`: reg-name, IPv4 or a bracketed IPv6 literal, with an optional port.
bool is_valid_host_value(std::string_view value);

}  // namespace berth::http
