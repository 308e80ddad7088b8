// libcurl, opened on first use instead of linked. libcurl.so.4 brings some twenty libraries with it
// (GnuTLS through librtmp, Kerberos, LDAP, SSH, ...) whose pages would cost `berth serve` about
// 4 MiB of resident memory from start-up, although the server needs libcurl only once it first
// fetches an identity provider's keys, and only the management commands talk to GitHub or Kubernetes.
#pragma once

#include <curl/curl.h>

#include <memory>

#include "common/result.hpp"

namespace berth {

// The libcurl entry points berth uses, as the loaded library exports them.
struct CurlLibrary {
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  CURLHcode (*easy_header)(CURL*, const char*, std::size_t, unsigned int, int, curl_header**);
  const char* (*easy_strerror)(CURLcode);
  void (*easy_cleanup)(CURL*);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

// Loads libcurl once (thread-safe) and runs curl_global_init. unavailable, with the loader's reason,
// when the library or one of its symbols cannot be found; later calls give the same answer.
Result<const CurlLibrary*> curl_library();

// An easy handle, cleaned up by the library that made it.
class CurlEasy {
 public:
  static Result<CurlEasy> create();
  const CurlLibrary& library() const { return *library_; }
  CURL* get() const { return handle_.get(); }

 private:
  struct Cleanup {
    const CurlLibrary* library;
    void operator()(CURL* handle) const { library->easy_cleanup(handle); }
  };
  CurlEasy(const CurlLibrary* library, CURL* handle) : library_(library), handle_(handle, Cleanup{library}) {}

  const CurlLibrary* library_;
  std::unique_ptr<CURL, Cleanup> handle_;
};

}  // namespace berth
