#pragma once

namespace rill::server {

// Every connection is a descriptor; the usual soft limit (1024) would cap the server far below
// --max-connections, so the process takes what its hard limit allows. Nothing to do where
// there is no such limit.
void raiseDescriptorLimit();

} // namespace rill::server
