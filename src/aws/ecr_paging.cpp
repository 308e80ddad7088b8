#include "aws/ecr_paging.hpp"

#include "common/base64.hpp"

namespace berth::aws {
namespace {

constexpr char kSeparator = '\n';

}  // namespace

std::string encode_next_token(std::string_view listing, std::string_view position) {
  std::string text(listing);
  text += kSeparator;
  text += position;
  return base64::encode_url(text);
}

Error invalid_next_token(const EcrJsonInput& input, std::string_view listing) {
  return input.invalid("nextToken",
                       "Member must be a nextToken returned by a previous " + std::string(listing) + " call");
}

Result<PageRequest> read_page_request(const EcrJsonInput& input, std::string_view listing) {
  PageRequest page;
  Result<std::optional<std::int64_t>> max_results = input.integer("maxResults", 1, kMaxPageSize);
  if (!max_results) return std::move(max_results).error();
  if (max_results->has_value()) page.limit = static_cast<std::size_t>(**max_results);

  Result<std::optional<std::string>> token = input.string("nextToken");
  if (!token) return std::move(token).error();
  if (!token->has_value()) return page;
  Result<std::string> text = base64::decode_url(**token);
  const std::string prefix = std::string(listing) + kSeparator;
  if (!text || !text->starts_with(prefix) || text->size() == prefix.size()) {
    return input.invalid("nextToken",
                         "Member must be a nextToken returned by a previous " + std::string(listing) + " call");
  }
  page.position = text->substr(prefix.size());
  return page;
}

Status check_not_paged(const EcrJsonInput& input, std::string_view explicit_member) {
  if (!input.has(explicit_member)) return {};
  for (std::string_view paging : {"maxResults", "nextToken"}) {
    if (input.has(paging)) {
      return input.invalid(paging, "Member cannot be combined with " + std::string(explicit_member));
    }
  }
  return {};
}

bool PageBuilder::add(nlohmann::json item, std::string position) {
  if (items_.size() == limit_) {
    more_ = true;
    return false;
  }
  items_.push_back(std::move(item));
  last_position_ = std::move(position);
  return true;
}

void PageBuilder::finish(nlohmann::json& output, std::string_view member) && {
  output[std::string(member)] = std::move(items_);
  if (more_) output["nextToken"] = encode_next_token(listing_, last_position_);
}

}  // namespace berth::aws
