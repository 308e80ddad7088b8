// The OCI Distribution grammar for repository names and tags. Anything that does not match is
// refused before it reaches storage, so no name can escape the data directory.
#pragma once

#include <string_view>

namespace berth {

// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*`, at most 255 bytes.
bool is_valid_repository_name(std::string_view name);
// `[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}`.
bool is_valid_tag(std::string_view tag);

}  // namespace berth
