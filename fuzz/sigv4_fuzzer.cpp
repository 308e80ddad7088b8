// SigV4-signed requests (auth/sigv4, auth/sigv4_canonical): the Authorization header or presigned
// query, and the canonical request built from what the client sent. Input: the method line, the
// request-target line, then `Name: value` header lines.
#include <chrono>

#include "auth/sigv4.hpp"
#include "auth/sigv4_canonical.hpp"
#include "fuzz_input.hpp"

using berth::fuzz::check;
namespace auth = berth::auth;

namespace {

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.' || c == '~';
}

// Every byte of an encoded string is unreserved, '/', or part of an upper-case %XX escape.
bool is_encoded(std::string_view text, bool slash_allowed) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_unreserved(c) || (slash_allowed && c == '/')) continue;
    if (c != '%' || text.size() - i < 3) return false;
    for (const char digit : text.substr(i + 1, 2)) {
      if (!((digit >= '0' && digit <= '9') || (digit >= 'A' && digit <= 'F'))) return false;
    }
    i += 2;
  }
  return true;
}

void check_canonical_forms(std::string_view path, std::string_view raw_query) {
  for (const bool keep_slash : {false, true}) {
    const std::string encoded = auth::uri_encode(path, keep_slash);
    check(is_encoded(encoded, keep_slash), "uri_encode left a reserved byte");
    check(auth::percent_decode(encoded) == path, "percent_decode does not undo uri_encode");
  }
  const std::string uri = auth::canonical_uri(path);
  if (path.empty() || path.starts_with('/')) check(uri.starts_with('/'), "canonical URI does not start with '/'");
  check(is_encoded(uri, true), "canonical URI holds a reserved byte");
  const std::string query = auth::canonical_query_string(raw_query);
  check(query.find_first_of("+ \n") == std::string::npos, "canonical query holds an unencoded byte");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  berth::fuzz::Input input(data, size);
  auth::SignedRequest request;
  request.method = std::string(input.line());
  const std::string_view target = input.line();
  const auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.raw_query = std::string(target.substr(question + 1));
  request.payload_sha256_hex = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
  while (!input.empty()) {
    const std::string_view line = input.line();
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  check_canonical_forms(request.path, request.raw_query);

  const auto parsed = auth::parse_authorization(request);
  if (!parsed) return 0;
  (void)auth::check_scope(parsed->credential, "us-east-1", "ecr");
  const std::string canonical = auth::canonical_request(request, *parsed);
  check(canonical.starts_with(request.method + "\n"), "canonical request does not start with the method");
  check(auth::string_to_sign(*parsed, canonical).starts_with("AWS4-HMAC-SHA256\n"), "string to sign without algorithm");
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
  (void)auth::verify_signature(request, *parsed, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", now,
                               auth::kDefaultAllowedSkew);
  return 0;
}
