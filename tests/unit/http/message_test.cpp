#include "http/message.hpp"

#include <gtest/gtest.h>

namespace berth::http {
namespace {

TEST(QueryTest, ParsesDecodedPairsInOrder) {
  Query query = Query::parse("n=10&last=a%2Fb&q=hello+world&empty=&flag");
  EXPECT_EQ(query.get("n"), "10");
  EXPECT_EQ(query.get("last"), "a/b");
  EXPECT_EQ(query.get("q"), "hello world");
  EXPECT_EQ(query.get("empty"), "");
  EXPECT_TRUE(query.has("flag"));
  EXPECT_FALSE(query.has("missing"));
  ASSERT_EQ(query.all().size(), 5u);
  EXPECT_EQ(query.all()[1].first, "last");
}

TEST(QueryTest, RepeatedKeysAndEmptyPieces) {
  Query query = Query::parse("&scope=a&&scope=b&");
  EXPECT_EQ(query.get("scope"), "a");
  auto all = query.get_all("scope");
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1], "b");
  EXPECT_TRUE(Query::parse("").all().empty());
}

TEST(QueryTest, MalformedEscapesStayLiteral) {
  Query query = Query::parse("a=%zz&b=%4");
  EXPECT_EQ(query.get("a"), "%zz");
  EXPECT_EQ(query.get("b"), "%4");
}

TEST(HeadersTest, CaseInsensitiveLookupSetAndRemove) {
  Headers headers;
  headers.add("Content-Type", "text/plain");
  headers.add("X-Multi", "1");
  headers.add("x-multi", "2");
  EXPECT_EQ(headers.get("content-type"), "text/plain");
  EXPECT_EQ(headers.get("X-MULTI"), "1");
  EXPECT_FALSE(headers.has("Content-Length"));

  headers.set("X-MULTI", "3");
  EXPECT_EQ(headers.get("x-multi"), "3");
  EXPECT_EQ(headers.all().size(), 2u);

  headers.remove("CONTENT-TYPE");
  EXPECT_FALSE(headers.has("Content-Type"));
  EXPECT_EQ(headers.all().size(), 1u);
}

TEST(ResponseTest, FactoriesSetStatusTypeAndBody) {
  Response text = Response::text(404, "nope");
  EXPECT_EQ(text.status, 404);
  EXPECT_EQ(text.headers.get("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(std::get<std::string>(text.body), "nope");
  Response empty = Response::empty(204);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(empty.body));
}

}  // namespace
}  // namespace berth::http
