// The STS query API (interfaces.md §4): `POST /` with an `application/x-www-form-urlencoded` body,
// or `GET /?Action=...`, answering in XML. Actions: AssumeRoleWithWebIdentity (unsigned: the web
// identity token is the credential, any signature is ignored) and GetCallerIdentity (SigV4, signing
// name "sts", with session credentials). `Version` must be 2011-06-15; unknown parameters are
// ignored. Every response, error or not, carries x-amzn-RequestId and Date (aws_error.hpp).
//
// The referenced options, providers, store, key ring, pool and audit batcher must outlive the front door.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "auth/key_ring.hpp"
#include "aws/aws_options.hpp"
#include "aws/form_params.hpp"
#include "aws/identity_providers.hpp"
#include "aws/sts_service.hpp"
#include "http/message.hpp"
#include "metadata/audit_batcher.hpp"
#include "metadata/metadata_store.hpp"

namespace berth::aws {

class StsFrontDoor {
 public:
  StsFrontDoor(const AwsOptions& options, IdentityProviders& providers, metadata::MetadataStore& metadata,
               const auth::KeyRing& keys, boost::asio::thread_pool& blocking, metadata::AuditBatcher& audit);

  http::Task<http::Response> handle(http::Request& request);

 private:
  http::Task<Result<http::Response>> dispatch(http::Request& request, std::string_view request_id);
  http::Task<Result<http::Response>> assume_role_with_web_identity(const http::Request& request,
                                                                   const FormParams& params,
                                                                   std::string_view request_id);
  Result<http::Response> get_caller_identity(const http::Request& request, std::string_view body,
                                             std::string_view request_id);

  const AwsOptions options_;
  const auth::KeyRing& keys_;
  metadata::MetadataStore& metadata_;  // long-lived access keys
  StsService service_;
};

}  // namespace berth::aws
