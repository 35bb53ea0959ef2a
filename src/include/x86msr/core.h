/*
 * x86msr core: the rdmsr/wrmsr primitives every generated accessor goes
 * through, and the few generic helpers the generated per-register macros are
 * written over.
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
 * Needs only <stdint.h> and <stdbool.h>; freestanding-clean.
 */
#ifndef X86MSR_CORE_H
#define X86MSR_CORE_H

#include <stdbool.h>
#include <stdint.h>

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
 * bitfield per field. Build one with an initializer, `msr_ia32_efer_t v = { raw };`.
 *
 * MSR_GET(REG, FIELD, v): the field of `v`, a value of REG's type, as uint64_t or,
 * for an enumerated field, as its enum type.
 * MSR_SET(REG, FIELD, v, x): `v` with the field replaced by `x`; bits of `x` above
 * the field's width are dropped.
 *
 *     msr_ia32_pat_t pat = msr_ia32_pat_read();
 *     if (MSR_GET(IA32_PAT, PA1, pat) != MSR_MEMORY_TYPE_WC)
 *         msr_ia32_pat_write(MSR_SET(IA32_PAT, PA1, pat, MSR_MEMORY_TYPE_WC));
 *
 * Both fail to compile for a value of another register's type; MSR_SET fails
 * to compile for a field software cannot write and, in C with gcc or clang,
 * for a constant too wide for the field. Arguments are evaluated once.
 */
#define MSR_GET(reg, field, v) MSR_##reg##_##field##_FIELD(MSR_GET_, v)
#define MSR_SET(reg, field, v, x) MSR_##reg##_##field##_FIELD(MSR_SET_, v, x)

/* The machinery below is internal: names ending in '_' may change. */

/* A value of type T from a uint64_t. */
#ifdef __cplusplus
#define MSR_VALUE_(T, raw) (T{ (uint64_t)(raw) })
#else
#define MSR_VALUE_(T, raw) ((T){ (uint64_t)(raw) })
#endif

/* Fails to compile unless `v` has type T (a call through a null function
 * pointer, never evaluated). */
#define MSR_CHECK_TYPE_(T, v) ((void)sizeof(((char (*)(T))0)(v)))
/* `v.raw` and `&p->raw`, after that check. */
#define MSR_RAW_(T, v) (MSR_CHECK_TYPE_(T, v), (v).raw)
#define MSR_RAW_PTR_(T, p) (MSR_CHECK_TYPE_(T, *(p)), &(p)->raw)

/* A compile error naming `what` when the constant expression `cond` is true. */
#ifdef __cplusplus
#define MSR_BUILD_BUG_(cond, what) ((void)sizeof(char[(cond) ? -1 : 1]))
#else
#define MSR_BUILD_BUG_(cond, what) ((void)sizeof(struct { int what : (cond) ? -1 : 1; }))
#endif

/* A constant `x` wider than `width` bits fails to compile (C, gcc/clang); a
 * run-time value is masked instead. (Two shifts: x >> 64 would be undefined.) */
#if !defined(__cplusplus) && defined(__GNUC__)
/* 1 when `x` is an integer constant expression: then (void *)(x * 0) is a null
 * pointer constant and the conditional has type int * (Linux's __is_constexpr). */
#define MSR_IS_ICE_(x) __builtin_types_compatible_p(__typeof__(1 ? (int *)0 : (void *)((long)(x) * 0l)), int *)
#define MSR_CHECK_FITS_(x, width)                                                                     \
    MSR_BUILD_BUG_(__builtin_choose_expr(MSR_IS_ICE_(x), ((uint64_t)(x) >> ((width) - 1) >> 1) != 0, 0),   \
                   msr_value_too_wide_for_field)
#else
#define MSR_CHECK_FITS_(x, width) ((void)0)
#endif

/* Called through each field's MSR_<REG>_<FIELD>_FIELD(op, ...) descriptor with
 * (register type, field type, mask, shift, width, writable, ...). */
#define MSR_GET_(T, F, mask, shift, width, writable, v) ((F)((MSR_RAW_(T, v) & (mask)) >> (shift)))
#define MSR_SET_(T, F, mask, shift, width, writable, v, x)                                            \
    MSR_VALUE_(T, (MSR_BUILD_BUG_(!(writable), msr_field_is_read_only), MSR_CHECK_FITS_(x, width),     \
                   (MSR_RAW_(T, v) & ~(uint64_t)(mask)) | (((uint64_t)(x) << (shift)) & (mask))))

/* A human-readable description of an msr_status value. */
const char *msr_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* X86MSR_CORE_H */
