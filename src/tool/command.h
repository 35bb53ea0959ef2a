/*
 * What a subcommand is: its name, help text, options and operands, and the
 * function that runs it. Adding a subcommand means writing one cmd_*.c file
 * that defines a `struct command` and listing it in commands.c.
 */
#ifndef X86MSR_TOOL_COMMAND_H
#define X86MSR_TOOL_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One option of a subcommand. `-h`/`--help` is implicit for every one. */
struct cli_option {
    const char *name;       /* long name without dashes: "json" */
    char short_name;        /* 'c', or 0 for none */
    const char *value_name; /* "CPU" when the option takes a value, NULL for a flag */
    const char *help;
};

#define CLI_MAX_OPTIONS 16
#define CLI_MANY ((size_t)-1) /* max_operands of a variadic subcommand */

/* The parsed command line of one subcommand. */
struct cli_args {
    /* Per option, in the command's option order: the value given, "" for a
     * flag that was given, NULL when absent. */
    const char *option[CLI_MAX_OPTIONS];
    char **operands;
    size_t operand_count;
};

struct command {
    const char *name;
    const char *summary;     /* one line, for `x86msr --help` */
    const char *synopsis;    /* "decode NAME|ADDRESS VALUE [--json]" */
    const char *description; /* the body of `x86msr decode --help` */
    const struct cli_option *options;
    size_t option_count;
    /* Operand names for "missing ..." messages, in order; min/max counts. */
    const char *const *operand_names;
    size_t min_operands;
    size_t max_operands;
    int (*run)(const struct command *self, const struct cli_args *args);
};

/* The subcommands, each defined in its cmd_*.c. */
extern const struct command command_list;
extern const struct command command_show;
extern const struct command command_decode;
extern const struct command command_encode;
extern const struct command command_read;
extern const struct command command_write;
extern const struct command command_dump;
extern const struct command command_diff;
extern const struct command command_watch;
extern const struct command command_vmxcap;
extern const struct command command_save_list;
extern const struct command command_template;
extern const struct command command_baseline;
extern const struct command command_completion;
extern const struct command command_help;

/* The registry (commands.c). */
extern const struct command *const tool_commands[];
extern const size_t tool_command_count;

/* The subcommand called `name` (exact, case-sensitive like every CLI), or NULL. */
const struct command *find_command(const char *name);

/* The full help text of `cmd`, on `out`. */
void print_command_help(const struct command *cmd, FILE *out);

/* True when the flag option at `index` was given. */
static inline bool cli_flag(const struct cli_args *args, size_t index)
{
    return args->option[index] != NULL;
}

#endif
