#include "provision/plan_render.hpp"

#include <nlohmann/json.hpp>

namespace berth::provision {
namespace {

constexpr std::string_view kGreen = "\x1b[32m";
constexpr std::string_view kYellow = "\x1b[33m";
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kReset = "\x1b[0m";

std::string_view action_name(Action action) {
  switch (action) {
    case Action::create:
      return "create";
    case Action::update:
      return "update";
    case Action::remove:
      return "delete";
  }
  return "";
}

std::string_view action_colour(Action action) {
  switch (action) {
    case Action::create:
      return kGreen;
    case Action::update:
      return kYellow;
    case Action::remove:
      return kRed;
  }
  return "";
}

// Says for every GitHub repository whether its immutable-format tokens are tied to its ids, and
// what a reader should do when they are not.
std::string render_github_trust(const std::vector<GithubTrust>& trusts) {
  if (trusts.empty()) return "";
  std::string text = "GitHub tokens in the immutable format (repo:OWNER@ID/REPO@ID) are trusted for:\n";
  for (const auto& trust : trusts) {
    text += "  " + trust.repository + ": " + trust.subject;
    if (trust.pinned) {
      text += "  (pinned; " + trust.note + ")\n";
    } else {
      text += "  (ANY ids: " + trust.note +
              "; a repository re-created under this name would be trusted too; apply with GitHub reachable to pin "
              "the ids)\n";
    }
  }
  return text + "\n";
}

}  // namespace

std::string_view action_symbol(Action action) {
  switch (action) {
    case Action::create:
      return "+";
    case Action::update:
      return "~";
    case Action::remove:
      return "-";
  }
  return "";
}

std::string render_plan(const Plan& plan, bool colour) {
  std::string text;
  if (!plan.skipped_modules.empty()) {
    text += "Skipped modules (not berth's):\n";
    for (const auto& module : plan.skipped_modules) text += "  " + module + "\n";
    text += "\n";
  }
  text += render_github_trust(plan.github_trust);
  for (const auto& change : plan.changes) {
    std::string line = std::string(action_symbol(change.action)) + " " + change.address;
    if (colour) line = std::string(action_colour(change.action)) + line + std::string(kReset);
    text += "  " + line + (change.detail.empty() ? "" : "  (" + change.detail + ")") + "\n";
  }
  for (const auto& kept : plan.kept) text += "  = " + kept.address + "  (" + kept.detail + ")\n";
  if (!plan.changes.empty() || !plan.kept.empty()) text += "\n";
  if (plan.empty()) return text + "No changes. Berth's state matches the declarations.\n";
  return text + "Plan: " + std::to_string(plan.count(Action::create)) + " to create, " +
         std::to_string(plan.count(Action::update)) + " to update, " + std::to_string(plan.count(Action::remove)) +
         " to delete.\n";
}

std::string render_plan_json(const Plan& plan) {
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const auto& change : plan.changes) {
    changes.push_back({{"action", action_name(change.action)}, {"address", change.address}, {"detail", change.detail}});
  }
  nlohmann::ordered_json kept = nlohmann::ordered_json::array();
  for (const auto& entry : plan.kept) kept.push_back({{"address", entry.address}, {"detail", entry.detail}});
  nlohmann::ordered_json github_trust = nlohmann::ordered_json::array();
  for (const auto& trust : plan.github_trust) {
    github_trust.push_back(
        {{"repository", trust.repository}, {"subject", trust.subject}, {"pinned", trust.pinned}, {"note", trust.note}});
  }
  nlohmann::ordered_json document = {
      {"changes", changes},
      {"kept", kept},
      {"summary",
       {{"create", plan.count(Action::create)},
        {"update", plan.count(Action::update)},
        {"delete", plan.count(Action::remove)}}},
      {"skipped_modules", plan.skipped_modules},
      {"github_trust", github_trust},
  };
  return document.dump(2) + "\n";
}

}  // namespace berth::provision
