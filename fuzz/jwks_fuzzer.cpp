// An identity provider's JWKS document (oidc/jwks): fetched over the network, so outside bytes.
#include <set>

#include "fuzz_input.hpp"
#include "oidc/jwks.hpp"

using berth::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto jwks = berth::oidc::Jwks::parse(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!jwks) return 0;
  std::set<std::string> kids;
  for (const auto& key : jwks->keys()) {
    check(!key.kid().empty(), "a usable key without kid");
    check(kids.insert(key.kid()).second, "two usable keys with one kid");
    check(jwks->find(key.kid()) == &key, "find() does not return the key of its kid");
    check(key.public_key() != nullptr, "a usable key without key material");
    check(key.use().empty() || key.use() == "sig", "a usable key not for signatures");
    if (key.alg()) check(key.allows(*key.alg()), "a key that refuses its own alg");
  }
  return 0;
}
