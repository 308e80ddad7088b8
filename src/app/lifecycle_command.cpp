#include "app/lifecycle_command.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>

#include "app/audit_command.hpp"
#include "app/data_stores.hpp"
#include "lifecycle/lifecycle_runner.hpp"

namespace berth::app {
namespace {

std::string joined_tags(const std::vector<std::string>& tags) {
  if (tags.empty()) return "-";
  std::string text;
  for (const std::string& tag : tags) text += (text.empty() ? "" : ",") + tag;
  return text;
}

}  // namespace

int run_lifecycle_command(const Settings& settings, const LifecycleCommandOptions& options, std::ostream& out,
                          std::chrono::system_clock::time_point now) {
  auto metadata = open_metadata_or_report(settings.data_dir);
  if (!metadata) return 1;
  const lifecycle::LifecycleRunOptions run{
      options.repository, options.dry_run,
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()};
  auto outcomes = lifecycle::run_lifecycle(*metadata, run);
  if (!outcomes) {
    std::cerr << "berth: lifecycle: " << outcomes.error().message << "\n";
    return outcomes.error().code == ErrorCode::not_found ? 2 : 1;
  }
  for (const lifecycle::RepositoryOutcome& outcome : *outcomes) {
    for (const lifecycle::Expiry& expiry : outcome.expired) {
      out << fmt::format("{} {} tags={} pushed={} rule={} reason={}\n", outcome.repository, expiry.digest.str(),
                         joined_tags(expiry.tags), format_rfc3339(expiry.pushed_unix), expiry.rule_priority,
                         nlohmann::json(expiry.reason).dump());
    }
    out << fmt::format("{}: {} of {} images {}\n", outcome.repository, outcome.expired.size(), outcome.images,
                       options.dry_run ? "would expire (dry run)" : "expired");
  }
  if (outcomes->empty()) out << "no repository has a lifecycle policy\n";
  return 0;
}

}  // namespace berth::app
