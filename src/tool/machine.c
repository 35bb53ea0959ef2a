#include "machine.h"

#include "diag.h"
#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct msr_linux *handle;

static void close_handle(void)
{
    msr_linux_close(handle);
    handle = NULL;
}

struct msr_linux *machine(void)
{
    if (handle == NULL) {
        handle = msr_linux_open(NULL);
        if (handle == NULL) {
            runtime_error("out of memory");
            exit(TOOL_EXIT_FAILURE);
        }
        atexit(close_handle);
    }
    return handle;
}

struct msr_linux_cpu machine_cpu(unsigned cpu)
{
    struct msr_linux_cpu c;

    c.handle = machine();
    c.cpu = cpu;
    return c;
}

bool machine_cpu_failure(int status)
{
    return status == MSR_LINUX_ERR_NO_DRIVER || status == MSR_LINUX_ERR_PERMISSION || status == MSR_LINUX_ERR_NO_CPU;
}

const char *machine_explain(int status, bool write)
{
    return msr_linux_explain_access(status, write);
}

enum tool_error_code machine_error_code(int status, bool write)
{
    switch (status) {
    case MSR_LINUX_ERR_NO_DRIVER:
        return ERR_NO_DRIVER;
    case MSR_LINUX_ERR_PERMISSION:
        return msr_linux_cause(status, write) == MSR_LINUX_CAUSE_LOCKDOWN ? ERR_LOCKDOWN : ERR_PERMISSION;
    case MSR_LINUX_ERR_NO_CPU:
        return ERR_NO_CPU;
    case MSR_ERR_FAULT:
        return ERR_FAULT;
    default:
        return ERR_IO;
    }
}

void machine_msr_name(char *buf, const struct msr_instance *msr, uint32_t address)
{
    char hex[FORMAT_NUMBER_SIZE];

    format_address(hex, address);
    if (msr != NULL)
        snprintf(buf, MACHINE_NAME_SIZE, "%s (%s)", msr_name(msr), hex);
    else
        snprintf(buf, MACHINE_NAME_SIZE, "MSR %s", hex);
}

int machine_access_error(unsigned cpu, const char *verb, const struct msr_instance *msr, uint32_t address, int status)
{
    char name[MACHINE_NAME_SIZE];
    bool write = strcmp(verb, "write") == 0;
    enum tool_error_code code = machine_error_code(status, write);

    machine_msr_name(name, msr, address);
    if (machine_cpu_failure(status))
        return runtime_error_code(code, "cpu %u: cannot %s %s through %s/%u/msr: %s", cpu, verb, name,
                                  msr_linux_cpu_root(machine()), cpu, machine_explain(status, write));
    return runtime_error_code(code, "cpu %u: cannot %s %s: %s", cpu, verb, name, machine_explain(status, write));
}

int machine_cpu_error(unsigned cpu, int status)
{
    return runtime_error_code(machine_error_code(status, false), "cpu %u: cannot open %s/%u/msr: %s", cpu,
                              msr_linux_cpu_root(machine()), cpu, machine_explain(status, false));
}

int machine_cpus_error(int status)
{
    return runtime_error_code(status == MSR_ERR_INVALID ? ERR_IO : machine_error_code(status, false),
                              "cannot list the online CPUs (of %s): %s", msr_linux_cpu_root(machine()),
                              status == MSR_LINUX_ERR_IO  ? "cannot read the kernel's list of online CPUs"
                              : status == MSR_ERR_INVALID ? "the kernel's list of online CPUs is malformed"
                                                          : machine_explain(status, false));
}
