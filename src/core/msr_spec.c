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

static bool instance_before(const struct msr_instance *a, const struct msr_instance *b)
{
    return a->address < b->address;
}

int msr_spec_from_defs(struct msr_spec *out, const struct msr_def *const *defs, uint32_t def_count,
                       struct msr_instance *storage, uint32_t capacity)
{
    uint32_t d, n = 0;

    if (out == NULL || (defs == NULL && def_count > 0) || (storage == NULL && capacity > 0))
        return MSR_ERR_INVALID;
    out->defs = defs;
    out->instances = storage;
    out->def_count = 0;
    out->instance_count = 0;
    for (d = 0; d < def_count; d++) {
        uint32_t k;

        if (defs[d] == NULL || d > 0xFFFFu)
            return MSR_ERR_INVALID;
        for (k = 0; k < defs[d]->count; k++) {
            struct msr_instance inst;
            uint32_t at = n;

            if (n == capacity)
                return MSR_ERR_RANGE;
            inst.address = defs[d]->address + k * defs[d]->stride;
            inst.def = (uint16_t)d;
            inst.index = (uint16_t)k;
            /* insertion sort, stable: registers at one address keep the order of `defs` */
            while (at > 0 && instance_before(&inst, &storage[at - 1])) {
                storage[at] = storage[at - 1];
                at--;
            }
            storage[at] = inst;
            n++;
        }
    }
    out->def_count = def_count;
    out->instance_count = n;
    return MSR_OK;
}
