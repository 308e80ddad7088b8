#include "aws/sts_request.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string_view>
#include <vector>

#include <fmt/format.h>

namespace berth::aws {

namespace {

constexpr std::string_view kSessionNamePattern = R"([\w+=,.@-]*)";

// Collects constraint violations in STS's wording; `sensitive` members are named without their value.
class Violations {
 public:
  void add(std::string_view member, std::optional<std::string_view> value, bool sensitive,
           std::string_view constraint) {
    std::string quoted = !value ? " null" : sensitive ? "" : fmt::format(" '{}'", *value);
    messages_.push_back(fmt::format("Value{} at '{}' failed to satisfy constraint: {}", quoted, member, constraint));
  }

  // Required, with a length in [min, max].
  void check_length(std::string_view member, std::optional<std::string_view> value, bool sensitive, std::size_t min,
                    std::size_t max) {
    if (!value) {
      add(member, value, sensitive, "Member must not be null");
    } else if (value->size() < min) {
      add(member, value, sensitive, fmt::format("Member must have length greater than or equal to {}", min));
    } else if (value->size() > max) {
      add(member, value, sensitive, fmt::format("Member must have length less than or equal to {}", max));
    }
  }

  Status result() const {
    if (messages_.empty()) return {};
    const std::string_view noun = messages_.size() == 1 ? "error" : "errors";
    return make_error(ErrorCode::aws_validation_error,
                      fmt::format("{} validation {} detected: {}", messages_.size(), noun, fmt::join(messages_, "; ")));
  }

 private:
  std::vector<std::string> messages_;
};

bool is_session_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_+=,.@-").find(c) != std::string_view::npos;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

Result<AssumeRoleWithWebIdentityRequest> parse_assume_role_with_web_identity(const FormParams& params,
                                                                             std::chrono::seconds default_duration) {
  if (params.has("ProviderId")) {
    return make_error(ErrorCode::aws_validation_error,
                      "ProviderId is only for OAuth 2.0 identity providers, which this server does not support; "
                      "omit it for OpenID Connect tokens");
  }
  if (params.has_prefix("PolicyArns.")) {
    return make_error(
        ErrorCode::aws_validation_error,
        "PolicyArns is not supported: this server has no managed policies; pass an inline Policy instead");
  }

  Violations violations;
  const auto role_arn = params.get("RoleArn");
  violations.check_length("roleArn", role_arn, false, 20, 2048);

  const auto session_name = params.get("RoleSessionName");
  violations.check_length("roleSessionName", session_name, false, 2, 64);
  if (session_name && !std::all_of(session_name->begin(), session_name->end(), is_session_name_char)) {
    violations.add("roleSessionName", session_name, false,
                   fmt::format("Member must satisfy regular expression pattern: {}", kSessionNamePattern));
  }

  const auto token = params.get("WebIdentityToken");
  violations.check_length("webIdentityToken", token, true, 4, 20000);

  std::chrono::seconds duration = default_duration;
  if (const auto text = params.get("DurationSeconds")) {
    const auto seconds = parse_integer(*text);
    if (!seconds) {
      violations.add("durationSeconds", text, false, "Member must be an integer");
    } else if (*seconds < 900) {
      violations.add("durationSeconds", text, false, "Member must have value greater than or equal to 900");
    } else if (*seconds > 43200) {
      violations.add("durationSeconds", text, false, "Member must have value less than or equal to 43200");
    } else {
      duration = std::chrono::seconds(*seconds);
    }
  }

  const auto policy = params.get("Policy");
  if (policy) violations.check_length("policy", policy, true, 1, 2048);

  BERTH_TRY(violations.result());
  AssumeRoleWithWebIdentityRequest request;
  request.role_arn = std::string(*role_arn);
  request.role_session_name = std::string(*session_name);
  request.web_identity_token = std::string(*token);
  request.duration = duration;
  if (policy) request.policy = std::string(*policy);
  return request;
}

}  // namespace berth::aws
