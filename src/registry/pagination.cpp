#include "registry/pagination.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

namespace berth::registry {
namespace {

// Filtered listings (the catalog) may drop most of a batch; reading at least this many names per
// query keeps the number of queries small.
constexpr std::size_t kMinBatch = 128;

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_unreserved(c)) {
      out += c;
    } else {
      auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0f];
    }
  }
  return out;
}

}  // namespace

Result<PageRequest> parse_page_request(const http::Query& query, std::size_t default_size, std::size_t max_size) {
  PageRequest request{std::min(default_size, max_size), std::string(query.get("last").value_or(""))};
  auto n = query.get("n");
  if (!n) return request;
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(n->data(), n->data() + n->size(), value);
  bool out_of_range = error == std::errc::result_out_of_range;
  if (n->empty() || end != n->data() + n->size() || (error != std::errc{} && !out_of_range)) {
    return make_error(ErrorCode::pagination_number_invalid, "n must be a non-negative integer");
  }
  request.limit = out_of_range || value > max_size ? max_size : static_cast<std::size_t>(value);
  return request;
}

Result<Page> collect_page(const PageRequest& request, const PageSource& source, const PageFilter& keep) {
  Page page;
  if (request.limit == 0) return page;
  // One name beyond the page tells whether there is a next page.
  const std::size_t wanted = request.limit + 1;
  std::string cursor = request.last;
  while (page.items.size() < wanted) {
    const std::size_t batch_size = std::max(wanted - page.items.size(), keep ? kMinBatch : 0);
    auto batch = source(cursor, batch_size);
    if (!batch.ok()) return std::move(batch).error();
    for (auto& name : *batch) {
      if (page.items.size() == wanted) break;
      if (!keep || keep(name)) page.items.push_back(name);
      cursor = std::move(name);
    }
    if (batch->size() < batch_size) break;
  }
  if (page.items.size() > request.limit) {
    page.items.resize(request.limit);
    page.more = true;
  }
  return page;
}

std::string next_page_link(std::string_view path, std::size_t n, std::string_view last) {
  std::string link = "<";
  link += path;
  link += "?n=";
  link += std::to_string(n);
  link += "&last=";
  link += percent_encode(last);
  link += ">; rel=\"next\"";
  return link;
}

}  // namespace berth::registry
