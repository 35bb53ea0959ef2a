/* Prints the address of IA32_EFER from x86msr's metadata (x86msr/meta.h). */
#include <stdio.h>
#include <x86msr/meta.h>

int main(void)
{
    const struct msr_instance *efer = msr_find_by_name("IA32_EFER");

    if (efer == NULL)
        return 1;
    printf("%s 0x%08X\n", msr_name(efer), (unsigned)efer->address);
    return 0;
}
