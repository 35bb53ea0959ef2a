/*
 * Command-line parsing for one subcommand, driven by its option table.
 *
 * Grammar (the usual GNU conventions, minus abbreviations):
 *   --name            flag
 *   --name=VALUE      option with a value; also `--name VALUE`
 *   -s / -sVALUE / -s VALUE
 *   --                every later argument is an operand
 *   -                 an operand (conventionally stdin)
 *   -1, -0x5          operands: a dash followed by a digit is a (negative)
 *                     number for the number parser to reject with a reason,
 *                     not an unknown option
 * Options and operands may be mixed in any order. `-h`/`--help` anywhere
 * before `--` prints the subcommand's help and succeeds, whatever else is on
 * the line.
 */
#ifndef X86MSR_TOOL_CLI_ARGS_H
#define X86MSR_TOOL_CLI_ARGS_H

#include "command.h"

/* cli_parse's result when the subcommand should run. */
#define CLI_CONTINUE (-1)

/*
 * Parses argv[1..argc-1] (argv[0] is the subcommand name) into `args`.
 * Returns CLI_CONTINUE to go on, or an exit status to return right away:
 * TOOL_EXIT_OK after printing help, TOOL_EXIT_USAGE after printing one error
 * line. Call cli_args_release() in both cases.
 */
int cli_parse(const struct command *cmd, int argc, char **argv, struct cli_args *args);
void cli_args_release(struct cli_args *args);

#endif
