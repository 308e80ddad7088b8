#include "auth/key_ring.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <system_error>

#include "common/base64.hpp"
#include "common/digest.hpp"
#include "common/unique_fd.hpp"

namespace berth::auth {
namespace {

namespace fs = std::filesystem;

// Domain separation, so the id is never the hash someone else computes over the same key.
constexpr std::string_view kIdContext = "berth key ring id\n";
constexpr std::size_t kIdLength = 8;
constexpr std::string_view kKeySuffix = ".key";
constexpr std::size_t kSequenceDigits = 6;
constexpr unsigned kMaxSequence = 1'000'000;
// A key file is 44 characters of base64 and a newline; anything much larger is not one.
constexpr std::size_t kMaxKeyFileSize = 128;

Error errno_error(std::string_view operation, const fs::path& path, int error_number) {
  return make_error(ErrorCode::internal,
                    fmt::format("key ring: {} {}: {}", operation, path.string(), std::strerror(error_number)));
}

Status fsync_directory(const fs::path& directory) {
  UniqueFd fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return errno_error("open", directory, errno);
  if (::fsync(fd.get()) != 0) return errno_error("fsync", directory, errno);
  return {};
}

Status refuse_shared_mode(mode_t mode, const fs::path& path, std::string_view fix) {
  if ((mode & 077) != 0) {
    return make_error(
        ErrorCode::invalid_argument,
        fmt::format("key ring: {} is accessible by group or others (mode {:o}); {}", path.string(), mode & 0777, fix));
  }
  return {};
}

// Creates `directory` with mode 0700, or checks the mode of an existing one.
Status prepare_directory(const fs::path& directory) {
  std::error_code error;
  fs::path parent = directory.parent_path();
  if (!parent.empty()) {
    fs::create_directories(parent, error);
    if (error) return errno_error("create", parent, error.value());
  }
  if (::mkdir(directory.c_str(), 0700) == 0) return fsync_directory(parent.empty() ? fs::path(".") : parent);
  if (errno != EEXIST) return errno_error("mkdir", directory, errno);
  struct stat status {};
  if (::lstat(directory.c_str(), &status) != 0) return errno_error("stat", directory, errno);
  if (!S_ISDIR(status.st_mode)) {
    return make_error(ErrorCode::invalid_argument, fmt::format("key ring: {} is not a directory", directory.string()));
  }
  return refuse_shared_mode(status.st_mode, directory, "run chmod 700 on it");
}

// `NNNNNN.key` → NNNNNN; nullopt for any other name (temp files, editor leftovers).
std::optional<unsigned> sequence_of(const std::string& name) {
  if (name.size() != kSequenceDigits + kKeySuffix.size() || !name.ends_with(kKeySuffix)) return std::nullopt;
  unsigned sequence = 0;
  for (std::size_t i = 0; i < kSequenceDigits; ++i) {
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
    sequence = sequence * 10 + static_cast<unsigned>(name[i] - '0');
  }
  return sequence;
}

std::string file_name(unsigned sequence) { return fmt::format("{:0{}}{}", sequence, kSequenceDigits, kKeySuffix); }

Result<RingKey> read_key_file(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return errno_error("open", path, errno);
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) return errno_error("stat", path, errno);
  BERTH_TRY(refuse_shared_mode(status.st_mode, path, "run chmod 600 on it"));
  std::string text(kMaxKeyFileSize + 1, '\0');
  std::size_t size = 0;
  while (size < text.size()) {
    ssize_t got = ::read(fd.get(), text.data() + size, text.size() - size);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return errno_error("read", path, errno);
    if (got == 0) break;
    size += static_cast<std::size_t>(got);
  }
  text.resize(size);
  if (text.ends_with('\n')) text.pop_back();
  Result<RingKey> key = RingKey::from_base64(text);
  if (!key)
    return make_error(ErrorCode::invalid_argument, fmt::format("key ring: {}: {}", path.string(), key.error().message));
  return key;
}

// Reads the directory's key files in sequence order; the last is the newest.
Result<std::map<unsigned, fs::path>> list_key_files(const fs::path& directory) {
  std::map<unsigned, fs::path> files;
  std::error_code error;
  for (fs::directory_iterator it(directory, error), end; !error && it != end; it.increment(error)) {
    if (std::optional<unsigned> sequence = sequence_of(it->path().filename().string())) files[*sequence] = it->path();
  }
  if (error) return errno_error("list", directory, error.value());
  return files;
}

Status write_all(int fd, std::string_view bytes, const fs::path& path) {
  while (!bytes.empty()) {
    ssize_t wrote = ::write(fd, bytes.data(), bytes.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote < 0) return errno_error("write", path, errno);
    bytes.remove_prefix(static_cast<std::size_t>(wrote));
  }
  return {};
}

// Publishes `key` as the first free sequence number at or after `sequence`. Returns the number
// used. link(2) refuses to replace, so a concurrent writer makes us try the next number.
Result<unsigned> publish_key(const fs::path& directory, const RingKey& key, unsigned sequence) {
  fs::path temp = directory / fmt::format(".tmp-{}-{}", ::getpid(), key.id());
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return errno_error("create", temp, errno);
  Status written = write_all(fd.get(), key.to_base64() + "\n", temp);
  if (written.ok() && ::fsync(fd.get()) != 0) written = errno_error("fsync", temp, errno);
  fd.reset();
  std::optional<unsigned> published;
  while (written.ok() && !published) {
    if (sequence >= kMaxSequence) {
      written = make_error(ErrorCode::internal,
                           fmt::format("key ring: {} holds the last possible key number", directory.string()));
      break;
    }
    fs::path target = directory / file_name(sequence);
    if (::link(temp.c_str(), target.c_str()) == 0) {
      published = sequence;
    } else if (errno == EEXIST) {
      ++sequence;
    } else {
      written = errno_error("link", target, errno);
    }
  }
  ::unlink(temp.c_str());
  BERTH_TRY(written);
  BERTH_TRY(fsync_directory(directory));
  return *published;
}

}  // namespace

// --- RingKey ---

RingKey::RingKey(std::span<const unsigned char, kKeySize> material) {
  std::copy(material.begin(), material.end(), material_.begin());
  std::string context(kIdContext);
  context.append(reinterpret_cast<const char*>(material_.data()), material_.size());
  id_ = Hasher::of(context).hex().substr(0, kIdLength);
  OPENSSL_cleanse(context.data(), context.size());
}

RingKey::~RingKey() { OPENSSL_cleanse(material_.data(), material_.size()); }

Result<RingKey> RingKey::generate() {
  std::array<unsigned char, kKeySize> material{};
  if (RAND_bytes(material.data(), static_cast<int>(material.size())) != 1) {
    return make_error(ErrorCode::internal, "key ring: RAND_bytes failed");
  }
  RingKey key(material);
  OPENSSL_cleanse(material.data(), material.size());
  return key;
}

Result<RingKey> RingKey::from_bytes(std::string_view material) {
  if (material.size() != kKeySize) {
    return make_error(ErrorCode::invalid_argument,
                      fmt::format("key ring: a key is {} bytes, not {}", kKeySize, material.size()));
  }
  return RingKey(
      std::span<const unsigned char, kKeySize>(reinterpret_cast<const unsigned char*>(material.data()), kKeySize));
}

Result<RingKey> RingKey::from_base64(std::string_view text) {
  Result<std::string> material = base64::decode(text);
  if (!material) return make_error(ErrorCode::invalid_argument, "key ring: a key must be base64 text");
  Result<RingKey> key = from_bytes(*material);
  OPENSSL_cleanse(material->data(), material->size());
  return key;
}

std::string RingKey::to_base64() const {
  return base64::encode(std::string_view(reinterpret_cast<const char*>(material_.data()), material_.size()));
}

// --- KeyRing ---

KeyRing::KeyRing(RingKey active) { keys_.push_back(std::move(active)); }

Result<KeyRing> KeyRing::load_or_create(const fs::path& directory) {
  BERTH_TRY(prepare_directory(directory));
  Result<std::map<unsigned, fs::path>> files = list_key_files(directory);
  if (!files) return std::move(files).error();
  if (files->empty()) {
    Result<RingKey> first = RingKey::generate();
    if (!first) return std::move(first).error();
    Result<unsigned> published = publish_key(directory, *first, 1);
    if (!published) return std::move(published).error();
    // Another process may have published its own first key a moment earlier; reading the
    // directory again makes both agree on the newest one.
    files = list_key_files(directory);
    if (!files) return std::move(files).error();
  }
  std::optional<KeyRing> ring;
  for (const auto& [sequence, path] : *files) {
    Result<RingKey> key = read_key_file(path);
    if (!key) return std::move(key).error();
    if (!ring) {
      ring.emplace(std::move(*key));
      continue;
    }
    Status added = ring->rotate(std::move(*key));
    if (!added.ok())
      return make_error(ErrorCode::invalid_argument, fmt::format("{} ({})", added.error().message, path.string()));
  }
  return std::move(*ring);
}

Result<KeyRing> KeyRing::from_keys(std::span<const std::string> base64_keys) {
  if (base64_keys.empty()) return make_error(ErrorCode::invalid_argument, "key ring: no keys configured");
  Result<RingKey> active = RingKey::from_base64(base64_keys.front());
  if (!active) return std::move(active).error();
  KeyRing ring(std::move(*active));
  for (const std::string& text : base64_keys.subspan(1)) {
    Result<RingKey> key = RingKey::from_base64(text);
    if (!key) return std::move(key).error();
    Status added = ring.add(std::move(*key));
    if (!added.ok()) return make_error(ErrorCode::invalid_argument, added.error().message);
  }
  return ring;
}

Result<std::string> KeyRing::rotate_directory(const fs::path& directory) {
  Result<std::map<unsigned, fs::path>> files = list_key_files(directory);
  if (!files) return std::move(files).error();
  Result<RingKey> key = RingKey::generate();
  if (!key) return std::move(key).error();
  unsigned next = files->empty() ? 1 : files->rbegin()->first + 1;
  Result<unsigned> published = publish_key(directory, *key, next);
  if (!published) return std::move(published).error();
  return key->id();
}

Status KeyRing::add(RingKey key) {
  if (find(key.id()) != nullptr) {
    return make_error(ErrorCode::conflict, fmt::format("key ring: key {} is already in the ring", key.id()));
  }
  keys_.push_back(std::move(key));
  return {};
}

Status KeyRing::rotate(RingKey key) {
  BERTH_TRY(add(std::move(key)));
  active_ = keys_.size() - 1;
  return {};
}

const RingKey* KeyRing::find(std::string_view id) const {
  auto found = std::find_if(keys_.begin(), keys_.end(), [&](const RingKey& key) { return key.id() == id; });
  return found == keys_.end() ? nullptr : &*found;
}

}  // namespace berth::auth
