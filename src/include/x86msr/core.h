/*
 * x86msr core: the rdmsr/wrmsr primitives every generated accessor goes through.
 *
 * Backends (one compile-time switch, so the generated accessors cost nothing):
 *   default            inline `rdmsr`/`wrmsr` (ring 0: kernels, hypervisors,
 *                      KVM guests).
 *   MSR_BACKEND_OPS    calls through a run-time `struct msr_backend` (user space:
 *                      the Linux /dev/cpu/N/msr backend, the in-memory test
 *                      backend, anything a consumer writes).
 * Define MSR_BACKEND_OPS before including any x86msr header (or with -D) in every
 * translation unit of a program; mixing the two in one program is allowed, each
 * translation unit uses the backend it was compiled with.
 *
 * The `_safe` primitives return MSR_OK or a negative `enum msr_status`
 * instead of faulting. Under the inline-asm backend they are built on an
 * exception table: each rdmsr/wrmsr that may fault records (instruction,
 * fixup) in the `msr_extable` section, and the consumer's #GP handler asks
 * msr_extable_fixup() whether the faulting RIP is one of them (see README,
 * "#GP-safe access").
 *
 * Tracing: define MSR_TRACE and provide
 *   void msr_trace(uint32_t msr, uint64_t value, bool is_write, int status);
 * to see every access (status is MSR_OK or the error of a _safe access).
 * Without MSR_TRACE the hook does not exist and costs nothing.
 *
 * Needs only <stdint.h> and <stdbool.h>; freestanding-clean.
 */
#ifndef X86MSR_CORE_H
#define X86MSR_CORE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Results of the _safe accessors and of the library's functions. */
enum msr_status {
    MSR_OK = 0,
    MSR_ERR_FAULT = -1,      /* the CPU raised #GP: MSR absent or value rejected */
    MSR_ERR_RANGE = -2,      /* array index or address outside the valid range */
    MSR_ERR_NO_DRIVER = -3,  /* Linux: /dev/cpu/N/msr missing (modprobe msr) */
    MSR_ERR_PERMISSION = -4, /* Linux: needs root / CAP_SYS_RAWIO */
    MSR_ERR_NO_CPU = -5,     /* no such CPU, or CPU offline */
    MSR_ERR_IO = -6,         /* Linux: EIO, MSR not implemented or write rejected */
    MSR_ERR_SHORT = -7,      /* short read or write */
    MSR_ERR_INVALID = -8,    /* invalid argument */
    MSR_ERR_UNSUPPORTED = -9,/* feature not supported by this CPU */
    MSR_ERR_DISABLED = -10,  /* disabled and locked by firmware */
    MSR_ERR_NO_BACKEND = -11 /* MSR_BACKEND_OPS build with no backend installed */
};

/* The primitives must vanish into their callers (zero cost): gcc would
 * otherwise outline an asm block it considers large, one copy per file. */
#if defined(__GNUC__)
#define MSR_ALWAYS_INLINE static inline __attribute__((always_inline))
#else
#define MSR_ALWAYS_INLINE static inline
#endif

/* Static assertion usable at file scope in C99, C11+ and C++. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define MSR_STATIC_ASSERT(cond, tag) static_assert(cond, #tag)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define MSR_STATIC_ASSERT(cond, tag) _Static_assert(cond, #tag)
#else
#define MSR_STATIC_ASSERT(cond, tag) typedef char msr_static_assert_##tag[(cond) ? 1 : -1]
#endif

#ifdef MSR_TRACE
void msr_trace(uint32_t msr, uint64_t value, bool is_write, int status);
#define MSR_TRACE_HOOK(msr, value, is_write, status) msr_trace((msr), (value), (is_write), (status))
#else
#define MSR_TRACE_HOOK(msr, value, is_write, status) ((void)0)
#endif

/*
 * The value a read-modify-write stores, given the value `old` read:
 * - bits of `clear` and then of `set` change, but only inside `writable`
 *   (the register's writable fields);
 * - reserved and read-only bits are written back exactly as read;
 * - write-1-to-clear bits (`w1c`) are written as 0 (no effect) unless `set`
 *   names them, so a modify never clears status bits by accident.
 */
static inline uint64_t msr_rmw_value(uint64_t old, uint64_t clear, uint64_t set, uint64_t writable,
                                     uint64_t w1c)
{
    return ((old & ~w1c) & ~(clear & writable)) | (set & writable);
}

#ifdef MSR_BACKEND_OPS

/* A run-time backend. `read`/`write` return MSR_OK or a negative msr_status. */
struct msr_backend {
    int (*read)(void *ctx, uint32_t msr, uint64_t *value);
    int (*write)(void *ctx, uint32_t msr, uint64_t value);
    /* Called when a plain (non-_safe) access fails; may be NULL. A plain read
     * that fails returns 0 after this call. */
    void (*fault)(void *ctx, uint32_t msr, bool is_write, int status);
    void *ctx;
};

/* The backend the accessors use; NULL until one is installed. */
extern const struct msr_backend *msr_backend_current;

/* Installs `backend` (NULL uninstalls) and returns the previous one. */
const struct msr_backend *msr_backend_install(const struct msr_backend *backend);

MSR_ALWAYS_INLINE int msr_rdmsr_safe(uint32_t msr, uint64_t *value)
{
    const struct msr_backend *b = msr_backend_current;
    int status = b ? b->read(b->ctx, msr, value) : MSR_ERR_NO_BACKEND;
    if (status != MSR_OK)
        *value = 0;
    MSR_TRACE_HOOK(msr, *value, false, status);
    return status;
}

MSR_ALWAYS_INLINE int msr_wrmsr_safe(uint32_t msr, uint64_t value)
{
    const struct msr_backend *b = msr_backend_current;
    int status = b ? b->write(b->ctx, msr, value) : MSR_ERR_NO_BACKEND;
    MSR_TRACE_HOOK(msr, value, true, status);
    return status;
}

MSR_ALWAYS_INLINE uint64_t msr_rdmsr(uint32_t msr)
{
    uint64_t value;
    int status = msr_rdmsr_safe(msr, &value);
    if (status != MSR_OK && msr_backend_current && msr_backend_current->fault)
        msr_backend_current->fault(msr_backend_current->ctx, msr, false, status);
    return value;
}

MSR_ALWAYS_INLINE void msr_wrmsr(uint32_t msr, uint64_t value)
{
    int status = msr_wrmsr_safe(msr, value);
    if (status != MSR_OK && msr_backend_current && msr_backend_current->fault)
        msr_backend_current->fault(msr_backend_current->ctx, msr, true, status);
}

#else /* inline-asm backend */

/*
 * One exception-table entry: both addresses relative to the entry's own
 * fields, so the table needs no relocation (works in PIC, PIE and
 * -mcmodel=kernel images alike).
 */
struct msr_extable_entry {
    int32_t insn;  /* faulting instruction - &entry->insn */
    int32_t fixup; /* resume address - &entry->fixup */
};

/*
 * For the consumer's #GP handler: if `rip` is an x86msr rdmsr/wrmsr that may
 * fault, returns true and stores in *resume the address to continue at (the
 * access then returns MSR_ERR_FAULT); otherwise returns false and the fault
 * is not ours.
 */
bool msr_extable_fixup(uintptr_t rip, uintptr_t *resume);

/* Records "instruction at label 1 may fault; continue at label 3". Both
 * labels must already be defined where this is expanded (backward refs). */
#define MSR_EXTABLE_ENTRY_                                                     \
    ".pushsection msr_extable, \"a\"\n\t"                                      \
    ".balign 4\n\t"                                                            \
    ".long 1b - .\n\t"                                                         \
    ".long 3b - .\n\t"                                                         \
    ".popsection\n\t"

MSR_ALWAYS_INLINE uint64_t msr_rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    MSR_TRACE_HOOK(msr, ((uint64_t)hi << 32) | lo, false, MSR_OK);
    return ((uint64_t)hi << 32) | lo;
}

MSR_ALWAYS_INLINE void msr_wrmsr(uint32_t msr, uint64_t value)
{
    MSR_TRACE_HOOK(msr, value, true, MSR_OK);
    __asm__ __volatile__("wrmsr"
                         :
                         : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
                         : "memory");
}

MSR_ALWAYS_INLINE int msr_rdmsr_safe(uint32_t msr, uint64_t *value)
{
    uint32_t lo = 0, hi = 0;
    int status = MSR_OK;
    __asm__ __volatile__("1: rdmsr\n\t"
                         "2:\n\t"
                         ".pushsection .text.msr_fixup, \"ax\"\n\t"
                         "3: movl %[fault], %[status]\n\t"
                         "xorl %%eax, %%eax\n\t"
                         "xorl %%edx, %%edx\n\t"
                         "jmp 2b\n\t"
                         ".popsection\n\t" MSR_EXTABLE_ENTRY_
                         : "+a"(lo), "+d"(hi), [status] "+r"(status)
                         : "c"(msr), [fault] "i"(MSR_ERR_FAULT));
    *value = ((uint64_t)hi << 32) | lo;
    MSR_TRACE_HOOK(msr, *value, false, status);
    return status;
}

MSR_ALWAYS_INLINE int msr_wrmsr_safe(uint32_t msr, uint64_t value)
{
    int status = MSR_OK;
    __asm__ __volatile__("1: wrmsr\n\t"
                         "2:\n\t"
                         ".pushsection .text.msr_fixup, \"ax\"\n\t"
                         "3: movl %[fault], %[status]\n\t"
                         "jmp 2b\n\t"
                         ".popsection\n\t" MSR_EXTABLE_ENTRY_
                         : [status] "+r"(status)
                         : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)),
                           [fault] "i"(MSR_ERR_FAULT)
                         : "memory");
    MSR_TRACE_HOOK(msr, value, true, status);
    return status;
}

#endif /* MSR_BACKEND_OPS */

/* A human-readable description of an msr_status value. */
const char *msr_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_CORE_H */
