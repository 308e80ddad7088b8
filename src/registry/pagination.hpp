// Pagination shared by the tags list and the catalog: `?n=<int>&last=<name>` in, a page of names in
// byte order and `Link: <...>; rel="next"` out (distribution-spec "Listing Tags", Docker catalog).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "http/message.hpp"

namespace berth::registry {

struct PageRequest {
  std::size_t limit = 0;  // `n` after defaulting and capping
  std::string last;       // the page starts strictly after this name
};

// `n` absent -> `default_size`; above `max_size` -> `max_size` (the Link header then tells the client
// there is more); anything but a decimal non-negative integer -> pagination_number_invalid.
Result<PageRequest> parse_page_request(const http::Query& query, std::size_t default_size, std::size_t max_size);

struct Page {
  std::vector<std::string> items;
  bool more = false;  // another acceptable name follows the last item
};

// Names in byte order strictly after `after`, at most `limit` (MetadataStore listings).
using PageSource = std::function<Result<std::vector<std::string>>(std::string_view after, std::size_t limit)>;
using PageFilter = std::function<bool(std::string_view name)>;

// The first `request.limit` names after `request.last` that `keep` accepts (all when `keep` is
// empty), reading `source` in batches until the page is full or the source is exhausted.
Result<Page> collect_page(const PageRequest& request, const PageSource& source, const PageFilter& keep = {});

// `</path?n=<n>&last=<last>>; rel="next"`, `last` percent-encoded.
std::string next_page_link(std::string_view path, std::size_t n, std::string_view last);

}  // namespace berth::registry
