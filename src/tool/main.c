/*
 * x86msr: names, describes and decodes x86 model-specific registers from
 * the x86msr spec. This file only picks the subcommand; each one lives in
 * its own cmd_*.c.
 */
#include "cli_args.h"
#include "command.h"
#include "diag.h"
#include "suggest.h"
#include "tool_help.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#ifndef X86MSR_VERSION
#define X86MSR_VERSION "unknown"
#endif

static int run_command(const struct command *cmd, int argc, char **argv)
{
    struct cli_args args;
    int status = cli_parse(cmd, argc, argv, &args);

    if (status == CLI_CONTINUE)
        status = cmd->run(cmd, &args);
    cli_args_release(&args);
    return status;
}

static int unknown_command(const char *name)
{
    struct suggestion s;
    size_t i;

    suggestion_init(&s, name);
    for (i = 0; i < tool_command_count; i++)
        suggestion_offer(&s, tool_commands[i]->name, NULL);
    if (s.best != NULL)
        return usage_error("unknown subcommand '%s'%s", name, suggestion_hint(&s));
    return usage_error("unknown subcommand '%s' (try '" TOOL_NAME " --help')", name);
}

/* Options before the subcommand: only --help and --version. */
static int run_global_option(int argc, char **argv)
{
    const char *arg = argv[1];

    if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
        if (argc > 2) /* `x86msr --help decode` reads like `x86msr help decode` */
            return run_command(find_command("help"), argc - 1, argv + 1);
        print_tool_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (strcmp(arg, "--version") == 0) {
        if (argc > 2)
            return usage_error("unexpected argument '%s' after --version", argv[2]);
        printf(TOOL_NAME " " X86MSR_VERSION "\n");
        return TOOL_EXIT_OK;
    }
    return usage_error("unknown option '%s' (try '" TOOL_NAME " --help')", arg);
}

/* Output that could not be written (a full disk, a closed pipe) must not
 * look like success to a script. */
static int check_output(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int saved = errno;

        if (status == TOOL_EXIT_OK)
            status = runtime_error("cannot write output: %s", strerror(saved));
    }
    return status;
}

/* --json anywhere before "--": the caller wants JSON, errors included. */
static bool wants_json(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (strcmp(argv[i], "--json") == 0)
            return true;
    return false;
}

static int run(int argc, char **argv)
{
    const struct command *cmd;

    if (argc < 2)
        return usage_error("missing subcommand (try '" TOOL_NAME " --help')");
    if (argv[1][0] == '-')
        return check_output(run_global_option(argc, argv));
    cmd = find_command(argv[1]);
    if (cmd == NULL)
        return unknown_command(argv[1]);
    return check_output(run_command(cmd, argc - 1, argv + 1));
}

int main(int argc, char **argv)
{
    diag_json_errors(wants_json(argc, argv));
    return check_output(diag_finish(run(argc, argv)));
}
