/*
 * KVM test guest: the trace hook. This translation unit alone is built with
 * -DMSR_TRACE, so its accessors call msr_trace() and the others' do not
 * (core.h: each translation unit uses the configuration it was built with).
 */
#ifndef MSR_TRACE
#error "guest_trace.c must be built with -DMSR_TRACE"
#endif

#include <x86msr/msrs.h>

#include "guest.h"

struct trace_event {
    uint32_t msr;
    uint64_t value;
    bool is_write;
    int status;
};

static struct trace_event events[16];
static unsigned n_events;

void msr_trace(uint32_t msr, uint64_t value, bool is_write, int status)
{
    if (n_events < sizeof events / sizeof events[0])
        events[n_events] = (struct trace_event){ msr, value, is_write, status };
    n_events++;
}

static bool event_is(unsigned i, uint32_t msr, uint64_t value, bool is_write, int status)
{
    return i < n_events && events[i].msr == msr && events[i].value == value &&
           events[i].is_write == is_write && events[i].status == status;
}

void guest_trace_checks(void)
{
    n_events = 0;
    msr_ia32_cstar_t c = msr_ia32_cstar_read();
    kt_check(n_events == 1 && event_is(0, MSR_IA32_CSTAR_ADDR, c.raw, false, MSR_OK), n_events, 1,
             "MSR_TRACE: a typed read calls msr_trace(IA32_CSTAR, value, read, MSR_OK)");

    n_events = 0;
    /* make sure the next modify has a change to write (bit 8: TF) */
    (void)msr_ia32_fmask_modify(MSR_MAKE(IA32_FMASK, SYSCALL_FLAG_MASK, 0x100), MSR_ZERO(IA32_FMASK));
    n_events = 0;
    (void)msr_ia32_fmask_modify(MSR_ZERO(IA32_FMASK), MSR_MAKE(IA32_FMASK, SYSCALL_FLAG_MASK, 0x100));
    msr_ia32_fmask_t f = { events[1].value };
    kt_check(n_events == 2 && event_is(1, MSR_IA32_FMASK_ADDR, f.raw, true, MSR_OK) && (f.raw & 0x100) &&
                 events[0].msr == MSR_IA32_FMASK_ADDR && !events[0].is_write,
             n_events, 2, "MSR_TRACE: modify traces one read and one write of the new value");

    n_events = 0;
    uint64_t v;
    int st = msr_rdmsr_safe(0x802, &v);
    kt_check(n_events == 1 && event_is(0, 0x802, 0, false, MSR_ERR_FAULT) && st == MSR_ERR_FAULT,
             n_events ? (uint64_t)(int64_t)events[0].status : 0, (uint64_t)(int64_t)MSR_ERR_FAULT,
             "MSR_TRACE: a faulting _safe read is traced with MSR_ERR_FAULT, value 0");

    n_events = 0;
    msr_ia32_lstar_t l = msr_ia32_lstar_read();
    st = msr_ia32_lstar_write_safe((msr_ia32_lstar_t){ UINT64_C(0x8000000000000000) });
    kt_check(n_events == 2 && event_is(1, MSR_IA32_LSTAR_ADDR, UINT64_C(0x8000000000000000), true,
                                       MSR_ERR_FAULT) && st == MSR_ERR_FAULT,
             n_events, 2, "MSR_TRACE: a rejected _safe write is traced with MSR_ERR_FAULT");
    kt_host_msr(MSR_IA32_LSTAR_ADDR, l.raw, UINT64_C(0xffffffffffffffff),
                "MSR_TRACE build: rejected LSTAR write left LSTAR unchanged");
}
