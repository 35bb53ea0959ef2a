/*
 * The subcommand registry and the help texts built from it.
 */
#include "command.h"

#include "diag.h"

#include <string.h>

/* In the order `x86msr --help` lists them. */
const struct command *const tool_commands[] = {
    &command_list,
    &command_show,
    &command_decode,
    &command_encode,
    &command_read,
    &command_write,
    &command_dump,
    &command_diff,
    &command_watch,
    &command_vmxcap,
    &command_save_list,
    &command_template,
    &command_baseline,
    &command_completion,
    &command_help,
};
const size_t tool_command_count = sizeof tool_commands / sizeof tool_commands[0];

const struct command *find_command(const char *name)
{
    size_t i;

    for (i = 0; i < tool_command_count; i++)
        if (strcmp(tool_commands[i]->name, name) == 0)
            return tool_commands[i];
    return NULL;
}

static void print_option(FILE *out, const char *spelling, const char *help)
{
    fprintf(out, "  %-22s %s\n", spelling, help);
}

void print_command_help(const struct command *cmd, FILE *out)
{
    size_t i;

    fprintf(out, "Usage: " TOOL_NAME " %s\n\n%s\n\nOptions:\n", cmd->synopsis, cmd->description);
    for (i = 0; i < cmd->option_count; i++) {
        const struct cli_option *opt = &cmd->options[i];
        char spelling[64];

        if (opt->short_name != 0 && opt->value_name != NULL)
            snprintf(spelling, sizeof spelling, "-%c, --%s %s", opt->short_name, opt->name, opt->value_name);
        else if (opt->short_name != 0)
            snprintf(spelling, sizeof spelling, "-%c, --%s", opt->short_name, opt->name);
        else if (opt->value_name != NULL)
            snprintf(spelling, sizeof spelling, "--%s %s", opt->name, opt->value_name);
        else
            snprintf(spelling, sizeof spelling, "--%s", opt->name);
        print_option(out, spelling, opt->help);
    }
    print_option(out, "-h, --help", "Show this help and exit");
}
