/*
 * How the tool talks about failure: exit statuses, error codes, the one-line
 * messages on stderr (and, with --json, the error object on stdout), warnings,
 * and allocation that cannot return NULL.
 */
#ifndef X86MSR_TOOL_DIAG_H
#define X86MSR_TOOL_DIAG_H

#include <stdbool.h>
#include <stddef.h>

#define TOOL_NAME "x86msr"

/* Documented exit statuses (x86msr --help). */
enum tool_exit {
    TOOL_EXIT_OK = 0,
    TOOL_EXIT_FAILURE = 1, /* runtime failure: I/O, MSR access, out of memory */
    TOOL_EXIT_USAGE = 2    /* bad usage: unknown name, malformed number, ... */
};

/*
 * What went wrong, as a stable word for scripts: the "code" of the JSON error
 * object ({"error": {"code": ..., "message": ...}}) and of the "error" member
 * of a failed entry. docs/tool.md and x86msr(1) list them; the spelling never
 * changes (new codes may be added).
 */
enum tool_error_code {
    ERR_USAGE,          /* the command line: missing or extra argument, unknown option or subcommand */
    ERR_UNKNOWN_MSR,    /* a name or address the spec does not describe */
    ERR_UNKNOWN_FIELD,  /* a field the register does not have */
    ERR_UNKNOWN_NAME,   /* an unknown category, vendor, access mode or shell */
    ERR_BAD_NUMBER,     /* a malformed or out-of-range number, CPU list, interval or count */
    ERR_BAD_VALUE,      /* a field value that does not fit the field, or an unknown value name */
    ERR_REFUSED,        /* a safety check: read-only register or field, reserved bits, not in the spec */
    ERR_BAD_FILE,       /* a malformed snapshot or CPUID dump, or one that lacks what is needed */
    ERR_NO_DRIVER,      /* no /dev/cpu/N/msr: the msr driver is not loaded (or cannot be) */
    ERR_PERMISSION,     /* not allowed: needs root or CAP_SYS_RAWIO */
    ERR_LOCKDOWN,       /* kernel lockdown blocks MSR writes */
    ERR_NO_CPU,         /* no such CPU, or it is offline */
    ERR_FAULT,          /* the CPU refused the access (#GP): MSR not implemented, or value rejected */
    ERR_NO_VMX,         /* vmxcap: the CPU has no VMX */
    ERR_INCONSISTENT,   /* the CPU's VMX capability MSRs contradict each other */
    ERR_IO,             /* a file or the output cannot be read or written; another system error */
    ERR_CODE_COUNT
};

/* "unknown_msr" */
const char *tool_error_code_name(enum tool_error_code code);

#if defined(__GNUC__)
#define TOOL_PRINTF(fmt_index, first_arg) __attribute__((format(printf, fmt_index, first_arg)))
#else
#define TOOL_PRINTF(fmt_index, first_arg)
#endif

/*
 * Prints "x86msr: MESSAGE" as exactly one line on stderr and returns
 * TOOL_EXIT_USAGE / TOOL_EXIT_FAILURE, so callers can `return usage_error(...)`.
 * Control characters (from user input quoted in the message) are escaped, so
 * the message can never spill onto a second line. usage_error's code is
 * ERR_USAGE, runtime_error's ERR_IO; the _code variants name another.
 */
int usage_error_code(enum tool_error_code code, const char *fmt, ...) TOOL_PRINTF(2, 3);
int runtime_error_code(enum tool_error_code code, const char *fmt, ...) TOOL_PRINTF(2, 3);
#define usage_error(...) usage_error_code(ERR_USAGE, __VA_ARGS__)
#define runtime_error(...) runtime_error_code(ERR_IO, __VA_ARGS__)

/* "x86msr: warning: MESSAGE" on stderr (one line): never on stdout, never a
 * failure. */
void warning(const char *fmt, ...) TOOL_PRINTF(1, 2);

/*
 * JSON errors. With --json on the command line, a command that fails before
 * it has printed its result prints {"error": {"code", "message"}} on stdout
 * (the first error reported), besides the line on stderr:
 *   diag_json_errors(true)   main(), when --json is among the arguments;
 *   diag_json_result(w, c)   a command, to start its JSON result on stdout
 *                            (json_init, or json_init_compact when `c`): from
 *                            then on a failure prints no error object;
 *   diag_finish(status)      main(), at the end: prints the object when due,
 *                            returns `status`.
 */
void diag_json_errors(bool on);
struct json_writer;
void diag_json_result(struct json_writer *w, bool compact);
int diag_finish(int status);

/* malloc/calloc/realloc that end the program with a runtime error instead of
 * returning NULL: running out of memory in a CLI is not worth handling. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t size);

#endif
