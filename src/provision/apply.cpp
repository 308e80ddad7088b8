#include "provision/apply.hpp"

#include <algorithm>

#include "provision/plan_render.hpp"

namespace berth::provision {
namespace {

template <typename... Visitors>
struct Overloaded : Visitors... {
  using Visitors::operator()...;
};

Status store_status(Result<bool> result) {
  if (!result.ok()) return std::move(result).error();
  return {};
}

// Carries out operations on the metadata store and the publishers.
class Executor {
 public:
  Executor(metadata::MetadataStore& store, const Publishers& publishers) : store_(store), publishers_(publishers) {}

  Status run(const Operation& operation) {
    return std::visit(
        Overloaded{
            [&](const PutRepository& put) { return put_repository(put); },
            [&](const DeleteRepository& remove) { return store_.delete_repository(remove.name, remove.force); },
            [&](const PutRole& put) { return store_.put_role(put.role); },
            [&](const DeleteRole& remove) { return store_status(store_.delete_role(remove.name)); },
            [&](const EnsureEnvironment& ensure) { return publishers_.github->ensure_environment(ensure.scope); },
            [&](const PutGithubValue& put) {
              const auto& value = put.value;
              return value.secret ? publishers_.github->put_secret(value.scope, value.name, value.value)
                                  : publishers_.github->put_variable(value.scope, value.name, value.value);
            },
            [&](const DeleteGithubValue& remove) {
              return remove.secret ? publishers_.github->delete_secret(remove.scope, remove.name)
                                   : publishers_.github->delete_variable(remove.scope, remove.name);
            },
            [&](const ApplyConfigMap& apply) { return publishers_.kubernetes->apply_config_map(apply.config_map); },
            [&](const DeleteConfigMap& remove) {
              return publishers_.kubernetes->delete_config_map(remove.namespace_name, remove.name);
            },
        },
        operation);
  }

  // Why this change cannot run now, or empty when it can.
  std::string skip_reason(const Operation& operation) const {
    switch (target_of(operation)) {
      case Target::github:
        return publishers_.github ? "" : "GitHub publishing is off";
      case Target::kubernetes:
        return publishers_.kubernetes ? "" : "Kubernetes publishing is off";
      case Target::metadata:
        return "";
    }
    return "";
  }

  Status record(const Change& change) {
    if (!change.record) return {};
    if (change.action == Action::remove) {
      return store_status(store_.delete_published(change.record->kind, change.record->scope, change.record->name));
    }
    return store_.put_published(*change.record);
  }

 private:
  // The tag mutability is the repository's setting, not part of the provisioning record. A new
  // repository is created with it, so a repository declared immutable never accepts a moving tag;
  // an existing one gets it after its record, and when that fails the next plan shows the drift.
  Status put_repository(const PutRepository& put) {
    const std::string& name = put.repository.name;
    metadata::RepositorySettings settings;
    settings.tag_mutability = put.tag_mutability.mutability;
    settings.tag_mutability_exclusions = put.tag_mutability.exclusions;
    auto created = store_.add_repository(name, settings);
    BERTH_TRY(created);
    BERTH_TRY(store_.put_provisioned_repository(put.repository));
    if (*created) return {};
    return store_status(store_.set_tag_mutability(name, settings.tag_mutability, settings.tag_mutability_exclusions));
  }

  metadata::MetadataStore& store_;
  const Publishers& publishers_;
};

std::string_view past_tense(Action action) {
  switch (action) {
    case Action::create:
      return "created";
    case Action::update:
      return "updated";
    case Action::remove:
      return "deleted";
  }
  return "";
}

}  // namespace

std::size_t ApplyReport::count(Outcome outcome) const {
  return static_cast<std::size_t>(std::count_if(
      changes.begin(), changes.end(), [&](const ChangeOutcome& change) { return change.outcome == outcome; }));
}

ApplyReport apply_plan(const Plan& plan, metadata::MetadataStore& store, const Publishers& publishers,
                       std::ostream& progress) {
  Executor executor(store, publishers);
  ApplyReport report;
  for (const auto& change : plan.changes) {
    ChangeOutcome outcome{change.action, change.address, Outcome::done, ""};
    std::string prefix = std::string(action_symbol(change.action)) + " " + change.address + ": ";
    if (auto reason = executor.skip_reason(change.operation); !reason.empty()) {
      outcome.outcome = Outcome::skipped;
      outcome.message = reason;
      progress << prefix << "skipped (" << reason << ")\n";
    } else if (auto done = executor.run(change.operation); !done.ok()) {
      outcome.outcome = Outcome::failed;
      outcome.message = done.error().message;
      progress << prefix << "failed: " << outcome.message << "\n";
    } else if (auto recorded = executor.record(change); !recorded.ok()) {
      // Done but not recorded: the next apply repeats it, which every operation allows.
      outcome.outcome = Outcome::failed;
      outcome.message = "done, but recording it failed: " + recorded.error().message;
      progress << prefix << outcome.message << "\n";
    } else {
      progress << prefix << past_tense(change.action) << "\n";
    }
    report.changes.push_back(std::move(outcome));
  }
  return report;
}

std::string render_apply_report(const ApplyReport& report) {
  std::size_t done = report.count(Outcome::done);
  std::size_t failed = report.count(Outcome::failed);
  std::size_t skipped = report.count(Outcome::skipped);
  std::string text = std::string(report.complete() ? "Apply complete: " : "Apply incomplete: ") + std::to_string(done) +
                     " done, " + std::to_string(failed) + " failed, " + std::to_string(skipped) + " skipped.\n";
  if (failed + skipped == 0) return text;
  text += "Not done:\n";
  for (const auto& change : report.changes) {
    if (change.outcome == Outcome::done) continue;
    text += "  " + std::string(action_symbol(change.action)) + " " + change.address + ": " + change.message + "\n";
  }
  if (failed > 0) text += "Run `berth apply` again to complete it.\n";
  return text;
}

}  // namespace berth::provision
