#pragma once

// What the rectify.v1 enums are called on the command line and in tables.
//
// A flag accepts the bare name in any case (`audit`, `AUDIT`), the full proto name
// (`SOURCE_AUDIT`), `-` or a space for `_` (`in-progress`), and the Chinese label from
// DOMAIN.md (`审计`, `整改中`). The `…_UNSPECIFIED` zero is never accepted. One table per enum
// holds the bare name and both labels; a unit test checks every table against the generated
// descriptor so a value added to the proto cannot be forgotten here.

#include <span>
#include <string>
#include <string_view>

#include "client/parsed.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::client {

enum class Lang { kZh, kEn };

struct EnumEntry {
  int value;
  std::string_view name;     // bare name: "AUDIT"
  std::string_view zh;       // DOMAIN.md label: "审计"
  std::string_view en;       // English label for --lang en: "audit"
  std::string_view alias{};  // another accepted Chinese spelling, if any
};

struct EnumTable {
  std::string_view prefix;  // "SOURCE_"
  std::span<const EnumEntry> entries;
};

const EnumTable& SourceTable();
const EnumTable& CategoryTable();
const EnumTable& ModeTable();
const EnumTable& StateTable();
const EnumTable& ActionTable();
const EnumTable& LightTable();
const EnumTable& EscalationTable();
const EnumTable& SignOffRoleTable();
const EnumTable& EventKindTable();
const EnumTable& OrderByTable();
const EnumTable& ReminderKindTable();
const EnumTable& DeliveryStateTable();

// Parses `text` against `table`. On failure the message names `flag` and lists every accepted
// value with its Chinese label.
Parsed<int> ParseEnumValue(const EnumTable& table, std::string_view flag, std::string_view text);

// The label of `value` in `lang`. The zero value without an entry is "" (unset); a value the
// table does not know (a newer daemon) is shown as its number.
std::string EnumLabel(const EnumTable& table, int value, Lang lang);

// "AUDIT|审计, INSPECTION|巡察, ..." for help texts and error messages.
std::string AcceptedValues(const EnumTable& table);

// Typed conveniences.
Parsed<v1::Source> ParseSource(std::string_view flag, std::string_view text);
Parsed<v1::Category> ParseCategory(std::string_view flag, std::string_view text);
Parsed<v1::Mode> ParseMode(std::string_view flag, std::string_view text);
Parsed<v1::State> ParseState(std::string_view flag, std::string_view text);
Parsed<v1::Light> ParseLight(std::string_view flag, std::string_view text);
Parsed<v1::EventKind> ParseEventKind(std::string_view flag, std::string_view text);
Parsed<v1::OrderBy> ParseOrderBy(std::string_view flag, std::string_view text);

}  // namespace rectify::client
