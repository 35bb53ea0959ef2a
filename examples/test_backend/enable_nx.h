#ifndef ENABLE_NX_H
#define ENABLE_NX_H
/* Sets IA32_EFER.NXE: 1 if it changed EFER, 0 if NXE was already set,
 * -1 if the CPU has no IA32_EFER (the read raised #GP). */
int enable_nx(void);
#endif
