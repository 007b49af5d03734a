#pragma once

// Shape checks: called at the RPC edge before a request reaches the engine. They look at the
// request alone (lengths, UTF-8, enum ranges, formats), never at stored state. Every failure is
// INVALID_ARGUMENT with a message naming the field.

#include <cstdint>
#include <string_view>

#include "common/status.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::domain {

// What one request may carry ([limits] in the config; these are the defaults). Strings are
// counted in characters (code points). Each failure names the field and the config key.
struct Limits {
  size_t title_max = 200;         // max_title_chars
  size_t description_max = 4000;  // max_description_chars
  size_t name_max = 64;           // max_name_chars: people and units
  size_t text_max = 2000;         // max_text_chars: comments, opinions, results, notes, measures
  size_t ref_max = 200;           // max_ref_chars: source_ref, evidence name (uri: 5x)
  size_t request_id_max = 128;    // max_request_id_chars
  size_t measures_max = 50;       // max_measures: per item (and measures_done per request)
  size_t evidence_max = 50;       // max_evidence: per request
  size_t co_units_max = 50;       // max_co_units
  size_t page_size_max = 1000;    // max_page_size: ListItems, GetHistory, ListReminders
  size_t filter_max = 1000;       // max_filter_values: ids, units, states, kinds per Watch;
                                  // states per ListItems
};

// Counts code points; fails on invalid UTF-8 (overlongs, surrogates, > U+10FFFF, truncation).
Result<size_t> Utf8Length(std::string_view s);
bool IsDate(std::string_view s);  // strict YYYY-MM-DD with a valid day of month

Status ValidateCreate(const v1::CreateItemRequest& req, const Limits& limits = {});
Status ValidateUpdate(const v1::UpdateItemRequest& req, const Limits& limits = {});
Status ValidateTransition(const v1::TransitionRequest& req, const Limits& limits = {});
Status ValidateProgress(const v1::AddProgressRequest& req, const Limits& limits = {});
Status ValidateItemId(std::string_view id);
Status ValidateList(const v1::ListItemsRequest& req, const Limits& limits = {});
// A Watch request's filters: list sizes, item ids, unit names, state and event kind ranges.
Status ValidateWatch(const v1::WatchRequest& req, const Limits& limits = {});
// page_size: 0 (the server's default) up to limits.page_size_max.
Status ValidatePageSize(int64_t page_size, const Limits& limits);
// A list of `count` entries named `field` against `max` ([limits] `key`).
Status CheckListSize(std::string_view field, size_t count, size_t max, std::string_view key);
// A name (unit, person) of 1 to limits.name_max characters.
Status ValidateName(std::string_view field, std::string_view value, const Limits& limits);
Status ValidateDeadlineSpec(const v1::DeadlineSpec& spec, std::string_view field);

}  // namespace rectify::domain
