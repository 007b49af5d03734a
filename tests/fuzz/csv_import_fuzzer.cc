// Fuzz target: `rectifyctl import FILE` up to the first RPC (client::PlanImport): the encoding
// guess and GB18030 -> UTF-8 decoding, the RFC 4180 parser, the header map and every row turned
// into a CreateItemRequest. The bytes are the file.
//
// Invariants:
//   - decoding yields valid UTF-8, and the client's UTF-8 check agrees with the daemon's
//     (client::IsValidUtf8 == domain::Utf8Length ok) on the input and on the output; valid
//     UTF-8 without a BOM is kept byte for byte;
//   - UTF-8 -> GB18030 -> decode gives the text back (what a GBK file saved by Excel relies on);
//   - parsed CSV written back with CsvLine parses to the same fields;
//   - a planned import: every good row's request serializes and parses back unchanged (its
//     strings are UTF-8 the wire accepts), request ids are distinct and name the line, lines
//     ascend, and no line is both good and bad.

#include <google/protobuf/util/message_differencer.h>

#include <set>

#include "client/csv.h"
#include "client/import.h"
#include "domain/validation.h"
#include "fuzz_check.h"
#include "quiet_protobuf.h"

namespace {

using namespace rectify;

void CheckUtf8Agrees(std::string_view s, const char* what) {
  FUZZ_CHECK(client::IsValidUtf8(s) == domain::Utf8Length(s).ok(),
             std::string("client and daemon disagree whether the ") + what + " is UTF-8");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  CheckUtf8Agrees(bytes, "input");

  std::string encoding;
  auto text = client::DecodeToUtf8(bytes, &encoding);
  if (text.ok()) {
    CheckUtf8Agrees(text.value(), "decoded text");
    FUZZ_CHECK(client::IsValidUtf8(text.value()), "decoding (" + encoding + ") gave bad UTF-8");
    if (encoding == "UTF-8") FUZZ_CHECK(text.value() == bytes, "valid UTF-8 was changed");
    auto gb = client::Utf8ToGb18030(text.value());
    FUZZ_CHECK(gb.ok(), "decoded text does not encode as GB18030: " + gb.error());
    if (!client::IsValidUtf8(gb.value())) {  // else it would be read back as UTF-8, rightly
      std::string enc2;
      auto back = client::DecodeToUtf8(gb.value(), &enc2);
      FUZZ_CHECK(back.ok() && back.value() == text.value(),
                 "UTF-8 -> GB18030 -> UTF-8 is not the identity");
    }
    auto records = client::ParseCsv(text.value());
    if (records.ok()) {
      std::string written;
      for (const auto& r : records.value()) written += client::CsvLine(r.fields);
      auto again = client::ParseCsv(written);
      FUZZ_CHECK(again.ok(), "CSV written back does not parse: " + again.error());
      FUZZ_CHECK(again.value().size() == records.value().size(), "record count changed");
      for (size_t i = 0; i < records.value().size(); ++i) {
        FUZZ_CHECK(again.value()[i].fields == records.value()[i].fields,
                   "fields changed in a CSV round trip, record " + std::to_string(i));
      }
    }
  }

  auto plan = client::PlanImport(bytes);
  fuzz::Note(plan.ok() ? "planned " + std::to_string(plan.value().good.size()) + " good, " +
                             std::to_string(plan.value().bad.size()) + " bad rows (" +
                             plan.value().encoding + ")"
                       : "refused: " + plan.error());
  if (!plan.ok()) {
    FUZZ_CHECK(!plan.error().empty(), "a refused import without a reason");
    return 0;
  }
  std::set<std::string> ids;
  std::set<int> lines;
  int last = 0;
  for (const auto& row : plan.value().good) {
    FUZZ_CHECK(row.line > last, "good rows out of line order");
    last = row.line;
    lines.insert(row.line);
    FUZZ_CHECK(ids.insert(row.request.request_id()).second, "two rows share a request id");
    FUZZ_CHECK(row.request.request_id().ends_with("-" + std::to_string(row.line)),
               "a request id does not name its line");
    std::string wire;
    FUZZ_CHECK(row.request.SerializeToString(&wire), "a planned request does not serialize");
    v1::CreateItemRequest back;
    FUZZ_CHECK(back.ParseFromString(wire) &&
                   google::protobuf::util::MessageDifferencer::Equals(back, row.request),
               "a planned request does not survive the wire (bad UTF-8 in a field?)");
  }
  for (const auto& [line, reason] : plan.value().bad) {
    FUZZ_CHECK(!lines.count(line), "a line is both good and bad");
    FUZZ_CHECK(!reason.empty(), "a bad row without a reason");
  }
  return 0;
}
