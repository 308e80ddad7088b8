// Paging for the ECR listings (DescribeRepositories, DescribeImages, ListImages; interfaces.md §6.1):
// `maxResults` 1–1000 (default 100) and an opaque `nextToken`. A token is the base64url of the
// listing's name and the position of the last item sent, so pages follow the store's byte order
// and a token only works for the listing that issued it. Changing one gives another position, never
// access: every item is still authorised as it is read.
//
//   Result<PageRequest> page = read_page_request(input, "ListImages");
//   PageBuilder builder("ListImages", page->limit);
//   walk_listing(page->position, source, key, [&](Record& r) { return builder.add(item, position); });
//   std::move(builder).finish(output, "imageIds");
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/ecr_json_input.hpp"
#include "common/result.hpp"

namespace berth::aws {

inline constexpr std::int64_t kDefaultPageSize = 100;
inline constexpr std::int64_t kMaxPageSize = 1000;

struct PageRequest {
  std::size_t limit = kDefaultPageSize;
  std::string position;  // of the last item of the previous page; empty for the first page
};

// Reads `maxResults` and `nextToken` of `input`. aws_validation_error for a count out of range or a
// token that is not one this listing issued.
Result<PageRequest> read_page_request(const EcrJsonInput& input, std::string_view listing);

// An explicit list (`repositoryNames`, `imageIds`) and paging exclude each other:
// aws_validation_error when `explicit_member` and `maxResults` or `nextToken` are both given.
Status check_not_paged(const EcrJsonInput& input, std::string_view explicit_member);

// aws_validation_error for a `nextToken` that `listing` did not issue (also for a position that
// does not parse, which only a changed token holds).
Error invalid_next_token(const EcrJsonInput& input, std::string_view listing);

std::string encode_next_token(std::string_view listing, std::string_view position);

// Collects one page of items.
class PageBuilder {
 public:
  PageBuilder(std::string_view listing, std::size_t limit) : listing_(listing), limit_(limit) {}

  // Adds an item found at `position`. false once the page is full: the refused item proves that a
  // next page exists, so the caller stops reading.
  bool add(nlohmann::json item, std::string position);
  // Writes `member: [items]` into `output`, and `nextToken` when another page follows.
  void finish(nlohmann::json& output, std::string_view member) &&;

 private:
  std::string_view listing_;
  std::size_t limit_;
  nlohmann::json items_ = nlohmann::json::array();
  std::string last_position_;
  bool more_ = false;
};

// Reads a listing of the MetadataStore's `(after, limit)` shape in batches, starting strictly after
// `after`, and hands each record to `visit` (returning Result<bool> or bool: whether to go on) until
// it declines or the listing ends. `key` gives a record's listing key (the next batch's `after`).
template <typename Source, typename Key, typename Visit>
Status walk_listing(std::string after, Source&& source, Key&& key, Visit&& visit) {
  constexpr std::size_t kBatch = 256;
  for (;;) {
    auto batch = source(std::string_view(after), kBatch);
    if (!batch.ok()) return std::move(batch).error();
    // Taken before `visit`, which may move from the records.
    const bool full = batch->size() == kBatch;
    if (full) after = key(batch->back());
    for (auto& record : *batch) {
      Result<bool> go_on = visit(record);
      if (!go_on.ok()) return std::move(go_on).error();
      if (!*go_on) return {};
    }
    if (!full) return {};
  }
}

}  // namespace berth::aws
