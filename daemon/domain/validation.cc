#include "domain/validation.h"

#include <set>
#include <string>

#include "domain/dates.h"

namespace rectify::domain {
namespace {

// `key` names the [limits] config key that sets `max`, so the message says what to change.
Status CheckText(std::string_view field, std::string_view value, size_t max, bool required,
                 std::string_view key) {
  auto len = Utf8Length(value);
  if (!len.ok()) return InvalidArgument(std::string(field) + " is not valid UTF-8");
  if (required && *len == 0) return InvalidArgument(std::string(field) + " is required");
  if (*len > max) {
    return InvalidArgument(std::string(field) + " is too long: " + std::to_string(*len) +
                           " characters, at most " + std::to_string(max) + " ([limits] " +
                           std::string(key) + ")");
  }
  return Status::Ok();
}

template <typename EnumValid>
Status CheckEnum(std::string_view field, int value, EnumValid valid, bool required) {
  if (!valid(value)) {
    return InvalidArgument(std::string(field) + " has an unknown value " + std::to_string(value));
  }
  if (required && value == 0) return InvalidArgument(std::string(field) + " is required");
  return Status::Ok();
}

Status CheckDate(std::string_view field, std::string_view value, bool required) {
  if (value.empty()) {
    return required ? InvalidArgument(std::string(field) + " is required") : Status::Ok();
  }
  if (!IsDate(value)) {
    return InvalidArgument(std::string(field) + " must be a date YYYY-MM-DD, got \"" +
                           std::string(value.substr(0, 32)) + "\"");
  }
  return Status::Ok();
}

Status CheckRequestId(std::string_view id, const Limits& limits) {
  return CheckText("request_id", id, limits.request_id_max, false, "max_request_id_chars");
}

Status CheckEvidence(const google::protobuf::RepeatedPtrField<v1::Evidence>& list,
                     const Limits& limits) {
  RETURN_IF_ERROR(CheckListSize("evidence", list.size(), limits.evidence_max, "max_evidence"));
  for (int i = 0; i < list.size(); ++i) {
    const auto& e = list[i];
    std::string f = "evidence[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(CheckText(f + ".name", e.name(), limits.ref_max, true, "max_ref_chars"));
    RETURN_IF_ERROR(CheckText(f + ".uri", e.uri(), limits.ref_max * 5, false, "max_ref_chars x 5"));
    if (e.sha256().size() != 64 ||
        e.sha256().find_first_not_of("0123456789abcdef") != std::string::npos) {
      return InvalidArgument(f + ".sha256 must be 64 lowercase hex digits");
    }
    if (e.size() < 0) return InvalidArgument(f + ".size must not be negative");
  }
  return Status::Ok();
}

Status CheckMeasures(const google::protobuf::RepeatedPtrField<v1::Measure>& list,
                     const Limits& limits) {
  RETURN_IF_ERROR(CheckListSize("measures", list.size(), limits.measures_max, "max_measures"));
  for (int i = 0; i < list.size(); ++i) {
    std::string f = "measures[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(CheckText(f + ".text", list[i].text(), limits.text_max, true, "max_text_chars"));
    RETURN_IF_ERROR(CheckDate(f + ".due", list[i].due(), false));
  }
  return Status::Ok();
}

// The writable fields of an item, as given on create or update. `paths` limits the check to
// the fields being written (nullptr = all, as on create).
Status CheckItemFields(const v1::Item& item, const std::set<std::string>* paths,
                       const Limits& limits) {
  auto in = [&](const char* p) { return paths == nullptr || paths->count(p) > 0; };
  const bool create = paths == nullptr;
  if (in("title")) {
    RETURN_IF_ERROR(CheckText("title", item.title(), limits.title_max, true, "max_title_chars"));
  }
  if (in("description")) {
    RETURN_IF_ERROR(CheckText("description", item.description(), limits.description_max, true,
                              "max_description_chars"));
  }
  if (in("source")) RETURN_IF_ERROR(CheckEnum("source", item.source(), v1::Source_IsValid, true));
  if (in("source_ref")) {
    RETURN_IF_ERROR(
        CheckText("source_ref", item.source_ref(), limits.ref_max, false, "max_ref_chars"));
  }
  if (in("category")) {
    RETURN_IF_ERROR(CheckEnum("category", item.category(), v1::Category_IsValid, true));
  }
  if (in("mode")) RETURN_IF_ERROR(CheckEnum("mode", item.mode(), v1::Mode_IsValid, false));
  if (in("year") && item.year() != 0 && (item.year() < 2000 || item.year() > 2100)) {
    return InvalidArgument("year must be between 2000 and 2100, got " +
                           std::to_string(item.year()));
  }
  for (const char* f : {"unit", "owner", "leader", "verifier"}) {
    if (!in(f)) continue;
    const auto* d = v1::Item::descriptor()->FindFieldByName(f);
    const std::string& v = item.GetReflection()->GetString(item, d);
    RETURN_IF_ERROR(CheckText(f, v, limits.name_max, true, "max_name_chars"));
  }
  if (in("co_units")) {
    RETURN_IF_ERROR(
        CheckListSize("co_units", item.co_units_size(), limits.co_units_max, "max_co_units"));
    for (const auto& u : item.co_units()) {
      RETURN_IF_ERROR(CheckText("co_units", u, limits.name_max, true, "max_name_chars"));
    }
  }
  if (in("measures")) RETURN_IF_ERROR(CheckMeasures(item.measures(), limits));
  if (in("deadline")) RETURN_IF_ERROR(CheckDate("deadline", item.deadline(), false));
  if (create && !item.owner().empty() && item.owner() == item.verifier()) {
    return InvalidArgument("owner and verifier must be different people: " + item.owner() +
                           " cannot verify their own rectification");
  }
  return Status::Ok();
}

const std::set<std::string>& UpdatablePaths() {
  static const std::set<std::string> kPaths = {
      "title",    "description", "year",   "source",   "source_ref", "category", "mode",
      "unit",     "co_units",    "owner",  "leader",   "verifier",   "measures", "deadline"};
  return kPaths;
}

}  // namespace

Result<size_t> Utf8Length(std::string_view s) {
  size_t count = 0;
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      n = 1;
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      n = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 4;
      cp = c & 0x07;
    } else {
      return InvalidArgument("invalid UTF-8 lead byte");
    }
    if (i + n > s.size()) return InvalidArgument("truncated UTF-8 sequence");
    for (size_t k = 1; k < n; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return InvalidArgument("invalid UTF-8 continuation");
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return InvalidArgument("invalid UTF-8 code point");
    }
    i += n;
    ++count;
  }
  return count;
}

bool IsDate(std::string_view s) { return ParseDate(s).ok(); }

Status ValidateItemId(std::string_view id) {
  if (id.empty()) return InvalidArgument("id is required");
  if (id.size() > 32 || id.find_first_not_of("0123456789-") != std::string_view::npos) {
    return InvalidArgument("id \"" + std::string(id.substr(0, 32)) +
                           "\" is not an item id (like 2026-000001)");
  }
  return Status::Ok();
}

Status ValidateDeadlineSpec(const v1::DeadlineSpec& spec, std::string_view field) {
  std::string f(field);
  RETURN_IF_ERROR(CheckDate(f + ".from", spec.from(), false));
  switch (spec.spec_case()) {
    case v1::DeadlineSpec::kDate:
      return CheckDate(f + ".date", spec.date(), true);
    case v1::DeadlineSpec::kCalendarDays:
      if (spec.calendar_days() < 0 || spec.calendar_days() > 3650) {
        return InvalidArgument(f + ".calendar_days must be between 0 and 3650");
      }
      return Status::Ok();
    case v1::DeadlineSpec::kWorkingDays:
      if (spec.working_days() < 0 || spec.working_days() > 2500) {
        return InvalidArgument(f + ".working_days must be between 0 and 2500");
      }
      return Status::Ok();
    case v1::DeadlineSpec::SPEC_NOT_SET:
      return InvalidArgument(f + " needs a date, calendar_days or working_days");
  }
  return Status::Ok();
}

Status ValidateCreate(const v1::CreateItemRequest& req, const Limits& limits) {
  RETURN_IF_ERROR(CheckRequestId(req.request_id(), limits));
  RETURN_IF_ERROR(CheckItemFields(req.item(), nullptr, limits));
  if (req.has_deadline()) RETURN_IF_ERROR(ValidateDeadlineSpec(req.deadline(), "deadline"));
  return Status::Ok();
}

Status ValidateUpdate(const v1::UpdateItemRequest& req, const Limits& limits) {
  RETURN_IF_ERROR(ValidateItemId(req.id()));
  RETURN_IF_ERROR(CheckRequestId(req.request_id(), limits));
  RETURN_IF_ERROR(CheckText("comment", req.comment(), limits.text_max, false, "max_text_chars"));
  if (req.update_mask().paths_size() == 0) {
    return InvalidArgument("update_mask is empty: name the fields to change");
  }
  std::set<std::string> paths;
  for (const auto& p : req.update_mask().paths()) {
    if (!UpdatablePaths().count(p)) {
      return InvalidArgument("update_mask path \"" + p.substr(0, 64) +
                             "\" is not an updatable field");
    }
    paths.insert(p);
  }
  return CheckItemFields(req.item(), &paths, limits);
}

Status ValidateTransition(const v1::TransitionRequest& req, const Limits& limits) {
  RETURN_IF_ERROR(ValidateItemId(req.id()));
  RETURN_IF_ERROR(CheckRequestId(req.request_id(), limits));
  RETURN_IF_ERROR(CheckEnum("action", req.action(), v1::Action_IsValid, true));
  RETURN_IF_ERROR(CheckText("comment", req.comment(), limits.text_max, false, "max_text_chars"));
  RETURN_IF_ERROR(CheckText("result", req.result(), limits.text_max, false, "max_text_chars"));
  RETURN_IF_ERROR(CheckEvidence(req.evidence(), limits));
  if (req.action() == v1::ACTION_EXTEND) {
    if (!req.has_new_deadline()) return InvalidArgument("extend needs new_deadline");
    RETURN_IF_ERROR(ValidateDeadlineSpec(req.new_deadline(), "new_deadline"));
  }
  return Status::Ok();
}

Status ValidateProgress(const v1::AddProgressRequest& req, const Limits& limits) {
  RETURN_IF_ERROR(ValidateItemId(req.id()));
  RETURN_IF_ERROR(CheckRequestId(req.request_id(), limits));
  RETURN_IF_ERROR(CheckText("note", req.note(), limits.text_max, true, "max_text_chars"));
  RETURN_IF_ERROR(CheckEvidence(req.evidence(), limits));
  RETURN_IF_ERROR(CheckListSize("measures_done", req.measures_done_size(), limits.measures_max,
                                "max_measures"));
  for (int idx : req.measures_done()) {
    if (idx < 0) return InvalidArgument("measures_done index must not be negative");
  }
  return Status::Ok();
}

Status ValidateList(const v1::ListItemsRequest& req, const Limits& limits) {
  RETURN_IF_ERROR(
      CheckListSize("states", req.states_size(), limits.filter_max, "max_filter_values"));
  for (int s : req.states()) {
    RETURN_IF_ERROR(CheckEnum("states", s, v1::State_IsValid, true));
  }
  RETURN_IF_ERROR(CheckEnum("source", req.source(), v1::Source_IsValid, false));
  RETURN_IF_ERROR(CheckEnum("category", req.category(), v1::Category_IsValid, false));
  RETURN_IF_ERROR(CheckEnum("light", req.light(), v1::Light_IsValid, false));
  RETURN_IF_ERROR(CheckEnum("order_by", req.order_by(), v1::OrderBy_IsValid, false));
  for (const char* f : {"unit", "owner", "leader", "verifier"}) {
    const auto* d = v1::ListItemsRequest::descriptor()->FindFieldByName(f);
    RETURN_IF_ERROR(CheckText(f, req.GetReflection()->GetString(req, d), limits.name_max, false,
                              "max_name_chars"));
  }
  RETURN_IF_ERROR(CheckDate("deadline_from", req.deadline_from(), false));
  RETURN_IF_ERROR(CheckDate("deadline_to", req.deadline_to(), false));
  if (!req.deadline_from().empty() && !req.deadline_to().empty() &&
      req.deadline_from() > req.deadline_to()) {
    return InvalidArgument("deadline_from is after deadline_to");
  }
  RETURN_IF_ERROR(ValidatePageSize(req.page_size(), limits));
  if (req.year() != 0 && (req.year() < 2000 || req.year() > 2100)) {
    return InvalidArgument("year must be between 2000 and 2100");
  }
  return Status::Ok();
}

Status ValidateWatch(const v1::WatchRequest& req, const Limits& limits) {
  const size_t max = limits.filter_max;
  RETURN_IF_ERROR(CheckListSize("item_ids", req.item_ids_size(), max, "max_filter_values"));
  RETURN_IF_ERROR(CheckListSize("units", req.units_size(), max, "max_filter_values"));
  RETURN_IF_ERROR(CheckListSize("states", req.states_size(), max, "max_filter_values"));
  RETURN_IF_ERROR(CheckListSize("kinds", req.kinds_size(), max, "max_filter_values"));
  for (const auto& id : req.item_ids()) RETURN_IF_ERROR(ValidateItemId(id));
  for (const auto& u : req.units()) RETURN_IF_ERROR(ValidateName("units", u, limits));
  for (int s : req.states()) {
    if (!v1::State_IsValid(s) || s == 0) return InvalidArgument("states: unknown value " +
                                                                std::to_string(s));
  }
  for (int k : req.kinds()) {
    if (!v1::EventKind_IsValid(k) || k == 0) return InvalidArgument("kinds: unknown value " +
                                                                    std::to_string(k));
  }
  return Status::Ok();
}

Status ValidatePageSize(int64_t page_size, const Limits& limits) {
  if (page_size < 0 || static_cast<uint64_t>(page_size) > limits.page_size_max) {
    return InvalidArgument("page_size must be between 0 and " +
                           std::to_string(limits.page_size_max) + " ([limits] max_page_size), got " +
                           std::to_string(page_size));
  }
  return Status::Ok();
}

Status CheckListSize(std::string_view field, size_t count, size_t max, std::string_view key) {
  if (count <= max) return Status::Ok();
  std::string msg = "too many " + std::string(field) + ": " + std::to_string(count) +
                    " given, at most " + std::to_string(max);
  if (key != "-") msg += " ([limits] " + std::string(key) + ")";
  return InvalidArgument(msg);
}

Status ValidateName(std::string_view field, std::string_view value, const Limits& limits) {
  return CheckText(field, value, limits.name_max, true, "max_name_chars");
}

}  // namespace rectify::domain
