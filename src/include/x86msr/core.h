/*
 * x86msr core: the rdmsr/wrmsr primitives every generated accessor goes
 * through, and the few generic helpers the generated per-register macros are
 * written over.
 *
 * Backends (one compile-time switch, so the generated accessors cost nothing):
 *   default            inline `rdmsr`/`wrmsr` (ring 0: kernels, hypervisors,
 *                      KVM guests). In a Linux kernel build (__KERNEL__), the
 *                      `_safe` primitives recover from #GP through Linux's
 *                      own exception table (rdmsrl_safe/wrmsrl_safe), which
 *                      Linux's #GP handler consults; the plain ones stay raw
 *                      rdmsr/wrmsr (docs/linux-kernel.md).
 *   MSR_BACKEND_OPS    calls through a run-time `struct msr_backend` (user space:
 *                      the Linux /dev/cpu/N/msr backend, the in-memory test
 *                      backend, anything a consumer writes).
 * Define MSR_BACKEND_OPS before including any x86msr header (or with -D) in every
 * translation unit of a program; mixing the two in one program is allowed, each
 * translation unit uses the backend it was compiled with.
 *
 * The `_safe` primitives return MSR_OK or a negative `enum msr_status`
 * instead of faulting; a #GP is MSR_ERR_FAULT through every backend. Under
 * the inline-asm backend they are built on an exception table: each
 * rdmsr/wrmsr that may fault records (instruction, fixup) in the
 * `msr_extable` section, and the consumer's #GP handler asks
 * msr_extable_fixup() whether the faulting RIP is one of them
 * (docs/gp-safety.md).
 *
 * Tracing: define MSR_TRACE and provide
 *   void msr_trace(uint32_t msr, uint64_t value, bool is_write, int status);
 * to see every access (status is MSR_OK or the error of a _safe access).
 * Without MSR_TRACE the hook does not exist and costs nothing.
 *
 * Needs only <stdint.h>, <stdbool.h> and <stddef.h>; freestanding-clean. In a
 * Linux kernel build (__KERNEL__) the types come from <linux/types.h> instead,
 * and nothing from libc is included (docs/linux-kernel.md).
 */
#ifndef X86MSR_CORE_H
#define X86MSR_CORE_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Access-level results of the _safe accessors and of the core's functions.
 * Layers above define their own codes (x86msr/vmx.h, x86msr/linux.h), all
 * negative and distinct from these. */
enum msr_status {
    MSR_OK = 0,
    MSR_ERR_FAULT = -1,      /* #GP (any backend): the MSR is absent or the value was rejected */
    MSR_ERR_RANGE = -2,      /* array index or address outside the valid range */
    MSR_ERR_INVALID = -3,    /* invalid argument */
    MSR_ERR_NO_BACKEND = -4  /* MSR_BACKEND_OPS build with no backend installed */
};

/* The non-negative results of the modify accessors: did a WRMSR happen?
 * (MSR_UNCHANGED is MSR_OK; errors stay negative, so test `< 0`.) */
enum msr_modify_result {
    MSR_UNCHANGED = 0, /* the register already held the value: no WRMSR */
    MSR_WRITTEN = 1    /* the value changed and was written */
};

/* A reader and a writer of MSRs: MSR_OK, or a negative status (a reader then
 * stores 0). Backends, the VMX helpers and the presence checks share them. */
typedef int (*msr_read_fn)(void *ctx, uint32_t msr, uint64_t *value);
typedef int (*msr_write_fn)(void *ctx, uint32_t msr, uint64_t value);

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

/* A run-time backend. */
struct msr_backend {
    msr_read_fn read;
    msr_write_fn write;
    /* Called when a plain (non-_safe) access fails, and for an array index
     * out of range (status MSR_ERR_RANGE); may be NULL. A plain read that
     * fails returns 0 after this call. */
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

/* Reports a failed plain access to the backend's fault hook. */
MSR_ALWAYS_INLINE void msr_backend_fault_(uint32_t msr, bool is_write, int status)
{
    if (msr_backend_current && msr_backend_current->fault)
        msr_backend_current->fault(msr_backend_current->ctx, msr, is_write, status);
}

MSR_ALWAYS_INLINE uint64_t msr_rdmsr(uint32_t msr)
{
    uint64_t value;
    int status = msr_rdmsr_safe(msr, &value);
    if (status != MSR_OK)
        msr_backend_fault_(msr, false, status);
    return value;
}

MSR_ALWAYS_INLINE void msr_wrmsr(uint32_t msr, uint64_t value)
{
    int status = msr_wrmsr_safe(msr, value);
    if (status != MSR_OK)
        msr_backend_fault_(msr, true, status);
}

/* An array index past the end, in a plain accessor: the backend's fault hook
 * hears MSR_ERR_RANGE (define MSR_BAD_INDEX before including to change it). */
#ifndef MSR_BAD_INDEX
#define MSR_BAD_INDEX(msr, index, is_write) msr_backend_fault_((msr), (is_write), MSR_ERR_RANGE)
#endif

#else /* inline-asm backend */

#ifndef __KERNEL__

/*
 * One exception-table entry: both addresses relative to the entry's own
 * fields, so the table needs no relocation (works in PIC, PIE and
 * -mcmodel=kernel -fno-pic images alike).
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

#endif /* !__KERNEL__ */

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

#ifdef __KERNEL__
/* Linux: its rdmsrl_safe()/wrmsrl_safe() record the access in Linux's
 * exception table (__ex_table), so a #GP returns an error instead of an
 * oops, and Xen PV and other paravirtualized kernels get their own hooks. */
#include <asm/msr.h>

MSR_ALWAYS_INLINE int msr_rdmsr_safe(uint32_t msr, uint64_t *value)
{
    u64 v = 0;
    int status = rdmsrl_safe(msr, &v) == 0 ? MSR_OK : MSR_ERR_FAULT;
    *value = status == MSR_OK ? v : 0;
    MSR_TRACE_HOOK(msr, *value, false, status);
    return status;
}

MSR_ALWAYS_INLINE int msr_wrmsr_safe(uint32_t msr, uint64_t value)
{
    int status = wrmsrl_safe(msr, value) == 0 ? MSR_OK : MSR_ERR_FAULT;
    MSR_TRACE_HOOK(msr, value, true, status);
    return status;
}
#else
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

#endif /* __KERNEL__ */

/* An array index past the end, in a plain accessor: no access is made and the
 * CPU executes ud2 (#UD), so the mistake stops at the line that made it.
 * Define MSR_BAD_INDEX(msr, index, is_write) before including to report it
 * another way (an assertion, a log line); a plain read then returns 0. */
#ifndef MSR_BAD_INDEX
#define MSR_BAD_INDEX(msr, index, is_write) __builtin_trap()
#endif

#endif /* MSR_BACKEND_OPS */

/* ---- read-modify-write ---------------------------------------------------- */

/*
 * Read `msr`, compute msr_rmw_value(), and write it back only when it differs
 * from what the register holds (write-1-to-clear bits aside). Returns
 * MSR_WRITTEN or MSR_UNCHANGED. The generated msr_<name>_modify() pass the
 * register's masks.
 */
MSR_ALWAYS_INLINE int msr_modify(uint32_t msr, uint64_t clear, uint64_t set, uint64_t writable, uint64_t w1c)
{
    uint64_t old = msr_rdmsr(msr);
    uint64_t value = msr_rmw_value(old, clear, set, writable, w1c);
    if (value == (old & ~w1c))
        return MSR_UNCHANGED;
    msr_wrmsr(msr, value);
    return MSR_WRITTEN;
}

/* msr_modify with _safe accesses: a negative status (of the read or the
 * write), else MSR_WRITTEN or MSR_UNCHANGED; *value is what the register
 * holds afterwards (write-1-to-clear bits as written), 0 after a failed read. */
MSR_ALWAYS_INLINE int msr_modify_safe(uint32_t msr, uint64_t clear, uint64_t set, uint64_t writable, uint64_t w1c,
                                      uint64_t *value)
{
    uint64_t old;
    int status = msr_rdmsr_safe(msr, &old);
    if (status != MSR_OK) {
        *value = 0;
        return status;
    }
    *value = msr_rmw_value(old, clear, set, writable, w1c);
    if (*value == (old & ~w1c)) {
        *value = old;
        return MSR_UNCHANGED;
    }
    status = msr_wrmsr_safe(msr, *value);
    if (status != MSR_OK) {
        *value = old;
        return status;
    }
    return MSR_WRITTEN;
}

/* ---- array registers: the address of instance `n`, checked ------------------- */

MSR_ALWAYS_INLINE uint64_t msr_rdmsr_at_(uint32_t base, uint32_t stride, uint32_t count, uint32_t n)
{
    if (n >= count) {
        MSR_BAD_INDEX(base, n, false);
        return 0;
    }
    return msr_rdmsr(base + n * stride);
}

MSR_ALWAYS_INLINE void msr_wrmsr_at_(uint32_t base, uint32_t stride, uint32_t count, uint32_t n, uint64_t value)
{
    if (n >= count) {
        MSR_BAD_INDEX(base, n, true);
        return;
    }
    msr_wrmsr(base + n * stride, value);
}

MSR_ALWAYS_INLINE int msr_rdmsr_safe_at_(uint32_t base, uint32_t stride, uint32_t count, uint32_t n,
                                         uint64_t *value)
{
    if (n >= count) {
        *value = 0;
        return MSR_ERR_RANGE;
    }
    return msr_rdmsr_safe(base + n * stride, value);
}

MSR_ALWAYS_INLINE int msr_wrmsr_safe_at_(uint32_t base, uint32_t stride, uint32_t count, uint32_t n, uint64_t value)
{
    if (n >= count)
        return MSR_ERR_RANGE;
    return msr_wrmsr_safe(base + n * stride, value);
}

MSR_ALWAYS_INLINE int msr_modify_at_(uint32_t base, uint32_t stride, uint32_t count, uint32_t n, uint64_t clear,
                                     uint64_t set, uint64_t writable, uint64_t w1c)
{
    if (n >= count) {
        MSR_BAD_INDEX(base, n, true);
        return MSR_UNCHANGED;
    }
    return msr_modify(base + n * stride, clear, set, writable, w1c);
}

MSR_ALWAYS_INLINE int msr_modify_safe_at_(uint32_t base, uint32_t stride, uint32_t count, uint32_t n,
                                          uint64_t clear, uint64_t set, uint64_t writable, uint64_t w1c,
                                          uint64_t *value)
{
    if (n >= count) {
        *value = 0;
        return MSR_ERR_RANGE;
    }
    return msr_modify_safe(base + n * stride, clear, set, writable, w1c, value);
}

/* ---- typed values and fields ------------------------------------------------------ */

/*
 * Every register has a value type msr_<name>_t, a union of `raw` and one
 * bitfield per field. Build one with an initializer, `msr_ia32_efer_t v = { raw };`,
 * or from fields:
 *
 * MSR_GET(REG, FIELD, v): the field of `v`, a value of REG's type, as uint64_t.
 * MSR_SET(REG, FIELD, v, x): `v` with the field replaced by `x` (bits of `x`
 *     above the field's width are dropped).
 * MSR_ZERO(REG): the value 0 of REG's type.
 * MSR_BITS(REG, FIELD): a value of REG's type with the field's bits set (a
 *     mask for modify's `clear`).
 * MSR_MAKE(REG, FIELD, x): MSR_SET(REG, FIELD, MSR_ZERO(REG), x).
 * MSR_OR(a, b): the bits of two values of one register's type.
 * MSR_SHIFT(REG, FIELD), MSR_WIDTH(REG, FIELD): the field's lowest bit and
 *     its width, integer constant expressions (MSR_<REG>_<FIELD>_MASK is the mask).
 * MSR_UNCHECKED(REG, raw): a value of REG's type from any integer, checked by
 *     nothing: the escape hatch, named to stand out in review.
 *
 *     msr_ia32_pat_t pat = msr_ia32_pat_read();
 *     if (MSR_GET(IA32_PAT, PA1, pat) != MSR_MEMORY_TYPE_WC)
 *         msr_ia32_pat_write(MSR_SET(IA32_PAT, PA1, pat, MSR_MEMORY_TYPE_WC));
 *     (void)msr_ia32_efer_modify(MSR_ZERO(IA32_EFER), MSR_BITS(IA32_EFER, NXE));
 *
 * Each fails to compile for a value of another register's type, and the
 * accessors that write (write, modify) take only values of their register's
 * type: another register's value or a bare integer is a compile error. MSR_SET
 * and MSR_MAKE fail to compile for a field software cannot write and, in C
 * with gcc or clang, for a constant too wide for the field or, in a
 * strict_enum field, one its enumeration does not define (MSR_SET(IA32_PAT,
 * PA1, pat, 2): memory type 2 is reserved); a run-time value is the caller's
 * to check (msr_field_value_valid(), x86msr/meta.h). Arguments are evaluated once.
 */
#define MSR_GET(reg, field, v) MSR_GET_(MSR_##reg##_, MSR_##reg##_##field##_MASK, v)
#define MSR_SET(reg, field, v, x) MSR_SET_(MSR_##reg##_, MSR_##reg##_##field##_MASK, v, x)
#define MSR_ZERO(reg) MSR_ZERO_(MSR_##reg##_)
#define MSR_BITS(reg, field) MSR_BITS_(MSR_##reg##_, MSR_##reg##_##field##_MASK)
#define MSR_MAKE(reg, field, x) MSR_SET_(MSR_##reg##_, MSR_##reg##_##field##_MASK, MSR_ZERO_(MSR_##reg##_), x)
#define MSR_OR(a, b) MSR_VALUE_(__typeof__(a), (MSR_SAME_TYPE_(a, b), (a).raw | (b).raw))
#define MSR_SHIFT(reg, field) __builtin_ctzll(MSR_##reg##_##field##_MASK)
#define MSR_WIDTH(reg, field) __builtin_popcountll(MSR_##reg##_##field##_MASK)
#define MSR_UNCHECKED(reg, raw) MSR_UNCHECKED_(MSR_##reg##_, raw)

/* The machinery below is internal: names ending in '_' may change. */

/* Each register's descriptor MSR_<REG>_ (generated) lists
 *   (type, address of instance 0, stride, count, writable mask, write-1-to-clear
 *    mask, mask of its strict_enum fields, the values they allow as a bit set);
 * every macro taking a descriptor `d` passes it to an _I_ twin, so that it
 * arrives there as those eight arguments. */
#define MSR_ZERO_(d) MSR_ZERO_I_(d)
#define MSR_ZERO_I_(T, base, stride, count, w, w1c, smask, svalues) MSR_VALUE_(T, 0)
#define MSR_UNCHECKED_(d, raw) MSR_UNCHECKED_I_(d, raw)
#define MSR_UNCHECKED_I_(T, base, stride, count, w, w1c, smask, svalues, raw) MSR_VALUE_(T, raw)
#define MSR_BITS_(d, mask) MSR_BITS_I_(d, mask)
#define MSR_BITS_I_(T, base, stride, count, w, w1c, smask, svalues, mask) MSR_VALUE_(T, mask)
#define MSR_GET_(d, mask, v) MSR_GET_I_(d, mask, v)
#define MSR_GET_I_(T, base, stride, count, w, w1c, smask, svalues, mask, v)                           \
    ((MSR_RAW_(T, v) & (mask)) >> __builtin_ctzll(mask))
#define MSR_SET_(d, mask, v, x) MSR_SET_I_(d, mask, v, x)
#define MSR_SET_I_(T, base, stride, count, w, w1c, smask, svalues, mask, v, x)                        \
    MSR_VALUE_(T, (MSR_BUILD_BUG_(((mask) & ~(uint64_t)(w)) != 0, msr_field_is_read_only),             \
                   MSR_CHECK_FITS_(x, mask), MSR_CHECK_STRICT_(x, mask, smask, svalues),               \
                   (MSR_RAW_(T, v) & ~(uint64_t)(mask)) | (((uint64_t)(x) << __builtin_ctzll(mask)) & (mask))))

/* The accessors msr_<name>_read() ... (generated) over the descriptor. */
#define MSR_READ_(d) MSR_READ_I_(d)
#define MSR_READ_I_(T, base, stride, count, w, w1c, smask, svalues) MSR_VALUE_(T, msr_rdmsr(base))
#define MSR_READ_SAFE_(d, p) MSR_READ_SAFE_I_(d, p)
#define MSR_READ_SAFE_I_(T, base, stride, count, w, w1c, smask, svalues, p)                           \
    msr_rdmsr_safe(base, MSR_RAW_PTR_(T, p))
#define MSR_WRITE_(d, v) MSR_WRITE_I_(d, v)
#define MSR_WRITE_I_(T, base, stride, count, w, w1c, smask, svalues, v) msr_wrmsr(base, MSR_RAW_(T, v))
#define MSR_WRITE_SAFE_(d, v) MSR_WRITE_SAFE_I_(d, v)
#define MSR_WRITE_SAFE_I_(T, base, stride, count, w, w1c, smask, svalues, v)                          \
    msr_wrmsr_safe(base, MSR_RAW_(T, v))
#define MSR_MODIFY_(d, clear, set) MSR_MODIFY_I_(d, clear, set)
#define MSR_MODIFY_I_(T, base, stride, count, w, w1c, smask, svalues, clear, set)                     \
    msr_modify(base, MSR_RAW_(T, clear), MSR_RAW_(T, set), w, w1c)
#define MSR_MODIFY_SAFE_(d, clear, set, p) MSR_MODIFY_SAFE_I_(d, clear, set, p)
#define MSR_MODIFY_SAFE_I_(T, base, stride, count, w, w1c, smask, svalues, clear, set, p)             \
    msr_modify_safe(base, MSR_RAW_(T, clear), MSR_RAW_(T, set), w, w1c, MSR_RAW_PTR_(T, p))
/* ... and of array instance n. */
#define MSR_READ_AT_(d, n) MSR_READ_AT_I_(d, n)
#define MSR_READ_AT_I_(T, base, stride, count, w, w1c, smask, svalues, n)                             \
    MSR_VALUE_(T, msr_rdmsr_at_(base, stride, count, (uint32_t)(n)))
#define MSR_READ_SAFE_AT_(d, n, p) MSR_READ_SAFE_AT_I_(d, n, p)
#define MSR_READ_SAFE_AT_I_(T, base, stride, count, w, w1c, smask, svalues, n, p)                     \
    msr_rdmsr_safe_at_(base, stride, count, (uint32_t)(n), MSR_RAW_PTR_(T, p))
#define MSR_WRITE_AT_(d, n, v) MSR_WRITE_AT_I_(d, n, v)
#define MSR_WRITE_AT_I_(T, base, stride, count, w, w1c, smask, svalues, n, v)                         \
    msr_wrmsr_at_(base, stride, count, (uint32_t)(n), MSR_RAW_(T, v))
#define MSR_WRITE_SAFE_AT_(d, n, v) MSR_WRITE_SAFE_AT_I_(d, n, v)
#define MSR_WRITE_SAFE_AT_I_(T, base, stride, count, w, w1c, smask, svalues, n, v)                    \
    msr_wrmsr_safe_at_(base, stride, count, (uint32_t)(n), MSR_RAW_(T, v))
#define MSR_MODIFY_AT_(d, n, clear, set) MSR_MODIFY_AT_I_(d, n, clear, set)
#define MSR_MODIFY_AT_I_(T, base, stride, count, w, w1c, smask, svalues, n, clear, set)               \
    msr_modify_at_(base, stride, count, (uint32_t)(n), MSR_RAW_(T, clear), MSR_RAW_(T, set), w, w1c)
#define MSR_MODIFY_SAFE_AT_(d, n, clear, set, p) MSR_MODIFY_SAFE_AT_I_(d, n, clear, set, p)
#define MSR_MODIFY_SAFE_AT_I_(T, base, stride, count, w, w1c, smask, svalues, n, clear, set, p)       \
    msr_modify_safe_at_(base, stride, count, (uint32_t)(n), MSR_RAW_(T, clear), MSR_RAW_(T, set), w,  \
                        w1c, MSR_RAW_PTR_(T, p))

/* A value of type T from a uint64_t. */
#ifdef __cplusplus
#define MSR_VALUE_(T, raw) (T{ (uint64_t)(raw) })
#else
#define MSR_VALUE_(T, raw) ((T){ (uint64_t)(raw) })
#endif

/* Fails to compile unless `v` has type T (a call through a null function
 * pointer, never evaluated). */
#define MSR_CHECK_TYPE_(T, v) ((void)sizeof(((char (*)(T))0)(v)))
/* Fails to compile unless `b` has the type of `a`. In C an assignment, never
 * evaluated: the type appears in a cast, not in a parameter list, so `a` may
 * itself be MSR_MAKE(...), whose C checks declare structures. */
#ifdef __cplusplus
#define MSR_SAME_TYPE_(a, b) MSR_CHECK_TYPE_(__typeof__(a), b)
#else
#define MSR_SAME_TYPE_(a, b) ((void)sizeof(*(__typeof__(a) *)0 = (b)))
#endif
/* `v.raw` and `&p->raw`, after that check. */
#define MSR_RAW_(T, v) (MSR_CHECK_TYPE_(T, v), (v).raw)
#define MSR_RAW_PTR_(T, p) (MSR_CHECK_TYPE_(T, *(p)), &(p)->raw)

/* A compile error naming `what` when the constant expression `cond` is true. */
#ifdef __cplusplus
#define MSR_BUILD_BUG_(cond, what) ((void)sizeof(char[(cond) ? -1 : 1]))
#else
#define MSR_BUILD_BUG_(cond, what) ((void)sizeof(struct { int what : (cond) ? -1 : 1; }))
#endif

/* Compile errors for a constant `x` wider than the field `mask`, or outside the
 * values `svalues` (a bit set) of a strict_enum field (`mask` within `smask`):
 * C with gcc/clang; a run-time value is not checked here. */
#if !defined(__cplusplus) && defined(__GNUC__)
/* 1 when `x` is an integer constant expression: then (void *)(x * 0) is a null
 * pointer constant and the conditional has type int * (Linux's __is_constexpr). */
#define MSR_IS_ICE_(x) __builtin_types_compatible_p(__typeof__(1 ? (int *)0 : (void *)((long)(x) * 0l)), int *)
#define MSR_CHECK_FITS_(x, mask)                                                                       \
    MSR_BUILD_BUG_(__builtin_choose_expr(MSR_IS_ICE_(x),                                                \
                                         ((uint64_t)(x) & ~((mask) >> __builtin_ctzll(mask))) != 0, 0), \
                   msr_value_too_wide_for_field)
#define MSR_CHECK_STRICT_(x, mask, smask, svalues)                                                     \
    MSR_BUILD_BUG_(__builtin_choose_expr(MSR_IS_ICE_(x),                                                \
                                         ((mask) & (smask)) != 0 &&                                     \
                                             ((uint64_t)(x) > 63 ||                                     \
                                              !(((uint64_t)(svalues) >> ((uint64_t)(x) & 63)) & 1)),    \
                                         0),                                                            \
                   msr_value_not_in_the_fields_enum)
#else
#define MSR_CHECK_FITS_(x, mask) ((void)0)
#define MSR_CHECK_STRICT_(x, mask, smask, svalues) ((void)0)
#endif

/* A human-readable description of an msr_status value. */
const char *msr_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_CORE_H */
