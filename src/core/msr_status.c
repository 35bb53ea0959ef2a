/*
 * Human-readable text for enum msr_status (core.h). Freestanding: the
 * strings are constants, nothing here touches libc.
 */
#include <x86msr/core.h>

const char *msr_strerror(int status)
{
    switch (status) {
    case MSR_OK:
        return "success";
    case MSR_ERR_FAULT:
        return "general-protection fault: MSR not implemented or value rejected";
    case MSR_ERR_RANGE:
        return "array index or address out of range";
    case MSR_ERR_NO_DRIVER:
        return "MSR driver not available (/dev/cpu/N/msr missing; try 'modprobe msr')";
    case MSR_ERR_PERMISSION:
        return "permission denied (needs root or CAP_SYS_RAWIO)";
    case MSR_ERR_NO_CPU:
        return "no such CPU, or CPU offline";
    case MSR_ERR_IO:
        return "I/O error: MSR not implemented on this CPU, or write rejected";
    case MSR_ERR_SHORT:
        return "short read or write";
    case MSR_ERR_INVALID:
        return "invalid argument";
    case MSR_ERR_UNSUPPORTED:
        return "not supported by this CPU";
    case MSR_ERR_DISABLED:
        return "disabled and locked by firmware";
    case MSR_ERR_NO_BACKEND:
        return "no MSR backend installed";
    default:
        return "unknown error";
    }
}
