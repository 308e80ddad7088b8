// Upload sessions as every front door runs them (the registry's blob uploads, ECR's layer upload
// operations): a session is an upload in the BlobStore plus its record in the MetadataStore, and it
// ends by publishing the bytes as a blob linked into the session's repository. Blocking: run these
// on the blocking pool.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/digest.hpp"
#include "common/result.hpp"
#include "metadata/metadata_store.hpp"
#include "storage/blob_store.hpp"

namespace berth::registry {

// A new, empty session of `repository`; its id.
Result<std::string> open_upload_session(metadata::MetadataStore& metadata, storage::BlobStore& blobs,
                                        std::string_view repository);

// The session `id` of `repository`: blob_upload_unknown when there is none, or it belongs to another
// repository. An id of any other shape than upload_id.hpp's is unknown without asking a store, so no
// path-like id ever reaches storage.
Status find_upload_session(metadata::MetadataStore& metadata, std::string_view repository, std::string_view id);

// Forgets the session and its bytes; what is already gone is not an error.
void discard_upload_session(metadata::MetadataStore& metadata, storage::BlobStore& blobs, std::string_view id);

// Publishes the session's bytes as `digest` and links the blob into `repository`, ending the
// session. A digest mismatch (digest_invalid) keeps the session so the client may retry. The blob is
// marked used first, so garbage collection cannot remove bytes this publishes, or bytes already
// stored that the commit keeps instead (gc/garbage_collector.hpp). The blob's size.
Result<std::uint64_t> publish_upload(metadata::MetadataStore& metadata, storage::BlobStore& blobs,
                                     std::string_view repository, std::string_view id, const Digest& digest);

}  // namespace berth::registry
