#include "storage/upload_states.hpp"

#include <utility>

namespace berth::storage {

UploadStates::Lease::Lease(Lease&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), id_(std::move(other.id_)), state_(std::move(other.state_)) {}

UploadStates::Lease::~Lease() {
  if (owner_ != nullptr) owner_->release(id_, std::move(state_));
}

Result<UploadStates::Lease> UploadStates::acquire(std::string_view id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.try_emplace(std::string(id)).first;
  if (it->second.leased) {
    return make_error(ErrorCode::blob_upload_invalid, "upload is in use by another request");
  }
  it->second.leased = true;
  return Lease(this, it->first, std::exchange(it->second.state, std::nullopt));
}

void UploadStates::release(const std::string& id, std::optional<UploadHashState> state) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  // Entries without state are dropped so unknown or finished uploads leave nothing behind.
  if (!state) {
    entries_.erase(it);
    return;
  }
  it->second.state = std::move(state);
  it->second.leased = false;
}

}  // namespace berth::storage
