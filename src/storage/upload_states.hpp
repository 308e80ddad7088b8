// The running hash of every upload between requests, and the one-writer-per-upload rule.
//
// A caller acquires a Lease on an upload id before touching the upload's bytes; a second acquire of
// the same id fails with blob_upload_invalid until the first Lease is destroyed. The Lease carries the
// cached hash state out of the table and puts it back on destruction, so a chunked upload hashes each
// byte once. The state is only a cache: after a restart it is absent and the caller rebuilds it from
// the stored bytes. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/digest.hpp"
#include "common/result.hpp"

namespace berth::storage {

struct UploadHashState {
  Hasher hasher;
  std::uint64_t offset = 0;  // bytes the hasher has seen
};

class UploadStates {
 public:
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();

    // nullopt when nothing is cached for the upload (first use since start-up, or dropped).
    std::optional<UploadHashState>& state() { return state_; }
    const std::optional<UploadHashState>& state() const { return state_; }
    // The upload is gone (committed or deleted): forget its state instead of returning it.
    void drop() { state_.reset(); }

   private:
    friend class UploadStates;
    Lease(UploadStates* owner, std::string id, std::optional<UploadHashState> state)
        : owner_(owner), id_(std::move(id)), state_(std::move(state)) {}

    UploadStates* owner_;
    std::string id_;
    std::optional<UploadHashState> state_;
  };

  // blob_upload_invalid while another Lease on `id` lives.
  Result<Lease> acquire(std::string_view id);

 private:
  struct Entry {
    std::optional<UploadHashState> state;
    bool leased = false;
  };

  void release(const std::string& id, std::optional<UploadHashState> state);

  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace berth::storage
