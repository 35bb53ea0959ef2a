/*
 * `x86msr completion bash`: a bash completion script built from the tool's
 * own tables -- the subcommands and their options (tool_commands[]), what
 * each option's value and each operand is (from their value and operand
 * names), and the register names, categories and vendors of the metadata
 * table -- so it can never drift from the tool. The build writes it next to
 * the tool and installs it as share/bash-completion/completions/x86msr.
 */
#include "command.h"
#include "diag.h"

#include <x86msr/meta.h>

#include <stdlib.h>
#include <string.h>

static const char *const completion_operands[] = {"SHELL"};

/* What completes a value or operand, from how the help names it. */
static const char *kind_of(const char *name)
{
    if (name == NULL)
        return "none";
    if (strcmp(name, "FILE") == 0 || strcmp(name, "SNAPSHOT") == 0)
        return "file";
    if (strcmp(name, "NAMES") == 0 || strcmp(name, "MODES") == 0)
        return "list";
    if (strcmp(name, "NAME|ADDRESS") == 0 || strcmp(name, "PATTERN") == 0)
        return "msr";
    if (strcmp(name, "SUBCOMMAND") == 0)
        return "command";
    if (strcmp(name, "SHELL") == 0)
        return "shell";
    if (strcmp(name, "FIELD=VALUE") == 0 || strcmp(name, "VALUE|FIELD=VALUE") == 0)
        return "assign";
    if (strcmp(name, "FIELD") == 0)
        return "field";
    if (strcmp(name, "A") == 0 || strcmp(name, "B") == 0)
        return "side";
    return "other";
}

/* A word list as a shell string, 8 words a line (a single-quoted string may
 * span lines; newlines separate words like blanks). Names are [A-Za-z0-9_]. */
static void words_begin(const char *variable)
{
    printf("%s='", variable);
}

static void word(size_t *n, const char *w)
{
    printf("%s%s", *n == 0 ? "" : (*n % 8 == 0 ? "\n" : " "), w);
    (*n)++;
}

static void words_end(void)
{
    printf("'\n");
}

static void print_tables(void)
{
    size_t i, n = 0;
    unsigned a;

    words_begin("_x86msr_commands");
    for (i = 0; i < tool_command_count; i++)
        word(&n, tool_commands[i]->name);
    words_end();
    n = 0;
    words_begin("_x86msr_names");
    for (i = 0; i < msr_spec.instance_count; i++) {
        const struct msr_instance *msr = &msr_spec.instances[i];

        word(&n, msr_name(msr));
        for (a = 0; a < msr_alias_count(msr); a++)
            word(&n, msr_alias(msr, a));
    }
    words_end();
    n = 0;
    words_begin("_x86msr_categories");
    for (i = 0; i < MSR_CATEGORY_COUNT; i++)
        word(&n, msr_category_table[i].name);
    words_end();
    n = 0;
    words_begin("_x86msr_vendors");
    for (i = 0; i < msr_vendor_table_count; i++)
        word(&n, msr_vendor_table[i].name);
    words_end();
    n = 0;
    words_begin("_x86msr_access");
    word(&n, msr_access_name(MSR_ACCESS_RO));
    word(&n, msr_access_name(MSR_ACCESS_RW));
    word(&n, msr_access_name(MSR_ACCESS_WO));
    words_end();
}

/* _x86msr_fields REG: the field names of register REG (a name or an alias,
 * in capitals), one case per definition with fields, its instances' names
 * and aliases as the patterns. */
static void print_fields(void)
{
    uint32_t d, i;
    unsigned a, f;

    printf("\n_x86msr_fields() {\n    case $1 in\n");
    for (d = 0; d < msr_spec.def_count; d++) {
        const struct msr_def *def = msr_spec.defs[d];
        const char *sep = "        ";

        if (def->field_count == 0)
            continue;
        for (i = 0; i < msr_spec.instance_count; i++) {
            const struct msr_instance *inst = &msr_spec.instances[i];

            if (inst->def != def->id)
                continue;
            printf("%s%s", sep, msr_name(inst));
            sep = "|";
            for (a = 0; a < msr_alias_count(inst); a++)
                printf("|%s", msr_alias(inst, a));
        }
        printf(") echo '");
        for (f = 0; f < def->field_count; f++)
            printf("%s%s", f == 0 ? "" : " ", msr_field_name(def, f));
        printf("' ;;\n");
    }
    printf("    esac\n}\n");
}

/* _x86msr_options CMD: every option of CMD. */
static void print_options(void)
{
    size_t c, o;

    printf("\n_x86msr_options() {\n    case $1 in\n");
    for (c = 0; c < tool_command_count; c++) {
        const struct command *cmd = tool_commands[c];

        printf("        %s) echo '", cmd->name);
        for (o = 0; o < cmd->option_count; o++) {
            if (cmd->options[o].short_name != 0)
                printf("-%c ", cmd->options[o].short_name);
            printf("--%s ", cmd->options[o].name);
        }
        printf("-h --help' ;;\n");
    }
    printf("    esac\n}\n");
}

/* _x86msr_value CMD OPTION: what the option's value is ("none": a flag, or
 * not an option of CMD). */
static void print_values(void)
{
    size_t c, o;

    printf("\n_x86msr_value() {\n    case \"$1 $2\" in\n");
    for (c = 0; c < tool_command_count; c++) {
        const struct command *cmd = tool_commands[c];

        for (o = 0; o < cmd->option_count; o++) {
            const struct cli_option *opt = &cmd->options[o];
            const char *kind = kind_of(opt->value_name);

            if (opt->value_name == NULL)
                continue;
            if (strcmp(kind, "list") == 0)
                kind = strcmp(opt->name, "category") == 0 ? "categories"
                       : strcmp(opt->name, "vendor") == 0 ? "vendors"
                                                          : "access";
            printf("        \"%s --%s\"", cmd->name, opt->name);
            if (opt->short_name != 0)
                printf("|\"%s -%c\"", cmd->name, opt->short_name);
            printf(") echo %s ;;\n", kind);
        }
    }
    printf("        *) echo none ;;\n    esac\n}\n");
}

/* _x86msr_operand CMD INDEX: what operand INDEX (0-based) of CMD is. */
static void print_operands(void)
{
    size_t c, i;

    printf("\n_x86msr_operand() {\n    case \"$1 $2\" in\n");
    for (c = 0; c < tool_command_count; c++) {
        const struct command *cmd = tool_commands[c];
        size_t named = cmd->max_operands == CLI_MANY ? cmd->min_operands : cmd->max_operands;

        if (cmd->max_operands == 0 || cmd->operand_names == NULL)
            continue;
        if (named == 0)
            named = 1;
        for (i = 0; i < named; i++)
            printf("        \"%s %lu\") echo %s ;;\n", cmd->name, (unsigned long)i,
                   kind_of(cmd->operand_names[i]));
        if (cmd->max_operands == CLI_MANY)
            printf("        \"%s \"*) echo %s ;;\n", cmd->name, kind_of(cmd->operand_names[named - 1]));
    }
    printf("        *) echo none ;;\n    esac\n}\n");
}

static const char script_body[] =
    "\n"
    "# Completes the last item of a comma-separated list (--category vmx,sys).\n"
    "_x86msr_list() {\n"
    "    local head=\"\" item=$cur\n"
    "    if [[ $cur == *,* ]]; then head=${cur%,*},; item=${cur##*,}; fi\n"
    "    COMPREPLY=($(compgen -P \"$head\" -W \"$1\" -- \"${item,,}\"))\n"
    "}\n"
    "\n"
    "# The field names of the register that is the first operand (REG), starting\n"
    "# with the word being completed; $1 is appended to each (\"=\" for FIELD=VALUE).\n"
    "_x86msr_field_names() {\n"
    "    [[ -n $first ]] || return\n"
    "    COMPREPLY=($(compgen -S \"$1\" -W \"$(_x86msr_fields \"${first^^}\")\" -- \"${cur^^}\"))\n"
    "    [[ -n $1 ]] && compopt -o nospace 2>/dev/null\n"
    "    return 0\n"
    "}\n"
    "\n"
    "_x86msr() {\n"
    "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
    "    local cmd=${COMP_WORDS[1]} i word index=0 options_done= first=\n"
    "    COMPREPLY=()\n"
    "    if ((COMP_CWORD == 1)); then\n"
    "        COMPREPLY=($(compgen -W \"$_x86msr_commands --help --version\" -- \"$cur\"))\n"
    "        return\n"
    "    fi\n"
    "    # Which operand the word is (count the ones before it, skipping option\n"
    "    # values), and the first operand of the line, wherever it is.\n"
    "    for ((i = 2; i < ${#COMP_WORDS[@]}; i++)); do\n"
    "        word=${COMP_WORDS[i]}\n"
    "        if [[ -z $options_done && $word == -- ]]; then options_done=1\n"
    "        elif [[ -z $options_done && $word == -?* ]]; then\n"
    "            [[ $word != *=* && $(_x86msr_value \"$cmd\" \"$word\") != none ]] && ((i++))\n"
    "        elif ((i != COMP_CWORD)); then\n"
    "            [[ -z $first ]] && first=$word\n"
    "            ((i < COMP_CWORD)) && ((index++))\n"
    "        fi\n"
    "    done\n"
    "    case $(_x86msr_value \"$cmd\" \"$prev\") in\n"
    "        file) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
    "        categories) _x86msr_list \"$_x86msr_categories\"; return ;;\n"
    "        vendors) _x86msr_list \"$_x86msr_vendors\"; return ;;\n"
    "        access) _x86msr_list \"$_x86msr_access\"; return ;;\n"
    "        field) _x86msr_field_names \"\"; return ;;\n"
    "        none) ;;\n"
    "        *) return ;;\n"
    "    esac\n"
    "    if [[ -z $options_done && $cur == -* ]]; then\n"
    "        COMPREPLY=($(compgen -W \"$(_x86msr_options \"$cmd\")\" -- \"$cur\"))\n"
    "        return\n"
    "    fi\n"
    "    case $(_x86msr_operand \"$cmd\" \"$index\") in\n"
    "        msr) COMPREPLY=($(compgen -W \"$_x86msr_names\" -- \"${cur^^}\")) ;;\n"
    "        command) COMPREPLY=($(compgen -W \"$_x86msr_commands\" -- \"$cur\")) ;;\n"
    "        shell) COMPREPLY=($(compgen -W \"bash\" -- \"$cur\")) ;;\n"
    "        assign) [[ $cur == *=* ]] || _x86msr_field_names \"=\" ;;\n"
    "        file) COMPREPLY=($(compgen -f -- \"$cur\")) ;;\n"
    "        side)\n"
    "            local cpus=() d\n"
    "            for d in \"${X86MSR_CPU_ROOT:-/dev/cpu}\"/[0-9]*; do [[ -e $d ]] && cpus+=(\"cpu:${d##*/}\"); done\n"
    "            COMPREPLY=($(compgen -f -- \"$cur\") $(compgen -W \"${cpus[*]}\" -- \"$cur\")) ;;\n"
    "    esac\n"
    "}\n"
    "complete -F _x86msr x86msr\n";

static int run_completion(const struct command *self, const struct cli_args *args)
{
    (void)self;
    /* One shell: naming it is the whole hint ("did you mean bash?" would only say it twice). */
    if (strcmp(args->operands[0], "bash") != 0)
        return usage_error_code(ERR_UNKNOWN_NAME, "unknown shell '%s': the completion script is for bash only",
                                args->operands[0]);
    printf("# bash completion for x86msr -- written by 'x86msr completion bash' from the tool's\n"
           "# command table and the spec's register names; do not edit.\n"
           "# Install: share/bash-completion/completions/x86msr, or source it from ~/.bashrc.\n");
    print_tables();
    print_fields();
    print_options();
    print_values();
    print_operands();
    fputs(script_body, stdout);
    return TOOL_EXIT_OK;
}

const struct command command_completion = {
    .name = "completion",
    .summary = "Print a shell completion script (bash)",
    .synopsis = "completion SHELL",
    .description = "Prints a completion script for SHELL (bash) on standard output: subcommands,\n"
                   "their options, register names and aliases, a register's field names\n"
                   "(FIELD= for encode and write, after the register; -f FIELD for read),\n"
                   "categories, vendors and access modes after --category, --vendor and\n"
                   "--access, files after options that take one, and cpu:N for 'diff'. The build installs it as\n"
                   "share/bash-completion/completions/x86msr; or add to ~/.bashrc:\n"
                   "\n"
                   "  source <(x86msr completion bash)",
    .options = NULL,
    .option_count = 0,
    .operand_names = completion_operands,
    .min_operands = 1,
    .max_operands = 1,
    .run = run_completion,
};
