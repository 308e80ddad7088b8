// Apply: carries out a plan, change by change, in the plan's order (repositories and roles in the
// metadata store first, then GitHub, then Kubernetes). A change that fails is reported and apply
// goes on with the next, so one unreachable publisher does not hold back the rest; what a publisher
// did is recorded only after it succeeded, so the next plan shows exactly what is left and the next
// apply completes it. A publisher left out (nullptr) is switched off: its changes are skipped.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "metadata/metadata_store.hpp"
#include "provision/plan.hpp"
#include "provision/publishers.hpp"

namespace berth::provision {

struct Publishers {
  GithubPublisher* github = nullptr;          // nullptr: GitHub publishing is off
  KubernetesPublisher* kubernetes = nullptr;  // nullptr: Kubernetes publishing is off
};

enum class Outcome { done, failed, skipped };

struct ChangeOutcome {
  Action action = Action::create;
  std::string address;
  Outcome outcome = Outcome::done;
  std::string message;  // why it failed or was skipped
};

struct ApplyReport {
  std::vector<ChangeOutcome> changes;

  std::size_t count(Outcome outcome) const;
  bool complete() const { return count(Outcome::failed) == 0; }
};

// Prints one progress line per change to `progress`.
ApplyReport apply_plan(const Plan& plan, metadata::MetadataStore& store, const Publishers& publishers,
                       std::ostream& progress);

// The closing summary: counts, then every change that was not done with why, and how to finish.
std::string render_apply_report(const ApplyReport& report);

}  // namespace berth::provision
