"""x86msr code generator: spec/msrs.yaml -> validated model -> C headers (Jinja2).

Pipeline: loader (YAML with positions) -> validate (all errors, file:line:col)
-> model (frozen, defaults filled in) -> render (templates read only the model)
-> output (atomic, write-if-changed, --check).
"""
