/*
 * From system errors to enum msr_status, and from a status to what to do.
 */
#define _POSIX_C_SOURCE 200809L

#include "msr_linux_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

int msr_linux_status_from_errno(int err)
{
    switch (err) {
    case EACCES:
    case EPERM:
        return MSR_LINUX_ERR_PERMISSION;
    case ENXIO: /* the driver: CPU number beyond nr_cpu_ids, or offline */
        return MSR_LINUX_ERR_NO_CPU;
    case ENODEV: /* a device node whose driver is not loaded */
        return MSR_LINUX_ERR_NO_DRIVER;
    case EIO: /* the CPU raised #GP on rdmsr/wrmsr: the same status as at ring 0 */
        return MSR_ERR_FAULT;
    default: /* anything unexpected */
        return MSR_LINUX_ERR_IO;
    }
}

char *msr_linux_path(const char *root, unsigned cpu, const char *file)
{
    size_t size = strlen(root) + (file ? strlen(file) : 0) + 16;
    char *path = malloc(size);

    if (path == NULL)
        return NULL;
    if (file != NULL)
        snprintf(path, size, "%s/%u/%s", root, cpu, file);
    else
        snprintf(path, size, "%s/%u", root, cpu);
    return path;
}

bool msr_linux_parse_cpu_name(const char *name, unsigned *cpu)
{
    unsigned long value = 0;
    const char *p;

    if (name[0] < '0' || name[0] > '9' || (name[0] == '0' && name[1] != '\0'))
        return false;
    for (p = name; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return false;
        value = value * 10 + (unsigned long)(*p - '0');
        if (value >= MSR_LINUX_MAX_CPUS)
            return false;
    }
    *cpu = (unsigned)value;
    return true;
}

static bool is_directory(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Does any ROOT/N/msr exist? */
static bool any_msr_file(const char *root)
{
    DIR *dir = opendir(root);
    struct dirent *entry;
    bool found = false;

    if (dir == NULL)
        return false;
    while (!found && (entry = readdir(dir)) != NULL) {
        unsigned cpu;
        char *path;
        struct stat st;

        if (!msr_linux_parse_cpu_name(entry->d_name, &cpu))
            continue;
        path = msr_linux_path(root, cpu, "msr");
        found = path != NULL && stat(path, &st) == 0;
        free(path);
    }
    closedir(dir);
    return found;
}

int msr_linux_classify_missing(const char *root, unsigned cpu)
{
    int saved = errno;
    char *cpu_dir = msr_linux_path(root, cpu, NULL);
    int status;

    if (!is_directory(root))
        status = MSR_LINUX_ERR_NO_DRIVER; /* no /dev/cpu at all */
    else if (cpu_dir != NULL && is_directory(cpu_dir))
        status = MSR_LINUX_ERR_NO_DRIVER; /* /dev/cpu/N made by the cpuid driver only */
    else
        status = any_msr_file(root) ? MSR_LINUX_ERR_NO_CPU : MSR_LINUX_ERR_NO_DRIVER;
    free(cpu_dir);
    errno = saved;
    return status;
}

const char *msr_linux_explain(int status)
{
    switch (status) {
    case MSR_LINUX_ERR_NO_DRIVER:
        return "the msr driver is not loaded: run 'modprobe msr' as root";
    case MSR_LINUX_ERR_PERMISSION:
        return "permission denied: MSR access needs root or CAP_SYS_RAWIO (writes can also be "
               "blocked by kernel lockdown)";
    case MSR_LINUX_ERR_NO_CPU:
        return "no such CPU, or the CPU is offline";
    case MSR_ERR_FAULT:
        return "the CPU refused the access (#GP, EIO from the driver): MSR not implemented on this CPU, or "
               "value rejected";
    case MSR_LINUX_ERR_IO:
        return "unexpected I/O error from the msr driver or the system";
    case MSR_LINUX_ERR_SHORT:
        return "short transfer: the driver moved fewer than 8 bytes";
    default:
        return msr_strerror(status);
    }
}

/* The value of environment variable `name` when set and not empty. */
static const char *env_path(const char *name)
{
    const char *value = getenv(name);

    return value != NULL && value[0] != '\0' ? value : NULL;
}

/* Does the running kernel have a module tree (/lib/modules/RELEASE)? */
static bool have_module_tree(void)
{
    const char *dir = env_path(MSR_LINUX_MODULES_DIR_ENV);
    char path[sizeof MSR_LINUX_DEFAULT_MODULES_PARENT + sizeof(((struct utsname *)0)->release) + 2];
    struct utsname u;

    if (dir != NULL)
        return is_directory(dir);
    if (uname(&u) != 0)
        return true; /* cannot tell: do not claim there is none */
    snprintf(path, sizeof path, "%s/%s", MSR_LINUX_DEFAULT_MODULES_PARENT, u.release);
    return is_directory(path);
}

/* Is kernel lockdown on? The file reads "none [integrity] confidentiality",
 * the active mode in brackets. */
static bool lockdown_active(void)
{
    const char *path = env_path(MSR_LINUX_LOCKDOWN_FILE_ENV);
    char text[128];
    size_t n;
    FILE *f;

    f = fopen(path != NULL ? path : MSR_LINUX_DEFAULT_LOCKDOWN_FILE, "r");
    if (f == NULL)
        return false;
    n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return strstr(text, "[integrity]") != NULL || strstr(text, "[confidentiality]") != NULL;
}

enum msr_linux_cause msr_linux_cause(int status, int write)
{
    int saved = errno;
    enum msr_linux_cause cause = MSR_LINUX_CAUSE_NONE;
    bool root = geteuid() == 0;

    if (status == MSR_LINUX_ERR_PERMISSION) {
        if (!root)
            cause = MSR_LINUX_CAUSE_NOT_ROOT;
        else if (write && lockdown_active())
            cause = MSR_LINUX_CAUSE_LOCKDOWN;
        else
            cause = MSR_LINUX_CAUSE_NO_CAPABILITY;
    } else if (status == MSR_LINUX_ERR_NO_DRIVER) {
        if (!have_module_tree())
            cause = MSR_LINUX_CAUSE_NO_MODULES;
        else
            cause = root ? MSR_LINUX_CAUSE_LOAD_DRIVER : MSR_LINUX_CAUSE_LOAD_DRIVER_AS_ROOT;
    }
    errno = saved;
    return cause;
}

const char *msr_linux_cause_text(enum msr_linux_cause cause)
{
    switch (cause) {
    case MSR_LINUX_CAUSE_NOT_ROOT:
        return "permission denied: run as root or with CAP_SYS_RAWIO";
    case MSR_LINUX_CAUSE_NO_CAPABILITY:
        return "permission denied although running as root: the process lacks CAP_SYS_RAWIO (a container, or a "
               "dropped capability)";
    case MSR_LINUX_CAUSE_LOCKDOWN:
        return "kernel lockdown blocks MSR writes (" MSR_LINUX_DEFAULT_LOCKDOWN_FILE
               " is not 'none'); reads still work";
    case MSR_LINUX_CAUSE_LOAD_DRIVER:
        return "the msr driver is not loaded: load it with 'modprobe msr'";
    case MSR_LINUX_CAUSE_LOAD_DRIVER_AS_ROOT:
        return "the msr driver is not loaded: run 'modprobe msr' as root";
    case MSR_LINUX_CAUSE_NO_MODULES:
        return "the msr driver cannot be loaded here (no kernel modules, e.g. in a container); run on the host or "
               "pass /dev/cpu into the container";
    case MSR_LINUX_CAUSE_NONE:
    default:
        return NULL;
    }
}

const char *msr_linux_explain_access(int status, int write)
{
    const char *text = msr_linux_cause_text(msr_linux_cause(status, write));

    return text != NULL ? text : msr_linux_explain(status);
}
