// A shared library opened at run time (dlopen) rather than linked, for dependencies that only
// some configurations use and that bring many libraries of their own (libcurl, libpq): `berth
// serve` does not pay their resident memory until it needs them. Opened libraries are never
// closed; their handles and global state live as long as the process.
//
//   auto library = SharedLibrary::open("libpq.so.5");
//   library->bind("PQconnectdb", api.connectdb);
//   BERTH_TRY(library->complete());
#pragma once

#include <string>

#include "common/result.hpp"

namespace berth {

class SharedLibrary {
 public:
  // unavailable, with the loader's reason, when the library cannot be loaded.
  static Result<SharedLibrary> open(const char* soname);

  // Sets `out` to the symbol, or to nullptr when it is missing (complete() then says so).
  template <typename Function>
  void bind(const char* symbol, Function*& out) {
    out = reinterpret_cast<Function*>(address_of(symbol));
  }
  // unavailable naming the first symbol bind() did not find.
  Status complete() const;

 private:
  SharedLibrary(void* handle, std::string soname) : handle_(handle), soname_(std::move(soname)) {}
  void* address_of(const char* symbol);

  void* handle_;
  std::string soname_;
  std::string missing_;
};

}  // namespace berth
