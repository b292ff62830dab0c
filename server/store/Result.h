#pragma once

#include "protocol/Result.h"

namespace rill::store {

// A value or the contract error to answer with. Storage failures arrive here as `internal`,
// never as exceptions, so a handler always has exactly one reply to give.
template<typename T>
using Result = protocol::Result<T>;

// The value of a Result that has nothing to say but "done".
struct Done {};

} // namespace rill::store
