#include "auth/sigv4.hpp"

#include <fmt/format.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>

#include "auth/sigv4_canonical.hpp"
#include "common/digest.hpp"

namespace berth::auth {
namespace {

using std::chrono::sys_seconds;

constexpr std::string_view kSignatureParameter = "X-Amz-Signature";
// AWS caps presigned URLs at seven days.
constexpr std::chrono::seconds kMaxPresignedExpiry = std::chrono::days(7);

Error incomplete(std::string message) { return make_error(ErrorCode::aws_incomplete_signature, std::move(message)); }
Error mismatch(std::string message) { return make_error(ErrorCode::aws_signature_does_not_match, std::move(message)); }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return lower(x) == lower(y); });
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int number(std::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

using Headers = std::vector<std::pair<std::string, std::string>>;

std::vector<std::string_view> header_values(const Headers& headers, std::string_view lower_name) {
  std::vector<std::string_view> values;
  for (const auto& [name, value] : headers) {
    if (iequals(name, lower_name)) values.push_back(value);
  }
  return values;
}

bool has_header(const Headers& headers, std::string_view lower_name) {
  return std::any_of(headers.begin(), headers.end(),
                     [&](const auto& header) { return iequals(header.first, lower_name); });
}

const std::string* find_parameter(const QueryParameters& parameters, std::string_view name) {
  auto it = std::find_if(parameters.begin(), parameters.end(), [&](const auto& p) { return p.first == name; });
  return it == parameters.end() ? nullptr : &it->second;
}

std::optional<sys_seconds> time_from_fields(int year, unsigned month, unsigned day, int hour, int minute, int second) {
  std::chrono::year_month_day date{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  if (!date.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
         std::chrono::seconds(second);
}

// `YYYYMMDDTHHMMSSZ`
std::optional<sys_seconds> parse_amz_date(std::string_view text) {
  if (text.size() != 16 || text[8] != 'T' || text[15] != 'Z' || !all_digits(text.substr(0, 8)) ||
      !all_digits(text.substr(9, 6))) {
    return std::nullopt;
  }
  return time_from_fields(number(text.substr(0, 4)), number(text.substr(4, 2)), number(text.substr(6, 2)),
                          number(text.substr(9, 2)), number(text.substr(11, 2)), number(text.substr(13, 2)));
}

// RFC 1123 `Sun, 30 Aug 2015 12:36:00 GMT`; botocore, when the caller set Date, writes the zone as
// `-0000` (email.utils.formatdate), so the numeric UTC forms are accepted too.
std::optional<sys_seconds> parse_http_date(std::string_view text) {
  constexpr std::array<std::string_view, 4> kUtcZones = {" GMT", " UTC", " +0000", " -0000"};
  constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::size_t comma = text.find(", ");
  if (comma == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(comma + 2);  // "30 Aug 2015 12:36:00 GMT"
  if (rest.size() < 20 || rest[2] != ' ' || rest[6] != ' ' || rest[11] != ' ' || rest[14] != ':' || rest[17] != ':' ||
      std::find(kUtcZones.begin(), kUtcZones.end(), rest.substr(20)) == kUtcZones.end() ||
      !all_digits(rest.substr(0, 2)) || !all_digits(rest.substr(7, 4)) || !all_digits(rest.substr(12, 2)) ||
      !all_digits(rest.substr(15, 2)) || !all_digits(rest.substr(18, 2))) {
    return std::nullopt;
  }
  auto month = std::find(kMonths.begin(), kMonths.end(), rest.substr(3, 3));
  if (month == kMonths.end()) return std::nullopt;
  return time_from_fields(number(rest.substr(7, 4)), static_cast<unsigned>(month - kMonths.begin() + 1),
                          number(rest.substr(0, 2)), number(rest.substr(12, 2)), number(rest.substr(15, 2)),
                          number(rest.substr(18, 2)));
}

// AWS writes windows as "15 min."; sub-minute windows only occur in tests.
std::string describe(std::chrono::seconds window) {
  if (window.count() % 60 == 0) return fmt::format("{} min.", window.count() / 60);
  return fmt::format("{} sec.", window.count());
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto byte = static_cast<unsigned char>(c);
    hex += kHex[byte >> 4];
    hex += kHex[byte & 0xf];
  }
  return hex;
}

// HMAC-SHA256 through an EVP_MAC context that each thread keeps and re-keys (callers hold it
// thread_local). OpenSSL 3's one-shot HMAC() fetches the algorithm and digest from the provider on
// every call, which costs more than hashing these short inputs (bench/micro/sigv4_bench.cpp).
class HmacSha256 {
 public:
  HmacSha256() : context_(algorithm() != nullptr ? EVP_MAC_CTX_new(algorithm()) : nullptr) {
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_END};
    ok_ = context_ != nullptr && EVP_MAC_CTX_set_params(context_, params) == 1;
  }
  ~HmacSha256() { EVP_MAC_CTX_free(context_); }
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  // Empty on failure. An empty key (a failed earlier step) fails too, so a derivation fails as a
  // whole and closed: no signature compares equal to an empty result.
  std::string operator()(std::string_view key, std::string_view data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    if (!ok_ || key.empty() ||
        EVP_MAC_init(context_, reinterpret_cast<const unsigned char*>(key.data()), key.size(), nullptr) != 1 ||
        EVP_MAC_update(context_, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
        EVP_MAC_final(context_, out, &length, sizeof out) != 1) {
      return {};
    }
    return std::string(reinterpret_cast<const char*>(out), length);
  }

 private:
  static EVP_MAC* algorithm() {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
  }

  EVP_MAC_CTX* context_;
  bool ok_ = false;
};

std::string derive_signing_key(HmacSha256& hmac, std::string_view secret_access_key, const SigV4Credential& scope) {
  std::string key = "AWS4";
  key += secret_access_key;
  std::string date_key = hmac(key, scope.date);
  std::string region_key = hmac(date_key, scope.region);
  std::string service_key = hmac(region_key, scope.service);
  return hmac(service_key, kSigV4Terminator);
}

// The three components common to the header and query forms, still unparsed.
struct RawAuthorization {
  std::string credential;
  std::string signed_headers;
  std::string signature;
};

Result<RawAuthorization> parse_header_form(std::string_view header) {
  header = trim(header);
  std::string_view algorithm = header.substr(0, header.find_first_of(" \t"));
  if (algorithm != kSigV4Algorithm) {
    return incomplete(fmt::format("Unsupported AWS 'algorithm': '{}'", algorithm));
  }
  RawAuthorization raw;
  bool seen_credential = false, seen_signed_headers = false, seen_signature = false;
  std::string_view rest = header.substr(algorithm.size());
  while (!rest.empty()) {
    std::size_t comma = rest.find(',');
    std::string_view component = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    std::size_t equals = component.find('=');
    std::string_view name = component.substr(0, equals);
    std::string value(equals == std::string_view::npos ? std::string_view{} : component.substr(equals + 1));
    bool* seen = nullptr;
    std::string* target = nullptr;
    if (name == "Credential") {
      seen = &seen_credential, target = &raw.credential;
    } else if (name == "SignedHeaders") {
      seen = &seen_signed_headers, target = &raw.signed_headers;
    } else if (name == "Signature") {
      seen = &seen_signature, target = &raw.signature;
    } else {
      return incomplete(fmt::format("Authorization header has an unexpected component '{}'", component));
    }
    if (*seen) return incomplete(fmt::format("Authorization header repeats '{}'", name));
    *seen = true;
    *target = std::move(value);
  }
  std::string missing;
  if (raw.credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (raw.signed_headers.empty()) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (raw.signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (!missing.empty()) return incomplete(missing + "Authorization=" + std::string(header));
  return raw;
}

Result<SigV4Credential> parse_credential(std::string_view text) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = text.find('/', start);
    parts.push_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 5 || std::any_of(parts.begin(), parts.end(), [](auto part) { return part.empty(); })) {
    return incomplete(fmt::format(
        "Credential '{}' is malformed; expecting \"<AccessKeyId>/<YYYYMMDD>/<region>/<service>/aws4_request\".", text));
  }
  if (parts[4] != kSigV4Terminator) {
    return mismatch(
        fmt::format("Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.", parts[4]));
  }
  if (parts[1].size() != 8 || !all_digits(parts[1])) {
    return incomplete(fmt::format("Credential scope date '{}' is not YYYYMMDD.", parts[1]));
  }
  return SigV4Credential{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
}

bool is_header_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
}

Result<std::vector<std::string>> parse_signed_headers(std::string_view text) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (true) {
    std::size_t semicolon = text.find(';', start);
    std::string_view name = text.substr(start, semicolon - start);
    if (name.empty() || !std::all_of(name.begin(), name.end(), is_header_name_char)) {
      return incomplete(fmt::format("SignedHeaders '{}' must be lower-case header names separated by ';'.", text));
    }
    names.emplace_back(name);
    if (semicolon == std::string_view::npos) break;
    start = semicolon + 1;
  }
  return names;
}

}  // namespace

Result<ParsedAuthorization> parse_authorization(const SignedRequest& request) {
  std::vector<std::string_view> authorization_headers = header_values(request.headers, "authorization");
  QueryParameters query = decode_query(request.raw_query);
  const std::string* query_algorithm = find_parameter(query, "X-Amz-Algorithm");
  if (authorization_headers.empty() && query_algorithm == nullptr) {
    return make_error(ErrorCode::aws_missing_authentication_token, "Request is missing Authentication Token");
  }
  if (!authorization_headers.empty() && query_algorithm != nullptr) {
    return incomplete(
        "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header "
        "should be specified");
  }
  if (authorization_headers.size() > 1) return incomplete("Only one Authorization header is allowed");

  ParsedAuthorization parsed;
  RawAuthorization raw;
  if (query_algorithm != nullptr) {
    if (*query_algorithm != kSigV4Algorithm) {
      return incomplete(fmt::format("Unsupported AWS 'algorithm': '{}'", *query_algorithm));
    }
    const std::string* credential = find_parameter(query, "X-Amz-Credential");
    const std::string* signed_headers = find_parameter(query, "X-Amz-SignedHeaders");
    const std::string* signature = find_parameter(query, kSignatureParameter);
    const std::string* date = find_parameter(query, "X-Amz-Date");
    const std::string* expires = find_parameter(query, "X-Amz-Expires");
    if (credential == nullptr || signed_headers == nullptr || signature == nullptr || date == nullptr ||
        expires == nullptr) {
      return incomplete(
          "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', "
          "'X-Amz-SignedHeaders', 'X-Amz-Date' and 'X-Amz-Expires'.");
    }
    if (expires->empty() || expires->size() > 7 || !all_digits(*expires) ||
        std::chrono::seconds(number(*expires)) > kMaxPresignedExpiry) {
      return incomplete("X-Amz-Expires must be a number of seconds no greater than 604800 (one week).");
    }
    raw = RawAuthorization{*credential, *signed_headers, *signature};
    parsed.amz_date = *date;
    parsed.presigned_expires = std::chrono::seconds(number(*expires));
  } else {
    Result<RawAuthorization> header_form = parse_header_form(authorization_headers.front());
    if (!header_form) return std::move(header_form).error();
    raw = std::move(*header_form);
    std::vector<std::string_view> amz_dates = header_values(request.headers, "x-amz-date");
    std::vector<std::string_view> dates = header_values(request.headers, "date");
    if (!amz_dates.empty()) {
      parsed.amz_date = trim(amz_dates.front());
    } else if (!dates.empty()) {
      std::optional<sys_seconds> date = parse_http_date(trim(dates.front()));
      if (!date) return incomplete(fmt::format("Date header '{}' is not an RFC 1123 date.", dates.front()));
      parsed.amz_date = format_amz_date(*date);
    } else {
      return incomplete("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
    }
  }
  if (!parse_amz_date(parsed.amz_date)) {
    return incomplete(
        fmt::format("X-Amz-Date '{}' must be in ISO 8601 basic format YYYYMMDD'T'HHMMSS'Z'.", parsed.amz_date));
  }

  Result<SigV4Credential> credential = parse_credential(raw.credential);
  if (!credential) return std::move(credential).error();
  parsed.credential = std::move(*credential);
  Result<std::vector<std::string>> signed_headers = parse_signed_headers(raw.signed_headers);
  if (!signed_headers) return std::move(signed_headers).error();
  parsed.signed_headers = std::move(*signed_headers);
  parsed.signature = std::move(raw.signature);

  if (std::vector<std::string_view> tokens = header_values(request.headers, "x-amz-security-token"); !tokens.empty()) {
    parsed.security_token = std::string(trim(tokens.front()));
  } else if (const std::string* token = find_parameter(query, "X-Amz-Security-Token")) {
    parsed.security_token = *token;
  }
  return parsed;
}

Status check_scope(const SigV4Credential& credential, std::string_view region, std::string_view service) {
  if (credential.region != region) {
    return mismatch(fmt::format("Credential should be scoped to a valid region, not '{}'.", credential.region));
  }
  if (credential.service != service) {
    return mismatch(fmt::format("Credential should be scoped to correct service: '{}'.", service));
  }
  return {};
}

std::string canonical_request(const SignedRequest& request, const ParsedAuthorization& authorization) {
  std::string out;
  out.reserve(512);
  out += request.method;
  out += '\n';
  out += canonical_uri(request.path);
  out += '\n';
  out += canonical_query_string(request.raw_query,
                                authorization.presigned_expires ? kSignatureParameter : std::string_view{});
  out += '\n';
  for (const std::string& name : authorization.signed_headers) {
    out += name;
    out += ':';
    bool first = true;
    for (const auto& [header_name, value] : request.headers) {
      if (!iequals(header_name, name)) continue;
      if (!first) out += ',';
      append_canonical_header_value(out, value);
      first = false;
    }
    out += '\n';
  }
  out += '\n';
  for (std::size_t i = 0; i < authorization.signed_headers.size(); ++i) {
    if (i > 0) out += ';';
    out += authorization.signed_headers[i];
  }
  out += '\n';
  out += request.payload_sha256_hex;
  return out;
}

std::string string_to_sign(const ParsedAuthorization& authorization, std::string_view canonical_request) {
  const SigV4Credential& credential = authorization.credential;
  return fmt::format("{}\n{}\n{}/{}/{}/{}\n{}", kSigV4Algorithm, authorization.amz_date, credential.date,
                     credential.region, credential.service, kSigV4Terminator, Hasher::of(canonical_request).hex());
}

std::string signing_key(std::string_view secret_access_key, std::string_view date, std::string_view region,
                        std::string_view service) {
  thread_local HmacSha256 hmac;
  return derive_signing_key(hmac, secret_access_key,
                            SigV4Credential{{}, std::string(date), std::string(region), std::string(service)});
}

std::string format_amz_date(sys_seconds time) {
  auto day = std::chrono::floor<std::chrono::days>(time);
  std::chrono::year_month_day date(day);
  std::chrono::hh_mm_ss clock(time - day);
  return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), clock.hours().count(),
                     clock.minutes().count(), clock.seconds().count());
}

std::string signature_of(std::string_view signing_key, std::string_view string_to_sign) {
  thread_local HmacSha256 hmac;
  return to_hex(hmac(signing_key, string_to_sign));
}

Status verify_signature(const SignedRequest& request, const ParsedAuthorization& authorization,
                        std::string_view secret_access_key, std::chrono::system_clock::time_point now,
                        std::chrono::seconds allowed_skew) {
  std::optional<sys_seconds> request_time = parse_amz_date(authorization.amz_date);
  if (!request_time) return incomplete(fmt::format("X-Amz-Date '{}' is malformed.", authorization.amz_date));
  std::string_view request_day = std::string_view(authorization.amz_date).substr(0, 8);
  if (authorization.credential.date != request_day) {
    return mismatch(fmt::format(
        "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}', "
        "from '{}'.",
        authorization.credential.date, request_day, authorization.amz_date));
  }

  sys_seconds server_time = std::chrono::floor<std::chrono::seconds>(now);
  if (*request_time > server_time + allowed_skew) {
    return mismatch(fmt::format("Signature not yet current: {} is still later than {} ({} + {})",
                                authorization.amz_date, format_amz_date(server_time + allowed_skew),
                                format_amz_date(server_time), describe(allowed_skew)));
  }
  // A presigned URL is good until it expires, however old; a header signature only within the window.
  std::chrono::seconds lifetime = authorization.presigned_expires.value_or(allowed_skew);
  if (*request_time < server_time - lifetime) {
    return mismatch(fmt::format("Signature expired: {} is now earlier than {} ({} - {})", authorization.amz_date,
                                format_amz_date(server_time - lifetime), format_amz_date(server_time),
                                describe(lifetime)));
  }

  const std::vector<std::string>& signed_headers = authorization.signed_headers;
  auto is_signed = [&](std::string_view name) {
    return std::find(signed_headers.begin(), signed_headers.end(), name) != signed_headers.end();
  };
  if (!is_signed("host")) {
    return mismatch("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
  if (!authorization.presigned_expires && has_header(request.headers, "x-amz-date") && !is_signed("x-amz-date")) {
    return mismatch("'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
  }
  for (const std::string& name : signed_headers) {
    if (!has_header(request.headers, name)) {
      return mismatch(fmt::format("Signed header '{}' is missing from the request.", name));
    }
  }
  for (std::string_view claimed : header_values(request.headers, "x-amz-content-sha256")) {
    if (trim(claimed) != request.payload_sha256_hex) {
      return mismatch("The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  }

  std::string canonical = canonical_request(request, authorization);
  std::string to_sign = string_to_sign(authorization, canonical);
  thread_local HmacSha256 hmac;
  std::string expected = to_hex(hmac(derive_signing_key(hmac, secret_access_key, authorization.credential), to_sign));
  if (expected.size() == 64 && expected.size() == authorization.signature.size() &&
      CRYPTO_memcmp(expected.data(), authorization.signature.data(), expected.size()) == 0) {
    return {};
  }
  // Like AWS, show what was signed here so a client (or a proxy rewriting Host) can be debugged.
  return mismatch(fmt::format(
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret "
      "Access Key and signing method. Consult the service documentation for details.\n\nThe Canonical String for "
      "this request should have been\n'{}'\n\nThe String-to-Sign should have been\n'{}'\n",
      canonical, to_sign));
}

}  // namespace berth::auth
