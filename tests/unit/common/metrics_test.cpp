#include "common/metrics.hpp"

#include <gtest/gtest.h>

namespace berth {
namespace {

TEST(Metrics, ExposedValuesAreReadEachTimeTheyAreRendered) {
  Metrics metrics;
  double commits = 3;
  metrics.expose("berth_test_commits_total", "Commits so far.", Metrics::Kind::counter, [&] { return commits; });
  metrics.expose("berth_test_queue", "Queued now.", Metrics::Kind::gauge, [] { return 0.5; });

  const std::string first = metrics.render_prometheus();
  EXPECT_NE(first.find("# HELP berth_test_commits_total Commits so far.\n# TYPE berth_test_commits_total counter\n"
                       "berth_test_commits_total 3\n"),
            std::string::npos)
      << first;
  EXPECT_NE(first.find("# TYPE berth_test_queue gauge\nberth_test_queue 0.5\n"), std::string::npos) << first;

  commits = 7;
  EXPECT_NE(metrics.render_prometheus().find("berth_test_commits_total 7\n"), std::string::npos);
}

}  // namespace
}  // namespace berth
