/* Prints the address of IA32_EFER from x86msr's metadata table. */
#include <stdio.h>
#include <x86msr/meta.h>

int main(void)
{
    const struct msr_info *efer = msr_find_by_name("IA32_EFER");

    if (efer == NULL)
        return 1;
    printf("%s 0x%08X\n", efer->name, (unsigned)efer->address);
    return 0;
}
