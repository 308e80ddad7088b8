#include "http/request_framing.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace berth::http {
namespace {

struct Head {
  unsigned version = 11;
  std::vector<std::string_view> transfer_encoding = {};
  std::vector<std::string_view> host = {"registry.example:5000"};
  bool has_content_length = false;

  std::optional<FramingRefusal> check() const {
    return check_request_framing({version, transfer_encoding, host, has_content_length});
  }
};

int status_of(const Head& head) {
  auto refusal = head.check();
  return refusal ? refusal->status : 0;
}

TEST(RequestFraming, AcceptsOrdinaryRequests) {
  EXPECT_EQ(status_of({}), 0);
  EXPECT_EQ(status_of({.transfer_encoding = {"chunked"}}), 0);
  EXPECT_EQ(status_of({.transfer_encoding = {"Chunked "}}), 0);
  EXPECT_EQ(status_of({.has_content_length = true}), 0);
  EXPECT_EQ(status_of({.version = 10, .host = {}}), 0);
  EXPECT_EQ(status_of({.version = 10}), 0);
}

TEST(RequestFraming, TransferEncodingMustBeExactlyChunked) {
  EXPECT_EQ(status_of({.transfer_encoding = {"xchunked"}}), 400);
  EXPECT_EQ(status_of({.transfer_encoding = {"chunkedx"}}), 400);
  EXPECT_EQ(status_of({.transfer_encoding = {"chunked, identity"}}), 400);
  EXPECT_EQ(status_of({.transfer_encoding = {"identity"}}), 400);
  EXPECT_EQ(status_of({.transfer_encoding = {""}}), 400);
  EXPECT_EQ(status_of({.transfer_encoding = {"chunked", "chunked"}}), 400);
  EXPECT_EQ(status_of({.transfer_encoding = {"chunked, chunked"}}), 400);
  EXPECT_EQ(status_of({.transfer_encoding = {"gzip, chunked"}}), 501);
  EXPECT_EQ(status_of({.transfer_encoding = {"gzip", "chunked"}}), 501);
  EXPECT_EQ(status_of({.transfer_encoding = {"chunked"}, .has_content_length = true}), 400);
  EXPECT_EQ(status_of({.version = 10, .transfer_encoding = {"chunked"}}), 400);
}

TEST(RequestFraming, HostMustBeOneValidValue) {
  EXPECT_EQ(status_of({.host = {}}), 400);
  EXPECT_EQ(status_of({.host = {"a", "a"}}), 400);
  EXPECT_EQ(status_of({.version = 10, .host = {"a", "b"}}), 400);
  EXPECT_EQ(status_of({.host = {"a b"}}), 400);
  EXPECT_EQ(status_of({.version = 10, .host = {"a b"}}), 400);
  auto refusal = Head{.host = {}}.check();
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->reason, "HTTP/1.1 request without Host");
}

TEST(HostValue, FollowsRfc3986) {
  for (std::string_view valid : {"", "localhost", "localhost:5000", "127.0.0.1", "127.0.0.1:443", "[::1]", "[::1]:5000",
                                 "[2001:db8::1]", "registry.example", "a-b_c~d", "a%41", "host:"}) {
    EXPECT_TRUE(is_valid_host_value(valid)) << valid;
  }
  for (std::string_view invalid : {"a b", "a\tb", "a/b", "a@b", "a:b:80", "a:80x", "a:123456", "[::1", "[]", "[x::1]",
                                   "[::1]x", "[::1]:x", "a%4", "a%zz", "a\"b", "a?b", "a#b"}) {
    EXPECT_FALSE(is_valid_host_value(invalid)) << invalid;
  }
}

}  // namespace
}  // namespace berth::http
