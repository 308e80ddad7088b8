// The request line's target and the header lines, as the server hands them to the router: the
// target split and %-decoded (http/target), the query parsed (http/message), `/v2/...` paths routed
// (registry/route). Input: the request-target, then `Name: value` header lines.
#include "fuzz_input.hpp"
#include "http/message.hpp"
#include "http/target.hpp"
#include "registry/names.hpp"
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
  check(berth::registry::is_valid_repository_name(route->repository), "routed repository breaks the name grammar");
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  berth::fuzz::Input input(data, size);
  const std::string_view target_text = input.line();
  berth::http::Headers headers;
  while (!input.empty()) {
    const std::string_view line = input.line();
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    headers.add(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  // Request framing (src/http/request_framing.*) is checked here, over `headers`, once it lands.

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
