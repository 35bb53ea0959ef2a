"""The spec format as a JSON Schema (draft 2020-12), rendered from schema.py's key
tables so editors validate and complete spec files with the same rules the
validator starts from (the validator checks more: overlaps, clashes,
cross-references, positions).

    python3 -m codegen --json-schema spec/msrs.schema.json [--check]
"""

import json
from typing import Any, Dict

from . import schema

SCHEMA_ID = "https://x86msr.invalid/spec/msrs.schema.json"
IDENT_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
MSR_NAME_PATTERN = r"^[A-Z][A-Z0-9_]*(\{n\}[A-Z0-9_]*)?$"
LOWER_NAME_PATTERN = r"^[a-z_][a-z0-9_]*$"
BITS_PATTERN = r"^\s*[0-9]+\s*(:\s*[0-9]+\s*)?$"
NON_EMPTY = r"\S"


def _type(typ: str, key: schema.Key) -> Dict[str, Any]:
    if key.choices:
        choices = {"enum": list(key.choices)}
        return {"type": "array", "items": choices, "uniqueItems": True} if typ.startswith("list") else choices
    if typ == schema.INT:
        return {"type": "integer"}
    if typ == schema.BOOL:
        return {"type": "boolean"}
    if typ == schema.STR:
        return {"type": "string", "pattern": NON_EMPTY}
    if typ == schema.IDENT:
        return {"type": "string", "pattern": IDENT_PATTERN}
    if typ == schema.NAME_PATTERN:
        return {"type": "string", "pattern": MSR_NAME_PATTERN}
    if typ == schema.BITS:
        return {"oneOf": [{"type": "integer", "minimum": 0, "maximum": 63},
                          {"type": "string", "pattern": BITS_PATTERN}]}
    if typ == schema.STR_LIST:
        return {"type": "array", "items": {"type": "string", "pattern": NON_EMPTY}, "uniqueItems": True}
    if typ == schema.INT_LIST:
        return {"type": "array", "items": {"type": "integer"}, "uniqueItems": True}
    if typ == schema.INDEXED_INT:
        return {"oneOf": [{"type": "integer"}, {"const": "n"}]}
    if typ == schema.VENDOR_LIST:
        # built-in vendors, or ones the file declares under `vendors:`
        return {"type": "array", "minItems": 1, "uniqueItems": True,
                "items": {"anyOf": [{"enum": list(schema.VENDOR_NAMES)},
                                    {"type": "string", "pattern": LOWER_NAME_PATTERN}]}}
    if typ == schema.CATEGORY:
        return {"anyOf": [{"enum": list(schema.CATEGORY_NAMES)}, {"type": "string", "pattern": LOWER_NAME_PATTERN}]}
    if typ == schema.CONDITION:
        return {"$ref": "#/$defs/condition"}
    if typ == schema.ENUM_REF:
        return {"oneOf": [{"type": "string", "pattern": IDENT_PATTERN},
                          {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/enum_value"}}]}
    if typ == schema.CONTROL_REF:
        return {"$ref": "#/$defs/control_ref"}
    if typ == schema.BOOL_OR_VENDORS:
        return {"oneOf": [{"type": "boolean"}, _type(schema.VENDOR_LIST, key)]}
    if typ.startswith("record:"):
        return {"$ref": f"#/$defs/{typ[7:]}"}
    if typ == schema.WORDS:
        return {"type": "object", "propertyNames": {"pattern": "^[a-z][a-z0-9_]*$"},
                "additionalProperties": {"type": "string", "pattern": NON_EMPTY}}
    if typ.startswith("list:"):
        kind = typ[5:]
        return {"type": "array", "items": {"$ref": f"#/$defs/{kind}"}}
    if typ.startswith("map:"):
        return {"type": "object", "propertyNames": {"pattern": IDENT_PATTERN},
                "additionalProperties": {"$ref": f"#/$defs/{typ[4:]}"}}
    raise AssertionError(typ)


def _record(kind: str) -> Dict[str, Any]:
    keys = schema.RECORDS[kind]
    out: Dict[str, Any] = {
        "type": "object",
        "properties": {k.name: {"description": k.meaning, **_type(k.type, k)} for k in keys},
        "additionalProperties": False,
    }
    required = [k.name for k in keys if k.required]
    if required:
        out["required"] = required
    return out


def document() -> Dict[str, Any]:
    defs = {kind: _record(kind) for kind in schema.RECORDS if kind not in ("top", "cpuid_any")}
    # A condition is one of the kinds, told apart by the key that names the kind.
    defs["condition"] = {"oneOf": [{"$ref": f"#/$defs/{record}"} for _, record in schema.CONDITION_RECORDS]}
    for key, record in schema.CONDITION_RECORDS:
        if key in ("any_of", "all_of"):
            defs[record]["properties"][key] = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/condition"}}
    for record in ("cond_cpuid", "cond_msr"):
        defs[record]["oneOf"] = [{"required": ["bit"], "not": {"required": ["bits"]}},
                                 {"required": ["bits"], "not": {"required": ["bit"]}}]
    # A register gives `layout` or `fields`, not both.
    defs["msr"]["not"] = {"required": ["layout", "fields"]}
    top = _record("top")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "x86msr spec (spec/msrs.yaml and overlays)",
            "description": "Generated from codegen/schema.py by python3 -m codegen --json-schema; do not edit.",
            **top, "$defs": defs}


def text() -> str:
    return json.dumps(document(), indent=2, sort_keys=False) + "\n"
