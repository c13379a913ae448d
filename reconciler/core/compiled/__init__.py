"""Precompiled fastjsonschema validators of the file kinds, generated from the schemas by
`python -m reconciler.schemas` (see reconciler/schemas.py and core/schema.py). Generated
code: excluded from lint; tests/test_schemas.py fails when a module is stale."""
