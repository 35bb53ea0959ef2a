#include "cli_args.h"

#include "diag.h"
#include "suggest.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

static bool looks_like_option(const char *arg)
{
    return arg[0] == '-' && arg[1] != '\0' && !(arg[1] >= '0' && arg[1] <= '9');
}

static const char *try_help_hint(const struct command *cmd)
{
    static char hint[128];

    snprintf(hint, sizeof hint, " (try '" TOOL_NAME " %s --help')", cmd->name);
    return hint;
}

static int unknown_option(const struct command *cmd, const char *arg)
{
    struct suggestion s;
    char candidate[CLI_MAX_OPTIONS][64];
    size_t i, n = cmd->option_count < CLI_MAX_OPTIONS ? cmd->option_count : CLI_MAX_OPTIONS;
    size_t length = strcspn(arg, "=");
    char *typed = xmalloc(length + 1);
    int status;

    memcpy(typed, arg, length);
    typed[length] = '\0';
    suggestion_init(&s, typed);
    for (i = 0; i < n; i++) {
        snprintf(candidate[i], sizeof candidate[i], "--%s", cmd->options[i].name);
        suggestion_offer(&s, candidate[i], NULL);
    }
    if (s.best != NULL)
        status = usage_error("unknown option '%s' for '%s'%s", typed, cmd->name, suggestion_hint(&s));
    else
        status = usage_error("unknown option '%s' for '%s'%s", typed, cmd->name, try_help_hint(cmd));
    free(typed);
    return status;
}

/* Index of the option with this long name (given up to `length` chars). */
static int find_long(const struct command *cmd, const char *name, size_t length)
{
    size_t i;

    for (i = 0; i < cmd->option_count; i++)
        if (strlen(cmd->options[i].name) == length && strncmp(cmd->options[i].name, name, length) == 0)
            return (int)i;
    return -1;
}

static int find_short(const struct command *cmd, char c)
{
    size_t i;

    for (i = 0; i < cmd->option_count; i++)
        if (cmd->options[i].short_name != 0 && cmd->options[i].short_name == c)
            return (int)i;
    return -1;
}

/* Records option `index` with `value`. A value option given twice is an
 * error (which one did the user mean?); a repeated flag is harmless. */
static int store_option(const struct command *cmd, struct cli_args *args, int index, const char *value,
                        const char *spelled)
{
    const struct cli_option *opt = &cmd->options[index];

    if (opt->value_name != NULL && args->option[index] != NULL)
        return usage_error("option '%s' given twice", spelled);
    args->option[index] = value;
    return CLI_CONTINUE;
}

/* Parses the option at argv[*i]; may consume argv[*i + 1] as its value. */
static int parse_option(const struct command *cmd, int argc, char **argv, int *i, struct cli_args *args)
{
    const char *arg = argv[*i];
    char spelled[64];
    const char *value = NULL;
    int index;

    if (arg[1] == '-') {
        const char *name = arg + 2;
        const char *equals = strchr(name, '=');
        size_t length = equals ? (size_t)(equals - name) : strlen(name);

        index = find_long(cmd, name, length);
        if (index < 0)
            return unknown_option(cmd, arg);
        snprintf(spelled, sizeof spelled, "--%s", cmd->options[index].name);
        if (equals != NULL) {
            if (cmd->options[index].value_name == NULL)
                return usage_error("option '%s' takes no value", spelled);
            value = equals + 1;
        }
    } else {
        index = find_short(cmd, arg[1]);
        if (index < 0)
            return unknown_option(cmd, arg);
        snprintf(spelled, sizeof spelled, "-%c", arg[1]);
        if (arg[2] != '\0') {
            if (cmd->options[index].value_name == NULL)
                return usage_error("option '%s' takes no value (in '%s')", spelled, arg);
            value = arg + 2;
        }
    }
    if (cmd->options[index].value_name == NULL)
        return store_option(cmd, args, index, "", spelled);
    if (value == NULL) {
        if (*i + 1 >= argc)
            return usage_error("option '%s' needs a value (%s)", spelled, cmd->options[index].value_name);
        value = argv[++*i];
    }
    return store_option(cmd, args, index, value, spelled);
}

static bool help_requested(int argc, char **argv)
{
    int i;

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
        if (is_help(argv[i]))
            return true;
    return false;
}

int cli_parse(const struct command *cmd, int argc, char **argv, struct cli_args *args)
{
    bool options_done = false;
    int i;

    assert(cmd->option_count <= CLI_MAX_OPTIONS);
    memset(args, 0, sizeof *args);
    args->operands = xcalloc((size_t)argc, sizeof *args->operands);
    if (help_requested(argc, argv)) {
        print_command_help(cmd, stdout);
        return TOOL_EXIT_OK;
    }
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];

        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (!options_done && looks_like_option(arg)) {
            int status = parse_option(cmd, argc, argv, &i, args);
            if (status != CLI_CONTINUE)
                return status;
        } else if (args->operand_count >= cmd->max_operands) {
            return usage_error("unexpected argument '%s'%s", arg, try_help_hint(cmd));
        } else {
            args->operands[args->operand_count++] = argv[i];
        }
    }
    if (args->operand_count < cmd->min_operands)
        return usage_error("missing argument %s%s", cmd->operand_names[args->operand_count], try_help_hint(cmd));
    return CLI_CONTINUE;
}

void cli_args_release(struct cli_args *args)
{
    free(args->operands);
    args->operands = NULL;
}
