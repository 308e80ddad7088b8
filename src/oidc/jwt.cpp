#include "oidc/jwt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "common/base64.hpp"
#include "oidc/strict_json.hpp"

namespace berth::oidc {
namespace {

using Clock = std::chrono::system_clock;
using nlohmann::json;

// 2199-12-31T23:59:59Z. Clock counts nanoseconds in 64 bits, so it ends in 2262: later NumericDates
// would overflow the conversion and the leeway arithmetic.
constexpr double kLatestNumericDate = 7258118399.0;

Error invalid_token(std::string message) {
  return make_error(ErrorCode::aws_invalid_identity_token, std::move(message));
}

std::int64_t epoch_seconds(Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

struct CompactJws {
  std::string_view header;
  std::string_view payload;
  std::string_view signature;
  std::string_view signing_input;  // header "." payload, the bytes the signature covers
};

Result<CompactJws> split_compact(std::string_view token) {
  const std::size_t first = token.find('.');
  const std::size_t second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) {
    return invalid_token("The token is not a JWS in compact serialization (three dot-separated parts)");
  }
  return CompactJws{token.substr(0, first), token.substr(first + 1, second - first - 1), token.substr(second + 1),
                    token.substr(0, second)};
}

Result<json> decode_json_part(std::string_view part, std::string_view what) {
  auto bytes = base64::decode_url(part);
  if (!bytes.ok()) return invalid_token(fmt::format("The token {} is not base64url", what));
  auto object = parse_json_object(*bytes);
  if (!object.ok()) return invalid_token(fmt::format("The token {}: {}", what, object.error().message));
  return std::move(object).value();
}

struct SelectedKey {
  const Jwk* key;
  JwsAlgorithm algorithm;
};

Result<SelectedKey> select_key(const json& header, const Jwks& keys) {
  if (header.contains("crit")) return invalid_token("The token header has critical extensions berth does not support");
  auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string()) return invalid_token("The token header has no alg");
  auto algorithm = parse_jws_algorithm(alg->get_ref<const std::string&>());
  if (!algorithm) {
    return invalid_token(fmt::format("The token is signed with an unsupported algorithm {}",
                                     alg->get_ref<const std::string&>().substr(0, 16)));
  }
  auto kid = header.find("kid");
  if (kid == header.end() || !kid->is_string() || kid->get_ref<const std::string&>().empty()) {
    return invalid_token("The token header has no kid");
  }
  const Jwk* key = keys.find(kid->get_ref<const std::string&>());
  if (key == nullptr) return make_error(ErrorCode::not_found, "The token's kid is not among the issuer's keys");
  if (!key->allows(*algorithm)) {
    return invalid_token(
        fmt::format("The token's algorithm {} is not allowed for its key", jws_algorithm_name(*algorithm)));
  }
  return SelectedKey{key, *algorithm};
}

// A NumericDate claim (RFC 7519 §2): seconds since the epoch, integer or not; nullopt when absent.
Result<std::optional<Clock::time_point>> numeric_date(const json& claims, const char* name) {
  auto member = claims.find(name);
  if (member == claims.end()) return std::optional<Clock::time_point>{};
  if (!member->is_number()) return invalid_token(fmt::format("The token claim {} is not a number", name));
  const double seconds = member->get<double>();
  if (!(seconds >= 0 && seconds <= kLatestNumericDate)) {
    return invalid_token(fmt::format("The token claim {} is out of range", name));
  }
  return std::optional<Clock::time_point>(
      Clock::time_point(std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds))));
}

Result<std::string> required_string(const json& claims, const char* name) {
  auto member = claims.find(name);
  if (member == claims.end() || !member->is_string() || member->get_ref<const std::string&>().empty()) {
    return invalid_token(fmt::format("The token has no {} claim", name));
  }
  return member->get<std::string>();
}

Result<std::vector<std::string>> audiences(const json& claims) {
  auto aud = claims.find("aud");
  if (aud != claims.end() && aud->is_string()) return std::vector<std::string>{aud->get<std::string>()};
  if (aud == claims.end() || !aud->is_array() || aud->empty()) return invalid_token("Incorrect token audience");
  std::vector<std::string> values;
  for (const auto& value : *aud) {
    if (!value.is_string()) return invalid_token("Incorrect token audience");
    values.push_back(value.get<std::string>());
  }
  return values;
}

Status check_options(const VerifyOptions& options) {
  if (options.now == Clock::time_point{} || options.issuer.empty() || options.accepted_audiences.empty()) {
    return make_error(ErrorCode::internal, "verify_jwt called without now, issuer or accepted audiences");
  }
  return {};
}

Result<VerifiedToken> check_claims(json header, json claims, const VerifyOptions& options) {
  VerifiedToken token;
  auto issuer = required_string(claims, "iss");
  if (!issuer.ok()) return std::move(issuer).error();
  if (*issuer != options.issuer) {
    return invalid_token(fmt::format("No OpenIDConnect provider found in your account for {}", issuer->substr(0, 256)));
  }
  token.issuer = std::move(issuer).value();

  auto audience = audiences(claims);
  if (!audience.ok()) return std::move(audience).error();
  const auto accepted = [&](const std::string& value) {
    return std::find(options.accepted_audiences.begin(), options.accepted_audiences.end(), value) !=
           options.accepted_audiences.end();
  };
  if (std::none_of(audience->begin(), audience->end(), accepted)) return invalid_token("Incorrect token audience");
  token.audiences = std::move(audience).value();

  auto expires = numeric_date(claims, "exp");
  if (!expires.ok()) return std::move(expires).error();
  if (!*expires) return invalid_token("The token has no exp claim");
  if (options.now >= **expires + options.leeway) {
    return make_error(ErrorCode::aws_expired_identity_token,
                      fmt::format("Token expired: current date/time {} must be before the expiration date/time {}",
                                  epoch_seconds(options.now), epoch_seconds(**expires)));
  }
  token.expires_at = **expires;

  auto not_before = numeric_date(claims, "nbf");
  if (!not_before.ok()) return std::move(not_before).error();
  if (*not_before && options.now < **not_before - options.leeway) {
    return invalid_token(
        fmt::format("Token is not yet valid: current date/time {} is before the not-before date/time {}",
                    epoch_seconds(options.now), epoch_seconds(**not_before)));
  }

  auto issued = numeric_date(claims, "iat");
  if (!issued.ok()) return std::move(issued).error();
  if (*issued && **issued > options.now + options.leeway) {
    return invalid_token(fmt::format("Token issue date/time {} is in the future (current date/time {})",
                                     epoch_seconds(**issued), epoch_seconds(options.now)));
  }
  token.issued_at = issued->value_or(Clock::time_point{});

  auto subject = required_string(claims, "sub");
  if (!subject.ok()) return std::move(subject).error();
  token.subject = std::move(subject).value();

  token.header = std::move(header);
  token.claims = std::move(claims);
  return token;
}

}  // namespace

Result<VerifiedToken> verify_jwt(std::string_view token, const Jwks& keys, const VerifyOptions& options) {
  BERTH_TRY(check_options(options));
  if (token.size() > options.max_token_bytes) {
    return invalid_token(fmt::format("The token is larger than {} bytes", options.max_token_bytes));
  }
  auto parts = split_compact(token);
  if (!parts.ok()) return std::move(parts).error();
  auto header = decode_json_part(parts->header, "header");
  if (!header.ok()) return std::move(header).error();
  auto selected = select_key(*header, keys);
  if (!selected.ok()) return std::move(selected).error();

  auto signature = base64::decode_url(parts->signature);
  if (!signature.ok()) return invalid_token("The token signature is not base64url");
  if (!verify_jws_signature(selected->algorithm, selected->key->public_key(), parts->signing_input, *signature)) {
    return invalid_token("The token signature is invalid");
  }

  // The payload is parsed only once the issuer's signature vouches for it.
  auto claims = decode_json_part(parts->payload, "payload");
  if (!claims.ok()) return std::move(claims).error();
  return check_claims(std::move(header).value(), std::move(claims).value(), options);
}

}  // namespace berth::oidc
