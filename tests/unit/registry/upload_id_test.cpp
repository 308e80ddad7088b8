#include "registry/upload_id.hpp"

#include <gtest/gtest.h>

#include <set>

namespace berth::registry {
namespace {

TEST(UploadId, NewIdsAreDistinctVersion4Uuids) {
  std::set<std::string> seen;
  for (int i = 0; i < 64; ++i) {
    auto id = new_upload_id();
    ASSERT_TRUE(id.ok());
    EXPECT_TRUE(is_valid_upload_id(*id)) << *id;
    EXPECT_EQ((*id)[14], '4') << *id;
    EXPECT_NE(std::string_view("89ab").find((*id)[19]), std::string_view::npos) << *id;
    seen.insert(*id);
  }
  EXPECT_EQ(seen.size(), 64u);
}

TEST(UploadId, RefusesOtherShapes) {
  EXPECT_TRUE(is_valid_upload_id("0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"));
  for (std::string_view id : {"", "0F1E2D3C-4B5A-4978-8A6B-5C4D3E2F1A0B", "0f1e2d3c4b5a49788a6b5c4d3e2f1a0b",
                              "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0", "0f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0bb",
                              "../../../../etc/passwd-0000000000000", "0f1e2d3c-4b5a-4978-8a6b/5c4d3e2f1a0b",
                              "0f1e2d3c_4b5a-4978-8a6b-5c4d3e2f1a0b", "gf1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"}) {
    EXPECT_FALSE(is_valid_upload_id(id)) << id;
  }
}

}  // namespace
}  // namespace berth::registry
