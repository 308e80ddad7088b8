// Upload session ids: random UUID v4 (RFC 9562), lower-case. The id travels in the upload URL and
// names the upload in storage, so a request's id is checked against this exact shape before any
// store sees it.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace berth::registry {

// 122 random bits from OpenSSL's CSPRNG; internal error if it cannot be seeded.
Result<std::string> new_upload_id();

// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower-case hex.
bool is_valid_upload_id(std::string_view id);

}  // namespace berth::registry
