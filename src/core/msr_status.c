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
    case MSR_ERR_INVALID:
        return "invalid argument";
    case MSR_ERR_NO_BACKEND:
        return "no MSR backend installed";
    default:
        return "unknown error";
    }
}
