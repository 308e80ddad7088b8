// The string-level canonical forms of AWS Signature Version 4 (interfaces.md §7.2): URI and query
// encoding, path normalisation, header value folding. Pure functions over bytes; sigv4.hpp assembles
// them into the canonical request.
//
// These follow what the server receives, not what a client meant: the path and query are taken
// undecoded from the request line, because that is what clients (botocore `_normalize_url_path`)
// encode when they sign.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::auth {

using QueryParameters = std::vector<std::pair<std::string, std::string>>;

// RFC 3986 encoding as SigV4 uses it: A-Z a-z 0-9 - _ . ~ kept, every other byte as upper-case %XX;
// '/' is also kept when `keep_slash`.
std::string uri_encode(std::string_view bytes, bool keep_slash);

// Decodes %XX escapes. '+' stays '+' (SigV4 clients encode spaces as %20), and a '%' not followed by
// two hex digits is kept literally rather than refused: the signature check decides.
std::string percent_decode(std::string_view text);

// Splits `a=1&b&c=` into decoded (name, value) pairs in order of appearance; a parameter without '='
// has an empty value; empty segments (`a=1&&b=2`) are skipped.
QueryParameters decode_query(std::string_view raw_query);

// CanonicalURI for every service except S3: dot segments removed and repeated '/' collapsed, a
// trailing '/' kept, then each byte not unreserved encoded once. An already-encoded `%20` therefore
// becomes `%2520`, exactly as botocore signs it. Empty path → "/".
std::string canonical_uri(std::string_view raw_path);

// CanonicalQueryString: names and values decoded then re-encoded, sorted by encoded name then value,
// `name=value` joined by '&'. A parameter named `excluded_name` (X-Amz-Signature in the presigned
// form) is left out.
std::string canonical_query_string(std::string_view raw_query, std::string_view excluded_name = {});

// Appends a header value trimmed of leading/trailing whitespace with inner whitespace runs
// (including folded line breaks) collapsed to one space.
void append_canonical_header_value(std::string& out, std::string_view value);

}  // namespace berth::auth
