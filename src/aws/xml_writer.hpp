// A minimal XML writer for the STS query protocol's responses: nested elements with text content,
// one optional default namespace per element, no attributes otherwise, no declaration (AWS sends
// none). Text is escaped so that any client input quoted in a message stays well-formed XML.
//
//   XmlWriter xml;
//   xml.open("GetCallerIdentityResponse", "https://sts.amazonaws.com/doc/2011-06-15/");
//   xml.open("GetCallerIdentityResult");
//   xml.element("Account", "123456789012");
//   std::string body = xml.finish();  // closes what is still open
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace berth::aws {

// Escapes `&`, `<`, `>`, `"` and `'`; characters XML 1.0 forbids (C0 controls other than TAB, LF,
// CR) and bytes that are not UTF-8 become U+FFFD.
std::string xml_escape(std::string_view text);

class XmlWriter {
 public:
  // `name` must be a literal XML name chosen by berth, never client input.
  void open(std::string_view name, std::string_view xmlns = {});
  void close();
  void element(std::string_view name, std::string_view text);
  std::string finish();

 private:
  std::string out_;
  std::vector<std::string_view> open_;
};

}  // namespace berth::aws
