/* A consumer's unit test on x86msr's test backend: plain C and assert, no root,
 * no real MSR touched. Preset the registers, run the code, check the result. */
#undef NDEBUG
#include <assert.h>
#include <stdio.h>
#include <x86msr/msrs.h>
#include <x86msr/test_backend.h>

#include "enable_nx.h"

static struct msr_test_backend tb; /* large: not on the stack */

int main(void)
{
    uint64_t efer = 0;

    msr_test_backend_init(&tb);
    msr_backend_install(&tb.backend);

    assert(enable_nx() == -1); /* no IA32_EFER in the register file: #GP */

    msr_test_backend_set(&tb, MSR_IA32_EFER_ADDR, 0x501); /* SCE, LME, LMA */
    assert(enable_nx() == 1);
    assert(msr_test_backend_get(&tb, MSR_IA32_EFER_ADDR, &efer) == MSR_OK);
    assert(efer == 0xD01); /* NXE set, every other bit kept */

    assert(enable_nx() == 0); /* already set: no second write */
    assert(tb.log_count == 4); /* read (#GP); read, write; read: no second write */

    msr_backend_install(NULL);
    puts("enable_nx: all checks passed");
    return 0;
}
