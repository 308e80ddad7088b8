// A temporary directory of declaration files for the provision tests.
#pragma once

#include <fstream>
#include <string>
#include <string_view>

#include "storage/scoped_temp_dir.hpp"

namespace berth::provision::testing {

class DeclarationDir {
 public:
  DeclarationDir& write(const std::string& name, std::string_view text) {
    std::ofstream(dir_.path() / name, std::ios::binary) << text;
    return *this;
  }
  // "<dir>/<name>", as positions name files.
  std::string file(const std::string& name) const { return (dir_.path() / name).string(); }
  const std::filesystem::path& path() const { return dir_.path(); }

 private:
  test::ScopedTempDir dir_;
};

}  // namespace berth::provision::testing
