// kubeconfig files (provision/kubeconfig): YAML written by other tools. File references resolve
// against a directory that does not exist, so the target reads no files of its own.
#include "fuzz_input.hpp"
#include "provision/kubeconfig.hpp"

using berth::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  berth::fuzz::Input input(data, size);
  const std::string_view context = input.line();
  const auto credentials = berth::provision::parse_kubeconfig(input.rest(), context, "/nonexistent-fuzz-dir");
  if (!credentials) {
    check(credentials.error().code == berth::ErrorCode::invalid_argument || credentials.error().code == berth::ErrorCode::not_found,
          "refusal other than invalid_argument or not_found");
    return 0;
  }
  check(!credentials->server.empty(), "credentials without a server");
  return 0;
}
