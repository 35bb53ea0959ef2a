/* The freestanding text formatter of x86msr_vmx (vmx_format.h). */
#include "vmx_format.h"

void msr_vmx_fmt_init(struct msr_vmx_fmt *f, char *buf, size_t size)
{
    /* A NULL buffer is a valid way to ask for the length only. */
    f->buf = buf;
    f->size = buf != NULL ? size : 0;
    f->length = 0;
}

static void put(struct msr_vmx_fmt *f, char c)
{
    /* Keep the last byte for the terminating NUL. */
    if (f->size > 0 && f->length < f->size - 1)
        f->buf[f->length] = c;
    f->length++;
}

void msr_vmx_fmt_str(struct msr_vmx_fmt *f, const char *s)
{
    if (s == NULL)
        s = "(null)";
    while (*s != '\0')
        put(f, *s++);
}

static void put_digits(struct msr_vmx_fmt *f, uint64_t value, unsigned base)
{
    static const char digits[] = "0123456789ABCDEF";
    char tmp[20]; /* 2^64 has 20 decimal digits */
    unsigned n = 0;

    do {
        tmp[n++] = digits[value % base];
        value /= base;
    } while (value != 0);
    while (n > 0)
        put(f, tmp[--n]);
}

void msr_vmx_fmt_dec(struct msr_vmx_fmt *f, uint64_t value)
{
    put_digits(f, value, 10);
}

void msr_vmx_fmt_hex(struct msr_vmx_fmt *f, uint64_t value)
{
    put(f, '0');
    put(f, 'x');
    put_digits(f, value, 16);
}

size_t msr_vmx_fmt_finish(struct msr_vmx_fmt *f)
{
    if (f->size > 0)
        f->buf[f->length < f->size ? f->length : f->size - 1] = '\0';
    return f->length;
}
