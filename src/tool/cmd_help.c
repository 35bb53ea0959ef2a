/*
 * `x86msr help [SUBCOMMAND]`, and the top-level help text.
 */
#include "command.h"
#include "diag.h"
#include "suggest.h"
#include "tool_help.h"

#include <string.h>

void print_tool_help(FILE *out)
{
    size_t i;
    int width = 0;

    fputs("Usage: " TOOL_NAME " [--help | --version]\n"
          "       " TOOL_NAME " SUBCOMMAND [OPTIONS] [ARGS...]\n"
          "\n"
          "Names, describes and decodes x86 model-specific registers (MSRs) from the\n"
          "x86msr spec, and reads and writes them on this machine's CPUs.\n"
          "\n"
          "Subcommands:\n",
          out);
    for (i = 0; i < tool_command_count; i++)
        if ((int)strlen(tool_commands[i]->name) > width)
            width = (int)strlen(tool_commands[i]->name);
    for (i = 0; i < tool_command_count; i++)
        fprintf(out, "  %-*s  %s\n", width, tool_commands[i]->name, tool_commands[i]->summary);
    fputs("\n"
          "A register is given by name as in the vendors' manuals (IA32_EFER; any case;\n"
          "aliases work) or by address (0xC0000080). Numbers are decimal, hex with 0x or\n"
          "binary with 0b, '_' may separate digits; nothing else is accepted.\n"
          "\n"
          "read, write, dump, diff (cpu:N), watch and vmxcap use the msr driver\n"
          "(/dev/cpu/N/msr: 'modprobe msr', root or CAP_SYS_RAWIO); X86MSR_CPU_ROOT\n"
          "replaces /dev/cpu, and X86MSR_SYSFS_ROOT /sys/devices/system/cpu (for the\n"
          "list of online CPUs). What an error says to do depends on what the tool\n"
          "finds: X86MSR_MODULES_DIR replaces /lib/modules/RELEASE (no module tree:\n"
          "a container) and X86MSR_LOCKDOWN_FILE /sys/kernel/security/lockdown.\n"
          "\n"
          "Numbers are printed zero-padded to their width: register values 16 hex\n"
          "digits, addresses 8, field values the field's width. With --json, a\n"
          "failure prints {\"error\": {\"code\": ..., \"message\": ...}} on stdout.\n"
          "\n"
          "Run '" TOOL_NAME " SUBCOMMAND --help' for a subcommand's options.\n"
          "\n"
          "Exit status: 0 success, 1 runtime failure, 2 bad usage (one line on stderr says why).\n",
          out);
}

static const char *const help_operands[] = {"SUBCOMMAND"};

static int run_help(const struct command *self, const struct cli_args *args)
{
    const struct command *cmd;
    struct suggestion s;
    size_t i;

    (void)self;
    if (args->operand_count == 0) {
        print_tool_help(stdout);
        return TOOL_EXIT_OK;
    }
    cmd = find_command(args->operands[0]);
    if (cmd != NULL) {
        print_command_help(cmd, stdout);
        return TOOL_EXIT_OK;
    }
    suggestion_init(&s, args->operands[0]);
    for (i = 0; i < tool_command_count; i++)
        suggestion_offer(&s, tool_commands[i]->name, NULL);
    return usage_error("unknown subcommand '%s'%s", args->operands[0], suggestion_hint(&s));
}

const struct command command_help = {
    .name = "help",
    .summary = "Show help for a subcommand",
    .synopsis = "help [SUBCOMMAND]",
    .description = "Shows the help of SUBCOMMAND, or the overview without one.",
    .options = NULL,
    .option_count = 0,
    .operand_names = help_operands,
    .min_operands = 0,
    .max_operands = 1,
    .run = run_help,
};
