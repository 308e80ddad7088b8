#include "common/curl_library.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(CurlLibrary, LoadsOnceAndAnswersTheSameLibraryEveryTime) {
  const Result<const CurlLibrary*> first = curl_library();
  ASSERT_TRUE(first) << first.error().message;
  const Result<const CurlLibrary*> second = curl_library();
  ASSERT_TRUE(second);
  EXPECT_EQ(*first, *second);
  EXPECT_STREQ((*first)->easy_strerror(CURLE_OK), "No error");
}

TEST(CurlLibrary, EasyHandlesWorkThroughTheLoadedEntryPoints) {
  Result<CurlEasy> easy = CurlEasy::create();
  ASSERT_TRUE(easy) << easy.error().message;
  ASSERT_NE(easy->get(), nullptr);
  EXPECT_EQ(easy->library().easy_setopt(easy->get(), CURLOPT_URL, "http://127.0.0.1:1/"), CURLE_OK);
  // Nothing listens on port 1: the transfer fails to connect rather than crashing through a bad pointer.
  EXPECT_EQ(easy->library().easy_setopt(easy->get(), CURLOPT_CONNECTTIMEOUT_MS, 2000L), CURLE_OK);
  EXPECT_EQ(easy->library().easy_perform(easy->get()), CURLE_COULDNT_CONNECT);
}

}  // namespace
}  // namespace berth
