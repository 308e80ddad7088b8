#include "common/shared_library.hpp"

#include <dlfcn.h>

namespace berth {

Result<SharedLibrary> SharedLibrary::open(const char* soname) {
  void* handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* reason = dlerror();
    return make_error(ErrorCode::unavailable, std::string("cannot load ") + soname + ": " + (reason ? reason : "?"));
  }
  return SharedLibrary(handle, soname);
}

void* SharedLibrary::address_of(const char* symbol) {
  void* address = dlsym(handle_, symbol);
  if (address == nullptr && missing_.empty()) missing_ = symbol;
  return address;
}

Status SharedLibrary::complete() const {
  if (missing_.empty()) return {};
  return make_error(ErrorCode::unavailable, soname_ + " has no symbol " + missing_);
}

}  // namespace berth
