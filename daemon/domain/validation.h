#pragma once

// Shape checks: called at the RPC edge before a request reaches the engine. They look at the
// request alone (lengths, UTF-8, enum ranges, formats), never at stored state. Every failure is
// INVALID_ARGUMENT with a message naming the field.

#include <string_view>

#include "common/status.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::domain {

struct Limits {
  size_t title_max = 200;         // characters (code points)
  size_t description_max = 4000;
  size_t name_max = 64;           // people and units
  size_t text_max = 2000;         // comments, opinions, results, notes, measure text
  size_t ref_max = 200;           // source_ref, evidence name, uri
  size_t list_max = 50;           // measures, evidence, co-units per request
  size_t request_id_max = 128;
};

// Counts code points; fails on invalid UTF-8 (overlongs, surrogates, > U+10FFFF, truncation).
Result<size_t> Utf8Length(std::string_view s);
bool IsDate(std::string_view s);  // strict YYYY-MM-DD with a valid day of month

Status ValidateCreate(const v1::CreateItemRequest& req, const Limits& limits = {});
Status ValidateUpdate(const v1::UpdateItemRequest& req, const Limits& limits = {});
Status ValidateTransition(const v1::TransitionRequest& req, const Limits& limits = {});
Status ValidateProgress(const v1::AddProgressRequest& req, const Limits& limits = {});
Status ValidateItemId(std::string_view id);
Status ValidateList(const v1::ListItemsRequest& req);
Status ValidateDeadlineSpec(const v1::DeadlineSpec& spec, std::string_view field);

}  // namespace rectify::domain
