#!/bin/sh
# The MSR-exit path names no text and no whole spec: the objects of the exit
# handler, its spec checks and the policy (x86msr_virt's virt_handler.c,
# virt_spec.c, virt_policy.c) must not refer to msr_spec, to the lookups over
# it, or to any function or table of the text (x86msr/meta.h, "Text"): a
# program whose policy names its registers' records links those and no more.
# Usage: check_exit_path.sh 'OBJECT;OBJECT;...' (x86msr_virt's objects)
set -u
lookups='msr_spec|msr_find_by_address|msr_find_by_address_for_vendor|msr_find_by_address_for_cpu|msr_def_of'
text='msr_name|msr_alias|msr_alias_count|msr_find_by_name|msr_def_name|msr_def_description|msr_def_ref'
text="$text|msr_def_spec_line|msr_field_name|msr_field_description|msr_find_field|msr_field_enum_count"
text="$text|msr_field_enum_value|msr_field_enum_name|msr_condition_describe"
tables='msr_text_pool_|msr_def_text_|msr_field_text_|msr_enum_text_|msr_instance_text_|msr_alias_text_'
forbidden="^($lookups|$text|$tables)\$"
fail=0 seen=0
old_ifs=$IFS
IFS=';'
for obj in $1; do
    IFS=$old_ifs
    case $(basename "$obj") in
    virt_handler.c.o | virt_spec.c.o | virt_policy.c.o) ;;
    *) continue ;;
    esac
    seen=$((seen + 1))
    bad=$(nm -u "$obj" | awk '{ print $NF }' | grep -E "$forbidden" || true)
    if [ -n "$bad" ]; then
        echo "FAIL: $(basename "$obj") refers to:"; echo "$bad"; fail=1
    fi
done
[ $seen -eq 3 ] || { echo "FAIL: found $seen of the 3 exit-path objects in: $1"; exit 1; }
[ $fail -eq 0 ] && echo "the exit path refers to no text and no whole spec"
exit $fail
