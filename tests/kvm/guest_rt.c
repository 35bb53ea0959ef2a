/*
 * KVM test guest: runtime. IDT and exception handling (the #GP handler asks
 * msr_extable_fixup() first, as any consumer's would), the port-I/O report
 * protocol (the libc pieces a freestanding compiler may call: tests/freestanding_libc.c).
 */
#include <stdarg.h>

#include <x86msr/core.h>

#include "guest.h"

volatile struct guest_gp_log guest_gp;
struct kt_shared *guest_shared;
static unsigned checks_made;

/* memcpy, memmove, memset, memcmp: tests/freestanding_libc.c */
void *memset(void *dst, int c, size_t n);

/* ---- a small vsnprintf: %s %c %d %u %x with l/ll, %% ---- */

struct out {
    char *buf;
    size_t size, len;
};

static void put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void put_num(struct out *o, unsigned long long v, unsigned base, bool neg)
{
    char tmp[24];
    int n = 0;
    if (neg)
        put(o, '-');
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n)
        put(o, tmp[--n]);
}

int kt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct out o = { buf, size, 0 };
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            put(&o, *fmt);
            continue;
        }
        int lng = 0;
        fmt++;
        while (*fmt == 'l') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 's': {
            const char *s = va_arg(ap, const char *);
            for (s = s ? s : "(null)"; *s; s++)
                put(&o, *s);
            break;
        }
        case 'c':
            put(&o, (char)va_arg(ap, int));
            break;
        case 'd': {
            long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);
            put_num(&o, v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, 10, v < 0);
            break;
        }
        case 'u':
        case 'x': {
            unsigned long long v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);
            put_num(&o, v, *fmt == 'x' ? 16 : 10, false);
            break;
        }
        case '%':
            put(&o, '%');
            break;
        default: /* unsupported: show it */
            put(&o, '%');
            if (!*fmt)
                goto end;
            put(&o, *fmt);
            break;
        }
    }
end:
    if (size)
        o.buf[o.len < size ? o.len : size - 1] = '\0';
    return (int)o.len;
}

/* ---- reports ---- */

static void send(struct kt_msg *m)
{
    uint32_t gpa = (uint32_t)(uintptr_t)m; /* the shared page is identity-mapped */
    __asm__ __volatile__("outl %0, %w1" : : "a"(gpa), "Nd"(KT_PORT) : "memory");
}

static struct kt_msg *msg_begin(uint32_t op, const char *fmt, va_list ap)
{
    struct kt_msg *m = &guest_shared->msg;
    memset(m, 0, sizeof *m);
    m->op = op;
    kt_vsnprintf(m->text, sizeof m->text, fmt, ap);
    return m;
}

void kt_check(bool ok, uint64_t got, uint64_t expected, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct kt_msg *m = msg_begin(KT_OP_CHECK, fmt, ap);
    va_end(ap);
    m->ok = ok;
    m->got = got;
    m->expected = expected;
    checks_made++;
    send(m);
}

bool kt_check_eq(uint64_t got, uint64_t expected, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct kt_msg *m = msg_begin(KT_OP_CHECK, fmt, ap);
    va_end(ap);
    m->ok = got == expected;
    m->got = got;
    m->expected = expected;
    checks_made++;
    send(m);
    return got == expected;
}

bool kt_host_msr(uint32_t msr, uint64_t expected, uint64_t mask, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct kt_msg *m = msg_begin(KT_OP_HOST_MSR, fmt, ap);
    va_end(ap);
    m->msr = msr;
    m->expected = expected;
    m->mask = mask;
    checks_made++;
    send(m);
    return m->ok != 0;
}

bool kt_host_get(uint32_t msr, uint64_t *value)
{
    struct kt_msg *m = &guest_shared->msg;
    memset(m, 0, sizeof *m);
    m->op = KT_OP_GET_MSR;
    m->msr = msr;
    send(m);
    *value = m->got;
    return m->ok != 0;
}

void kt_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    send(msg_begin(KT_OP_NOTE, fmt, ap));
    va_end(ap);
}

static void __attribute__((noreturn)) halt_forever(void)
{
    for (;;)
        __asm__ __volatile__("cli; hlt");
}

void kt_done(void)
{
    struct kt_msg *m = &guest_shared->msg;
    memset(m, 0, sizeof *m);
    m->op = KT_OP_DONE;
    m->got = checks_made;
    send(m);
    halt_forever();
}

void kt_fatal(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    send(msg_begin(KT_OP_FATAL, fmt, ap));
    va_end(ap);
    halt_forever();
}

unsigned kt_checks_made(void)
{
    return checks_made;
}

/* ---- CPU ---- */

void guest_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    __asm__ __volatile__("cpuid"
                         : "=a"(out[0]), "=b"(out[1]), "=c"(out[2]), "=d"(out[3])
                         : "a"(leaf), "c"(subleaf));
}

enum guest_vendor guest_vendor(void)
{
    uint32_t r[4];
    guest_cpuid(0, 0, r);
    if (r[1] == 0x756e6547 && r[3] == 0x49656e69 && r[2] == 0x6c65746e) /* GenuineIntel */
        return GUEST_VENDOR_INTEL;
    if (r[1] == 0x68747541 && r[3] == 0x69746e65 && r[2] == 0x444d4163) /* AuthenticAMD */
        return GUEST_VENDOR_AMD;
    return GUEST_VENDOR_OTHER;
}

/* ---- IDT and exceptions ---- */

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t zero;
};

static struct idt_gate idt[32] __attribute__((aligned(16)));
extern const uint64_t guest_isr_table[32];

static const char *const vector_names[32] = {
    "#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "vec9", "#TS",
    "#NP", "#SS", "#GP", "#PF", "vec15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

void guest_exception(struct guest_frame *f);

void guest_exception(struct guest_frame *f)
{
    if (f->vector == 13) {
        uintptr_t resume;
        /* The consumer's side of x86msr's #GP-safe access: one call. */
        if (msr_extable_fixup((uintptr_t)f->rip, &resume)) {
            guest_gp.fixups++;
            f->rip = resume;
            return;
        }
        guest_gp.unexpected++;
        guest_gp.last_rip = f->rip;
        guest_gp.last_rcx = f->rcx;
        guest_gp.last_error = f->error;
        if (guest_gp.skip_armed) {
            const volatile uint8_t *insn = (const volatile uint8_t *)(uintptr_t)f->rip;
            if (insn[0] == 0x0f && (insn[1] == 0x32 || insn[1] == 0x30)) {
                guest_gp.skip_armed = false;
                guest_gp.last_opcode = insn[1];
                if (insn[1] == 0x32) /* rdmsr: make its result defined */
                    f->rax = f->rdx = 0;
                f->rip += 2;
                return;
            }
        }
    }
    const char *name = f->vector < 32 && vector_names[f->vector] ? vector_names[f->vector] : "?";
    uint64_t cr2;
    __asm__ __volatile__("mov %%cr2, %0" : "=r"(cr2));
    kt_fatal("unexpected exception %s (vector %u, error 0x%llx) at rip 0x%llx, rcx 0x%llx, cr2 0x%llx",
             name, (unsigned)f->vector, (unsigned long long)f->error, (unsigned long long)f->rip,
             (unsigned long long)f->rcx, (unsigned long long)cr2);
}

void guest_init(struct kt_shared *shared)
{
    guest_shared = shared;
    for (unsigned i = 0; i < 32; i++) {
        uint64_t a = guest_isr_table[i];
        idt[i].offset_lo = (uint16_t)a;
        idt[i].selector = KT_SEL_CODE;
        idt[i].ist = 0;
        idt[i].type_attr = 0x8e; /* present, DPL 0, 64-bit interrupt gate */
        idt[i].offset_mid = (uint16_t)(a >> 16);
        idt[i].offset_hi = (uint32_t)(a >> 32);
        idt[i].zero = 0;
    }
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } idtr = { sizeof idt - 1, (uint64_t)(uintptr_t)idt };
    __asm__ __volatile__("lidt %0" : : "m"(idtr) : "memory");
    if (shared->params.magic != KT_MAGIC)
        kt_fatal("bad parameter block magic 0x%x", shared->params.magic);
}
