/*
 * Which CPUs a subcommand works on: `-c CPUS` (a list like 0,2,4-7), `-a`
 * (every CPU there is), or the subcommand's default. Shared by read, write,
 * dump and vmxcap so they all spell a selection the same way.
 *
 * Grammar of CPUS: ITEM[,ITEM...], ITEM = N | N-M; numbers in the tool's
 * strict syntax (number.h), each below MSR_LINUX_MAX_CPUS; a range must
 * ascend; a CPU may be named once. The result is sorted.
 */
#ifndef X86MSR_TOOL_CPU_SELECT_H
#define X86MSR_TOOL_CPU_SELECT_H

#include <stdbool.h>
#include <stddef.h>

struct cpu_list {
    unsigned *cpus; /* ascending */
    size_t count;
};

void cpu_list_free(struct cpu_list *list);

/* Parses the value of -c; false after printing a usage error. */
bool cpu_list_parse(const char *text, struct cpu_list *out);

/* True when `cpu` is in `list`. */
bool cpu_list_contains(const struct cpu_list *list, unsigned cpu);

/* "0-3,8" (malloc'ed). */
char *cpu_list_format(const unsigned *cpus, size_t count);
/* "cpu 3" or "cpus 0-3,8" (malloc'ed). */
char *cpu_list_label(const unsigned *cpus, size_t count);

/* What a subcommand does when neither -c nor -a is given. */
enum cpu_default {
    CPU_DEFAULT_REQUIRED, /* usage error: the selection is mandatory (write) */
    CPU_DEFAULT_FIRST,    /* the first online CPU (read, dump, vmxcap) */
};

/*
 * The CPUs of the live machine that `-c` (cpu_option, NULL when absent) and
 * `-a` select. Returns TOOL_EXIT_OK, or an exit status after printing one
 * line: usage errors (bad list, -c with -a, missing selection) and runtime
 * ones (the online CPUs cannot be listed). CPUs named with -c are not
 * checked here: accessing one that does not exist reports it.
 */
int cpu_select_live(const char *cpu_option, bool all, enum cpu_default fallback, struct cpu_list *out);

/*
 * The CPUs among `available` (e.g. those of a snapshot; `where` names it in
 * messages: "snapshot.txt"): every one by default and with -a, the listed
 * ones with -c, each of which must be available (usage error otherwise).
 */
int cpu_select_among(const char *cpu_option, bool all, const struct cpu_list *available, const char *where,
                     struct cpu_list *out);

#endif
