#include "aws/xml_writer.hpp"

#include <gtest/gtest.h>

namespace berth::aws {
namespace {

TEST(XmlEscape, EscapesMarkupCharacters) { EXPECT_EQ(xml_escape(R"(a<b>&"c'd)"), "a&lt;b&gt;&amp;&quot;c&apos;d"); }

TEST(XmlEscape, KeepsUtf8AndWhitespace) { EXPECT_EQ(xml_escape("ሴ é\t\n\r"), "ሴ é\t\n\r"); }

TEST(XmlEscape, ReplacesWhatXmlCannotHold) {
  EXPECT_EQ(xml_escape(std::string("a\0b", 3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(xml_escape("\x01"), "\xEF\xBF\xBD");
  EXPECT_EQ(xml_escape("\xff"), "\xEF\xBF\xBD");
  EXPECT_EQ(xml_escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(xml_escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(xml_escape("\xE1\x88"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // truncated
}

TEST(XmlWriter, NestsElementsAndClosesWhatIsOpen) {
  XmlWriter xml;
  xml.open("Outer", "urn:x");
  xml.open("Inner");
  xml.element("A", "1 < 2");
  xml.close();
  xml.element("B", "");
  EXPECT_EQ(xml.finish(), "<Outer xmlns=\"urn:x\"><Inner><A>1 &lt; 2</A></Inner><B></B></Outer>");
}

}  // namespace
}  // namespace berth::aws
