// The one listener's router: sends each request to the front door that owns it
// (design.md §2). `/v2/...` goes to the OCI registry; `/healthz` and `/metrics` are answered here.
// The AWS front doors (STS query API, ECR JSON API on `POST /`) join here.
#pragma once

#include "common/metrics.hpp"
#include "http/message.hpp"
#include "registry/registry.hpp"

namespace berth::app {

class FrontDoor {
 public:
  FrontDoor(registry::Registry& registry, Metrics& metrics) : registry_(registry), metrics_(metrics) {}
  http::Task<http::Response> handle(http::Request& request);

 private:
  registry::Registry& registry_;
  Metrics& metrics_;
};

}  // namespace berth::app
