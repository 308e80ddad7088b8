// The one listener's router: sends each request to the front door that owns it (design.md §2).
// `/v2/...` goes to the OCI registry; `POST /` with an ECR `X-Amz-Target` to the ECR JSON API;
// other `POST /` and `GET /?Action=...` to the STS query API; `/healthz` and `/metrics` are
// answered here.
#pragma once

#include "aws/ecr_front_door.hpp"
#include "aws/sts_front_door.hpp"
#include "common/metrics.hpp"
#include "http/message.hpp"
#include "registry/registry.hpp"

namespace berth::app {

class FrontDoor {
 public:
  FrontDoor(registry::Registry& registry, aws::StsFrontDoor& sts, aws::EcrFrontDoor& ecr, Metrics& metrics)
      : registry_(registry), sts_(sts), ecr_(ecr), metrics_(metrics) {}
  http::Task<http::Response> handle(http::Request& request);

 private:
  registry::Registry& registry_;
  aws::StsFrontDoor& sts_;
  aws::EcrFrontDoor& ecr_;
  Metrics& metrics_;
};

}  // namespace berth::app
