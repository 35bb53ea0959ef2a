/* The run-time backend slot of MSR_BACKEND_OPS builds (x86msr/core.h). */
#define MSR_BACKEND_OPS
#include "x86msr/core.h"

#include <stddef.h>

const struct msr_backend *msr_backend_current = NULL;

const struct msr_backend *msr_backend_install(const struct msr_backend *backend)
{
    const struct msr_backend *previous = msr_backend_current;
    msr_backend_current = backend;
    return previous;
}
