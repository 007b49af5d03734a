#pragma once

// libprotobuf logs every string field with invalid UTF-8 it refuses to parse. The fuzzers feed it
// such fields by the million: drop those messages (the daemon routes them to its logger in
// app/main.cc). Included once per target that parses protobuf.

#include <google/protobuf/stubs/logging.h>

namespace rectify::fuzz {

inline const bool kQuietProtobuf = (google::protobuf::SetLogHandler(nullptr), true);

}  // namespace rectify::fuzz
