#pragma once

// The notify module's public surface in one include: plain values (types.h), renderers
// (render.h), signatures (sign.h), request builders (request.h), outcome policy and backoff
// (classify.h), redaction (redact.h) and the blocking Sender (sender.h).

#include "notify/classify.h"  // IWYU pragma: export
#include "notify/redact.h"    // IWYU pragma: export
#include "notify/render.h"    // IWYU pragma: export
#include "notify/request.h"   // IWYU pragma: export
#include "notify/sender.h"    // IWYU pragma: export
#include "notify/sign.h"      // IWYU pragma: export
#include "notify/types.h"     // IWYU pragma: export
