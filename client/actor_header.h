#pragma once

// The value of the `x-rectify-actor` metadata for `--as NAME`.
//
// gRPC allows only printable ASCII in text metadata, and names are usually Chinese (张三), so
// every byte outside 0x21..0x7E, and '%' itself, is %-encoded as UTF-8 bytes
// ("%E5%BC%A0%E4%B8%89"). The daemon (rpc/caller.cc) %-decodes the header, so plain ASCII names
// travel unchanged.

#include <string>
#include <string_view>

namespace rectify::client {

inline constexpr char kActorMetadataKey[] = "x-rectify-actor";

std::string EncodeActorHeader(std::string_view name);

}  // namespace rectify::client
