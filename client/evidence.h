#pragma once

// `--evidence NAME:SHA256[:URI]`: a reference to a supporting file (佐证材料) that lives
// elsewhere. NAME may itself contain ':' and URI usually does ("https://..."), so the digest is
// found as the first ':'-delimited run of exactly 64 hex digits after a non-empty name. The
// digest is sent in lower case, as the API requires; size stays 0 (unknown to the client).

#include <string_view>

#include "client/parsed.h"
#include "rectify/v1/rectify.pb.h"

namespace rectify::client {

Parsed<v1::Evidence> ParseEvidence(std::string_view flag, std::string_view text);

}  // namespace rectify::client
