#include "auth/key_ring.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <string>

#include "common/base64.hpp"
#include "storage/scoped_temp_dir.hpp"

namespace berth::auth {
namespace {

namespace fs = std::filesystem;

mode_t mode_of(const fs::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0);
  return status.st_mode & 0777;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_text(const fs::path& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  fs::permissions(path, static_cast<fs::perms>(mode));
}

RingKey key_of(char fill) { return *RingKey::from_bytes(std::string(kKeySize, fill)); }

TEST(RingKey, IdIsEightHexCharactersDerivedFromTheMaterial) {
  RingKey a = key_of('a');
  EXPECT_EQ(a.id().size(), 8u);
  EXPECT_EQ(a.id().find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(key_of('a').id(), a.id());
  EXPECT_NE(key_of('b').id(), a.id());
}

TEST(RingKey, GeneratesDistinctKeys) {
  Result<RingKey> one = RingKey::generate();
  Result<RingKey> two = RingKey::generate();
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_NE(one->to_base64(), two->to_base64());
}

TEST(RingKey, Base64RoundTripsAndRefusesOtherSizes) {
  RingKey key = key_of('k');
  Result<RingKey> again = RingKey::from_base64(key.to_base64());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->id(), key.id());
  EXPECT_EQ(RingKey::from_bytes(std::string(31, 'x')).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(RingKey::from_bytes(std::string(33, 'x')).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(RingKey::from_base64(base64::encode(std::string(16, 'x'))).error().code, ErrorCode::invalid_argument);
  EXPECT_EQ(RingKey::from_base64("not base64!").error().code, ErrorCode::invalid_argument);
}

TEST(KeyRing, AddFindAndRotateInMemory) {
  KeyRing ring(key_of('a'));
  EXPECT_EQ(ring.active().id(), key_of('a').id());
  ASSERT_TRUE(ring.add(key_of('b')).ok());
  EXPECT_EQ(ring.active().id(), key_of('a').id());
  ASSERT_TRUE(ring.rotate(key_of('c')).ok());
  EXPECT_EQ(ring.active().id(), key_of('c').id());
  EXPECT_NE(ring.find(key_of('a').id()), nullptr);
  EXPECT_NE(ring.find(key_of('b').id()), nullptr);
  EXPECT_EQ(ring.find("00000000"), nullptr);
  EXPECT_EQ(ring.size(), 3u);
  Status duplicate = ring.add(key_of('b'));
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.error().code, ErrorCode::conflict);
  EXPECT_FALSE(ring.rotate(key_of('a')).ok());
  EXPECT_EQ(ring.active().id(), key_of('c').id());
}

TEST(KeyRing, FromKeysMakesTheFirstActive) {
  std::vector<std::string> keys{key_of('n').to_base64(), key_of('o').to_base64()};
  Result<KeyRing> ring = KeyRing::from_keys(keys);
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(ring->active().id(), key_of('n').id());
  EXPECT_NE(ring->find(key_of('o').id()), nullptr);
}

TEST(KeyRing, FromKeysRefusesEmptyMalformedAndRepeatedKeys) {
  EXPECT_EQ(KeyRing::from_keys({}).error().code, ErrorCode::invalid_argument);
  std::vector<std::string> malformed{key_of('n').to_base64(), "short"};
  EXPECT_EQ(KeyRing::from_keys(malformed).error().code, ErrorCode::invalid_argument);
  std::vector<std::string> repeated{key_of('n').to_base64(), key_of('n').to_base64()};
  Result<KeyRing> ring = KeyRing::from_keys(repeated);
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(ring.error().message.find("already in the ring"), std::string::npos);
}

TEST(KeyRingDirectory, CreatesAPrivateDirectoryAndFirstKey) {
  test::ScopedTempDir temp;
  fs::path dir = temp.path() / "data" / "keys";
  Result<KeyRing> ring = KeyRing::load_or_create(dir);
  ASSERT_TRUE(ring.ok()) << ring.error().message;
  EXPECT_EQ(ring->size(), 1u);
  EXPECT_EQ(mode_of(dir), 0700u);
  fs::path file = dir / "000001.key";
  ASSERT_TRUE(fs::exists(file));
  EXPECT_EQ(mode_of(file), 0600u);
  std::string text = read_text(file);
  ASSERT_TRUE(text.ends_with('\n'));
  EXPECT_EQ(RingKey::from_base64(text.substr(0, text.size() - 1))->id(), ring->active().id());
  // Nothing else is left behind (no temp files).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);

  Result<KeyRing> again = KeyRing::load_or_create(dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->active().id(), ring->active().id());
  EXPECT_EQ(again->size(), 1u);
}

TEST(KeyRingDirectory, RotationAddsTheNewActiveKeyAndKeepsOldOnes) {
  test::ScopedTempDir temp;
  fs::path dir = temp.path() / "keys";
  Result<KeyRing> first = KeyRing::load_or_create(dir);
  ASSERT_TRUE(first.ok());
  Result<std::string> second_id = KeyRing::rotate_directory(dir);
  ASSERT_TRUE(second_id.ok()) << second_id.error().message;
  Result<std::string> third_id = KeyRing::rotate_directory(dir);
  ASSERT_TRUE(third_id.ok());
  EXPECT_TRUE(fs::exists(dir / "000003.key"));
  EXPECT_EQ(mode_of(dir / "000003.key"), 0600u);

  Result<KeyRing> ring = KeyRing::load_or_create(dir);
  ASSERT_TRUE(ring.ok());
  EXPECT_EQ(ring->size(), 3u);
  EXPECT_EQ(ring->active().id(), *third_id);
  EXPECT_NE(ring->find(first->active().id()), nullptr);
  EXPECT_NE(ring->find(*second_id), nullptr);
}

TEST(KeyRingDirectory, OrdersBySequenceAndIgnoresOtherNames) {
  test::ScopedTempDir temp;
  fs::path dir = temp.path() / "keys";
  fs::create_directory(dir);
  fs::permissions(dir, fs::perms::owner_all);
  write_text(dir / "000010.key", key_of('t').to_base64() + "\n", 0600);
  write_text(dir / "000002.key", key_of('s').to_base64(), 0600);  // newline optional
  write_text(dir / ".tmp-1-abcdef01", "garbage", 0600);
  write_text(dir / "000003.key.bak", "garbage", 0644);
  write_text(dir / "README", "garbage", 0644);
  Result<KeyRing> ring = KeyRing::load_or_create(dir);
  ASSERT_TRUE(ring.ok()) << ring.error().message;
  EXPECT_EQ(ring->size(), 2u);
  EXPECT_EQ(ring->active().id(), key_of('t').id());
  Result<std::string> next = KeyRing::rotate_directory(dir);
  ASSERT_TRUE(next.ok());
  EXPECT_TRUE(fs::exists(dir / "000011.key"));
}

TEST(KeyRingDirectory, RefusesADirectoryOthersCanRead) {
  test::ScopedTempDir temp;
  fs::path dir = temp.path() / "keys";
  fs::create_directory(dir);
  fs::permissions(dir, static_cast<fs::perms>(0755));
  Result<KeyRing> ring = KeyRing::load_or_create(dir);
  ASSERT_FALSE(ring.ok());
  EXPECT_EQ(ring.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(ring.error().message.find("chmod 700"), std::string::npos);
  EXPECT_TRUE(fs::is_empty(dir));
}

TEST(KeyRingDirectory, RefusesAKeyFileOthersCanRead) {
  test::ScopedTempDir temp;
  fs::path dir = temp.path() / "keys";
  ASSERT_TRUE(KeyRing::load_or_create(dir).ok());
  fs::permissions(dir / "000001.key", static_cast<fs::perms>(0640));
  Result<KeyRing> ring = KeyRing::load_or_create(dir);
  ASSERT_FALSE(ring.ok());
  EXPECT_NE(ring.error().message.find("chmod 600"), std::string::npos);
}

TEST(KeyRingDirectory, RefusesMalformedAndRepeatedKeyFiles) {
  test::ScopedTempDir temp;
  fs::path dir = temp.path() / "keys";
  ASSERT_TRUE(KeyRing::load_or_create(dir).ok());
  write_text(dir / "000002.key", "bm90IGEga2V5\n", 0600);
  Result<KeyRing> malformed = KeyRing::load_or_create(dir);
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.error().code, ErrorCode::invalid_argument);
  EXPECT_NE(malformed.error().message.find("000002.key"), std::string::npos);

  fs::remove(dir / "000002.key");
  fs::copy_file(dir / "000001.key", dir / "000002.key");
  Result<KeyRing> repeated = KeyRing::load_or_create(dir);
  ASSERT_FALSE(repeated.ok());
  EXPECT_NE(repeated.error().message.find("already in the ring"), std::string::npos);
}

TEST(KeyRingDirectory, RefusesAPathThatIsNotADirectory) {
  test::ScopedTempDir temp;
  write_text(temp.path() / "keys", "x", 0600);
  Result<KeyRing> ring = KeyRing::load_or_create(temp.path() / "keys");
  ASSERT_FALSE(ring.ok());
  EXPECT_NE(ring.error().message.find("not a directory"), std::string::npos);
}

}  // namespace
}  // namespace berth::auth
