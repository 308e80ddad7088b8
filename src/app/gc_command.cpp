#include "app/gc_command.hpp"

#include <fmt/format.h>

#include <iostream>

#include "app/data_stores.hpp"

namespace berth::app {

gc::GcOptions gc_options(const Settings& settings) {
  gc::GcOptions options;
  options.grace_period = settings.gc_grace_period;
  options.upload_grace = settings.gc_upload_grace;
  options.upload_max_age = settings.gc_upload_max_age;
  return options;
}

int run_gc_command(const Settings& settings, bool dry_run, std::ostream& out,
                   std::chrono::system_clock::time_point now) {
  auto stores = open_data_stores(settings.data_dir);
  if (!stores) {
    std::cerr << "berth: cannot open " << settings.data_dir << ": " << stores.error().message << "\n";
    return 1;
  }
  gc::GcOptions options = gc_options(settings);
  options.dry_run = dry_run;
  options.now_unix = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto report = gc::collect_garbage(*stores->metadata, *stores->blobs, options);
  if (!report) {
    std::cerr << "berth: gc: " << report.error().message << "\n";
    return 1;
  }
  for (const metadata::ManifestKey& manifest : report->manifests) {
    out << fmt::format("manifest {} {}\n", manifest.repository, manifest.digest.str());
  }
  for (const storage::BlobInfo& blob : report->blobs) out << fmt::format("blob {} {}\n", blob.digest.str(), blob.size);
  out << fmt::format("{} {} manifests, {} blobs ({} bytes), {} abandoned uploads\n",
                     dry_run ? "would delete (dry run):" : "deleted", report->manifests.size(), report->blobs.size(),
                     report->bytes_freed, report->uploads_purged);
  return 0;
}

}  // namespace berth::app
