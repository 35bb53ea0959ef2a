/*
 * /init of the tests/linux_kernel initramfs: PID 1 of Debian's kernel booted
 * under QEMU (boot.py builds the archive and reads the console).
 *
 * 1. mounts devtmpfs, proc and sysfs, and writes every line through /dev/kmsg
 *    (boot.py passes printk.devkmsg=on), so its lines and the kernel's reach
 *    the console as whole printk records, never interleaved mid-line;
 * 2. dumps the CPUID of the (emulated) CPU between
 *    "x86msr-cpuid: begin" and "x86msr-cpuid: end leaves=N" in the format of
 *    `cpuid -r -1`, which `x86msr --cpuid FILE` reads (src/tool/cpuid_file.h):
 *        CPU 0:
 *           0x00000007 0x00: eax=0x00000000 ebx=0x... ecx=0x... edx=0x...
 * 3. loads every module in /modules (finit_module, in name order), each
 *    between "x86msr-init: module begin NAME" and
 *    "x86msr-init: module end NAME ok|failed errno=N (TEXT)";
 * 4. prints the kernel's taint flags and "x86msr-init: done failures=N",
 *    and powers off. Whatever fails, it says so and still powers off.
 *
 * Built with the host compiler, -static: glibc's libc.a, nothing else.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MODULE_DIR "/modules"

static int out_fd = -1;    /* /dev/kmsg, else the console */
static bool to_kmsg;
static unsigned failures;

/* One line, in one write(): through /dev/kmsg one printk record. */
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    char line[512];
    size_t len = 0;
    va_list ap;
    int n;

    if (to_kmsg)
        len = (size_t)snprintf(line, sizeof line, "<5>"); /* KERN_NOTICE: shown at any usual loglevel */
    va_start(ap, fmt);
    n = vsnprintf(line + len, sizeof line - len - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    len += (size_t)n < sizeof line - len - 1 ? (size_t)n : sizeof line - len - 2;
    line[len++] = '\n';
    if (out_fd >= 0 && write(out_fd, line, len) < 0 && to_kmsg) {
        /* Fall back to the console for this and every later line. */
        to_kmsg = false;
        out_fd = STDOUT_FILENO;
        (void)!write(out_fd, line + 3, len - 3);
    }
}

static void fail(const char *what, int err)
{
    failures++;
    say("x86msr-init: FAILED %s: errno=%d (%s)", what, err, strerror(err));
}

static void mount_one(const char *source, const char *target, const char *type)
{
    char what[96];
    if (mkdir(target, 0755) != 0 && errno != EEXIST) {
        snprintf(what, sizeof what, "mkdir %s", target);
        fail(what, errno);
        return;
    }
    if (mount(source, target, type, MS_NOSUID | MS_NOEXEC, NULL) != 0 && errno != EBUSY) {
        snprintf(what, sizeof what, "mount %s on %s", type, target);
        fail(what, errno);
    }
}

/* devtmpfs on /dev (for /dev/kmsg), stdin/stdout/stderr on the console
 * whether or not the kernel could open it (the archive has /dev/console,
 * devtmpfs has it too), then /dev/kmsg for every line. */
static void setup_output(void)
{
    int dev_err = 0, kmsg_err = 0, kmsg;

    if (mkdir("/dev", 0755) != 0 && errno != EEXIST)
        dev_err = errno;
    else if (mount("devtmpfs", "/dev", "devtmpfs", MS_NOSUID | MS_NOEXEC, NULL) != 0)
        dev_err = errno;
    if (fcntl(STDOUT_FILENO, F_GETFD) < 0) {
        int fd = open("/dev/console", O_RDWR | O_NOCTTY);
        if (fd >= 0) {
            dup2(fd, STDIN_FILENO);
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
            if (fd > STDERR_FILENO)
                close(fd);
        }
    }
    out_fd = STDOUT_FILENO;
    kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
    if (kmsg >= 0) {
        out_fd = kmsg;
        to_kmsg = true;
    } else {
        kmsg_err = errno;
    }
    if (dev_err)
        fail("mount devtmpfs on /dev", dev_err);
    if (kmsg_err)
        say("x86msr-init: /dev/kmsg: errno=%d (%s); writing to the console (lines may interleave)",
            kmsg_err, strerror(kmsg_err));
}

/* ---- CPUID ------------------------------------------------------------ */

struct regs {
    uint32_t eax, ebx, ecx, edx;
};

static struct regs cpuid(uint32_t leaf, uint32_t subleaf)
{
    struct regs r;
    __asm__ __volatile__("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

static unsigned leaves_printed;

static struct regs leaf_line(uint32_t leaf, uint32_t subleaf)
{
    struct regs r = cpuid(leaf, subleaf);
    say("   0x%08x 0x%02x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x", leaf, subleaf, r.eax, r.ebx, r.ecx,
        r.edx);
    leaves_printed++;
    return r;
}

/* The most subleaves any leaf gets (a bound against garbage counts). */
#define MAX_SUBLEAF 64u

/* Subleaves 0..N where subleaf 0's register gives N. */
static void upto_count(uint32_t leaf, uint32_t count)
{
    uint32_t s;
    for (s = 1; s <= count && s < MAX_SUBLEAF; s++)
        leaf_line(leaf, s);
}

/* Subleaves 1.. whose bit is set in `mask` (bit n: subleaf n). */
static void by_mask(uint32_t leaf, uint64_t mask, uint32_t first)
{
    uint32_t s;
    for (s = first; s < MAX_SUBLEAF; s++)
        if (mask & (UINT64_C(1) << s))
            leaf_line(leaf, s);
}

/* Subleaves 1.. until (and including) the first whose `field` is 0. */
enum field { EAX_LOW5, EAX_LOW4, EAX_LOW12, ECX_8_15 };
static uint32_t field_of(struct regs r, enum field f)
{
    switch (f) {
    case EAX_LOW5: return r.eax & 0x1f;
    case EAX_LOW4: return r.eax & 0xf;
    case EAX_LOW12: return r.eax & 0xfff;
    default: return (r.ecx >> 8) & 0xff;
    }
}
static void until_zero(uint32_t leaf, struct regs first, enum field f, uint32_t start)
{
    uint32_t s;
    struct regs r = first;
    for (s = start; s < MAX_SUBLEAF && field_of(r, f) != 0; s++)
        r = leaf_line(leaf, s);
}

/* One leaf with the subleaves it has (the SDM's and the APM's rules). */
static void dump_leaf(uint32_t leaf)
{
    struct regs r0 = leaf_line(leaf, 0), r1;
    switch (leaf) {
    case 0x4: /* deterministic cache parameters: until cache type 0 */
        until_zero(leaf, r0, EAX_LOW5, 1);
        break;
    case 0x7:  /* structured extended features: EAX = last subleaf */
    case 0x14: /* processor trace */
    case 0x17: /* SoC vendor attributes */
    case 0x18: /* deterministic address translation */
    case 0x1D: /* tile information */
    case 0x20: /* HRESET */
    case 0x24: /* AVX10 */
        upto_count(leaf, r0.eax);
        break;
    case 0xB:  /* extended topology: until level type 0 */
    case 0x1F: /* V2 extended topology */
        until_zero(leaf, r0, ECX_8_15, 1);
        break;
    case 0xD: /* XSAVE: 1, and a subleaf per state component of XCR0 or IA32_XSS */
        r1 = leaf_line(leaf, 1);
        by_mask(leaf, ((uint64_t)r0.edx << 32 | r0.eax | (uint64_t)r1.edx << 32 | r1.ecx) & ~UINT64_C(3), 2);
        break;
    case 0xF: /* RDT monitoring: a subleaf per resource type in EDX */
        by_mask(leaf, r0.edx, 1);
        break;
    case 0x10: /* RDT allocation: a subleaf per resource ID in EBX */
        by_mask(leaf, r0.ebx, 1);
        break;
    case 0x12: /* SGX: 1, then EPC sections from 2 until type 0 */
        leaf_line(leaf, 1);
        until_zero(leaf, leaf_line(leaf, 2), EAX_LOW4, 3);
        break;
    case 0x1B: /* PCONFIG: until target type 0 */
        until_zero(leaf, r0, EAX_LOW12, 1);
        break;
    case 0x23: /* architectural performance monitoring extended: valid subleaves in EAX */
        by_mask(leaf, r0.eax, 1);
        break;
    default:
        break;
    }
}

static void dump_extended_leaf(uint32_t leaf)
{
    struct regs r0 = leaf_line(leaf, 0);
    switch (leaf) {
    case 0x8000001D: /* AMD cache topology: until cache type 0 */
        until_zero(leaf, r0, EAX_LOW5, 1);
        break;
    case 0x80000020: /* AMD platform QoS: a subleaf per resource in EBX */
        by_mask(leaf, r0.ebx, 1);
        break;
    case 0x80000026: /* AMD extended CPU topology: until level type 0 */
        until_zero(leaf, r0, ECX_8_15, 1);
        break;
    default:
        break;
    }
}

static bool in_block(uint32_t max, uint32_t base, uint32_t size)
{
    return max >= base && max - base < size;
}

static void dump_cpuid(void)
{
    uint32_t leaf, max, base;
    char vendor[13];
    struct regs r = cpuid(0, 0);

    memcpy(vendor, &r.ebx, 4);
    memcpy(vendor + 4, &r.edx, 4);
    memcpy(vendor + 8, &r.ecx, 4);
    vendor[12] = '\0';
    say("x86msr-cpuid: begin vendor=%s", vendor);
    say("CPU 0:");
    max = r.eax;
    for (leaf = 0; leaf <= max && leaf < 0x100; leaf++)
        dump_leaf(leaf);
    /* Hypervisor leaves: only under CPUID.01H:ECX[31], in blocks of 100H whose
     * first leaf gives the block's last one (Hyper-V at 40000000H with KVM at
     * 40000100H, say). */
    if (max >= 1 && (cpuid(1, 0).ecx & (1u << 31))) {
        for (base = 0x40000000u; base < 0x40010000u; base += 0x100) {
            struct regs h = cpuid(base, 0);
            if (!in_block(h.eax, base, 0x100) || (h.ebx | h.ecx | h.edx) == 0)
                continue;
            for (leaf = base; leaf <= h.eax; leaf++)
                leaf_line(leaf, 0);
        }
    }
    max = cpuid(0x80000000u, 0).eax;
    if (in_block(max, 0x80000000u, 0x100))
        for (leaf = 0x80000000u; leaf <= max; leaf++)
            dump_extended_leaf(leaf);
    /* Centaur/Zhaoxin leaves. */
    if (!strcmp(vendor, "CentaurHauls") || !strcmp(vendor, "  Shanghai  ")) {
        max = cpuid(0xC0000000u, 0).eax;
        if (in_block(max, 0xC0000000u, 0x100))
            for (leaf = 0xC0000000u; leaf <= max; leaf++)
                leaf_line(leaf, 0);
    }
    say("x86msr-cpuid: end leaves=%u", leaves_printed);
}

/* ---- modules ---------------------------------------------------------- */

static int is_module(const struct dirent *d)
{
    size_t len = strlen(d->d_name);
    return len > 3 && !strcmp(d->d_name + len - 3, ".ko");
}

static void load_modules(void)
{
    struct dirent **names;
    unsigned loaded = 0, failed = 0;
    int n = scandir(MODULE_DIR, &names, is_module, alphasort), i;

    if (n < 0) {
        if (errno == ENOENT) {
            say("x86msr-init: modules loaded=0 failed=0 (no %s)", MODULE_DIR);
            return;
        }
        fail("scandir " MODULE_DIR, errno);
        return;
    }
    for (i = 0; i < n; i++) {
        char path[300];
        int fd;
        snprintf(path, sizeof path, "%s/%s", MODULE_DIR, names[i]->d_name);
        say("x86msr-init: module begin %s", names[i]->d_name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || syscall(SYS_finit_module, fd, "", 0) != 0) {
            int err = errno;
            say("x86msr-init: module end %s failed errno=%d (%s)", names[i]->d_name, err, strerror(err));
            failed++;
            failures++;
        } else {
            say("x86msr-init: module end %s ok", names[i]->d_name);
            loaded++;
        }
        if (fd >= 0)
            close(fd);
        free(names[i]);
    }
    free(names);
    say("x86msr-init: modules loaded=%u failed=%u", loaded, failed);
}

/* /proc/sys/kernel/tainted: the harness fails on a warning or an oops even if
 * its text was lost. */
static void report_taint(void)
{
    char text[32] = "";
    int fd = open("/proc/sys/kernel/tainted", O_RDONLY | O_CLOEXEC);
    ssize_t n = fd >= 0 ? read(fd, text, sizeof text - 1) : -1;
    if (n <= 0) {
        fail("read /proc/sys/kernel/tainted", fd < 0 || n < 0 ? errno : EIO);
    } else {
        text[n] = '\0';
        text[strcspn(text, "\n")] = '\0';
        say("x86msr-init: tainted=%s", text);
    }
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    struct utsname u;

    setup_output();
    mount_one("proc", "/proc", "proc");
    mount_one("sysfs", "/sys", "sysfs");
    say("x86msr-init: start kernel=%s", uname(&u) == 0 ? u.release : "?");

    dump_cpuid();
    load_modules();
    report_taint();

    say("x86msr-init: done failures=%u", failures);
    sync();
    reboot(RB_POWER_OFF);
    /* Still here: say why; PID 1 exiting then panics, and panic=-1 with
     * QEMU's -no-reboot ends the VM. */
    say("x86msr-init: FAILED reboot(RB_POWER_OFF): errno=%d (%s)", errno, strerror(errno));
    return 1;
}
