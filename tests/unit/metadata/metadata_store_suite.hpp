// The one test suite every MetadataStore backend must pass (metadata_store_suite.cpp).
//
// A backend joins by implementing MetadataBackend and instantiating the suite:
//   INSTANTIATE_TEST_SUITE_P(Sqlite, MetadataStoreSuite,
//                            ::testing::Values(MetadataBackendParam{"Sqlite", &make_sqlite_backend}));
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "metadata/metadata_store.hpp"

namespace berth::metadata {

// Storage for one test (a temp file, a scratch database). open() may be called again on the same
// storage to simulate a restart; every store it returns sees the same data.
class MetadataBackend {
 public:
  virtual ~MetadataBackend() = default;
  virtual std::unique_ptr<MetadataStore> open() = 0;
};

struct MetadataBackendParam {
  const char* name;
  std::unique_ptr<MetadataBackend> (*make)();
};

inline std::string backend_name(const ::testing::TestParamInfo<MetadataBackendParam>& info) { return info.param.name; }

class MetadataStoreSuite : public ::testing::TestWithParam<MetadataBackendParam> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    store_ = backend_->open();
    ASSERT_NE(store_, nullptr);
  }

  std::unique_ptr<MetadataBackend> backend_;
  std::unique_ptr<MetadataStore> store_;
};

}  // namespace berth::metadata
