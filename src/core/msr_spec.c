/*
 * Lookups in a spec's index of registers (x86msr/meta.h): by address, and by
 * address for a vendor. They take the spec as an argument and name no table,
 * so a program that passes its own spec (an MSR-exit handler's policy, an
 * overlay) links only that one. Freestanding.
 */
#include <x86msr/meta.h>

const struct msr_instance *msr_spec_find(const struct msr_spec *spec, uint32_t address)
{
    size_t lo = 0, hi = spec->instance_count; /* search [lo, hi) */

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t here = spec->instances[mid].address;

        if (here == address) {
            /* Vendors may define different registers at one address
             * (shares_address_with): answer the first of them. */
            while (mid > 0 && spec->instances[mid - 1].address == address)
                mid--;
            return &spec->instances[mid];
        }
        if (here < address)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const struct msr_instance *msr_spec_find_for_vendor(const struct msr_spec *spec, uint32_t address, uint32_t vendors)
{
    const struct msr_instance *first = msr_spec_find(spec, address), *end = spec->instances + spec->instance_count;
    const struct msr_instance *m;

    for (m = first; m != NULL && m < end && m->address == address; m++)
        if (msr_spec_def(spec, m)->vendors & vendors)
            return m;
    return first;
}
