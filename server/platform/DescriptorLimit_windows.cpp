#include "DescriptorLimit.h"

namespace rill::server {

// Winsock sockets are handles, not C runtime descriptors: no per-process cap to raise.
void raiseDescriptorLimit() {}

} // namespace rill::server
