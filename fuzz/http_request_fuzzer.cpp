// The request line's target and the header lines, as the server hands them to the router: the
// target split and %-decoded (http/target), the query parsed (http/message), `/v2/...` paths routed
// (registry/route), after the RFC 9112 framing checks (http/request_framing) over the head.
// Input: the request-target, then `Name: value` header lines; the target's first byte picks HTTP/1.0
// or 1.1 for the framing check.
#include <strings.h>

#include <algorithm>
#include <cstring>

#include <vector>

#include "fuzz_input.hpp"
#include "http/message.hpp"
#include "http/request_framing.hpp"
#include "http/target.hpp"
#include "common/names.hpp"
#include "registry/route.hpp"

using berth::fuzz::check;

namespace {

void check_route(std::string_view path) {
  using berth::registry::Endpoint;
  const auto route = berth::registry::parse_route(path);
  if (!route) return;
  check(path.starts_with("/v2"), "a route outside /v2");
  if (route->endpoint == Endpoint::base || route->endpoint == Endpoint::catalog) return;
  // The repository becomes a storage path: anything the grammar refuses could leave the data directory.
  check(berth::is_valid_repository_name(route->repository), "routed repository breaks the name grammar");
  check(route->reference.find('/') == std::string::npos, "reference holds '/'");
  if (route->endpoint != Endpoint::upload_start && route->endpoint != Endpoint::tags_list) {
    check(!route->reference.empty(), "endpoint without its reference");
  }
}

void check_query(std::string_view raw_query) {
  const auto query = berth::http::Query::parse(raw_query);
  for (const auto& [key, value] : query.all()) {
    const auto first = query.get(key);
    check(first.has_value(), "a parsed key that get() cannot find");
    check(!query.get_all(key).empty() && query.get_all(key).front() == *first, "get_all disagrees with get");
  }
}

bool names(std::string_view field, const char* name) {
  return field.size() == std::strlen(name) && strncasecmp(field.data(), name, field.size()) == 0;
}

std::string_view trimmed(std::string_view value) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return value;
}

// What a head that passes may still hold: one Host (HTTP/1.1) that is a valid uri-host, and a
// Transfer-Encoding only as the one coding `chunked`, never beside Content-Length or in HTTP/1.0.
void check_framing(unsigned version, const std::vector<std::string_view>& transfer_encoding,
                   const std::vector<std::string_view>& host, bool has_content_length) {
  const berth::http::RequestHead head{version, transfer_encoding, host, has_content_length};
  const auto refusal = berth::http::check_request_framing(head);
  if (refusal) {
    check(refusal->status == 400 || refusal->status == 501, "a framing refusal that is neither 400 nor 501");
    check(!refusal->reason.empty(), "a framing refusal without a reason");
    return;
  }
  check(host.size() <= 1 && (version == 10 || host.size() == 1), "accepted without exactly one Host");
  if (!host.empty()) check(berth::http::is_valid_host_value(trimmed(host.front())), "accepted an invalid Host");
  if (transfer_encoding.empty()) return;
  check(version == 11 && !has_content_length, "Transfer-Encoding accepted beside Content-Length or in HTTP/1.0");
  // Empty list members do not count (RFC 9110 §5.6.1): `chunked,` is still the one coding chunked.
  std::vector<std::string_view> codings;
  for (std::string_view line : transfer_encoding) {
    for (std::size_t start = 0; start <= line.size();) {
      const std::size_t comma = std::min(line.find(',', start), line.size());
      const std::string_view coding = trimmed(line.substr(start, comma - start));
      if (!coding.empty()) codings.push_back(coding);
      start = comma + 1;
    }
  }
  check(codings.size() == 1 && names(codings.front(), "chunked"), "a Transfer-Encoding other than chunked accepted");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  berth::fuzz::Input input(data, size);
  const std::string_view target_text = input.line();
  const unsigned version = !target_text.empty() && (target_text.front() & 1) ? 10 : 11;
  berth::http::Headers headers;
  std::vector<std::string_view> transfer_encoding;
  std::vector<std::string_view> host;
  bool has_content_length = false;
  while (!input.empty()) {
    const std::string_view line = input.line();
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = line.substr(colon + 1);
    if (names(name, "transfer-encoding")) transfer_encoding.push_back(value);
    if (names(name, "host")) host.push_back(value);
    if (names(name, "content-length")) has_content_length = true;
    headers.add(std::string(name), std::string(value));
  }
  check_framing(version, transfer_encoding, host, has_content_length);

  const auto target = berth::http::parse_target(target_text);
  if (!target) return 0;
  check(target->path.starts_with('/'), "decoded path does not start with '/'");
  // A raw NUL never gets here (Beast refuses it in the request line); a %00 escape must not smuggle one in.
  check(target_text.find('\0') != std::string_view::npos || target->path.find('\0') == std::string::npos,
        "a %-escape decoded to NUL");
  check(target->raw_query.size() < target_text.size(), "query longer than the target");
  check_query(target->raw_query);
  check_route(target->path);
  return 0;
}
