/*
 * The lookups of x86msr/meta.h over msr_spec, the spec this library was
 * generated from. Naming any of them links every check record (not the text).
 * Freestanding.
 */
#include <x86msr/cpuid.h>

const struct msr_instance *msr_find_by_address(uint32_t address)
{
    return msr_spec_find(&msr_spec, address);
}

const struct msr_instance *msr_find_by_address_for_vendor(uint32_t address, uint32_t vendors)
{
    return msr_spec_find_for_vendor(&msr_spec, address, vendors);
}

const struct msr_def *msr_def_of(const struct msr_instance *inst)
{
    return msr_spec_def(&msr_spec, inst);
}

const struct msr_instance *msr_find_by_address_for_cpu(uint32_t address, const struct msr_facts *facts)
{
    return msr_spec_find_for_cpu(&msr_spec, address, facts);
}
