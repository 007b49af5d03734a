#pragma once

// The [limits] config section as the domain's request limits (checked at the RPC edge by the
// services). Called once at start-up by app/.

#include "config/config.h"
#include "domain/validation.h"

namespace rectify::rpc {

domain::Limits RequestLimits(const config::Limits& limits);

}  // namespace rectify::rpc
