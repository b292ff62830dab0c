#include "DescriptorLimit.h"

#include <cstdio>

#include <sys/resource.h>

namespace rill::server {

void raiseDescriptorLimit()
{
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
            std::perror("rill-server: cannot raise the descriptor limit");
    }
}

} // namespace rill::server
