/* kvm_host --template: a CPU template applied to a fresh vCPU's feature
 * MSRs (kvm_template.c). */
#ifndef X86MSR_KVM_TEMPLATE_H
#define X86MSR_KVM_TEMPLATE_H

#include <stdbool.h>

/* Runs the mode on the /dev/kvm fd `kvm`; `wrong`: expect the host's values
 * on readback (the deliberate mistake). Returns the exit status: 0, 1, 77. */
int kvm_template_mode(int kvm, bool wrong);

#endif
