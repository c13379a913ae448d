# Generated from config.schema.json by `python -m reconciler.schemas`: do not edit.
# Call validate(data, custom_formats=reconciler.core.schema.FAST_FORMATS).
# mypy: ignore-errors
VERSION = "2.22.3"
from decimal import Decimal
import re
from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException


REGEX_PATTERNS = {
    '^-?[0-9]+$': re.compile('^-?[0-9]+\\Z')
}

NoneType = type(None)

def validate_https___flow_reconciler_dev_schemas_config_schema_json(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'https://flow-reconciler.dev/schemas/config.schema.json', 'definitions': {'NetworkPolicy': {'additionalProperties': False, 'properties': {'allow': {'description': 'Hosts (exact or *.suffix) and CIDRs allowed although private/loopback.', 'items': {'type': 'string'}, 'title': 'Allow', 'type': 'array'}, 'caBundle': {'type': 'string', 'description': 'Extra trusted CAs (PEM), relative to the repo root.', 'title': 'Cabundle'}}, 'title': 'NetworkPolicy', 'type': 'object'}}, 'additionalProperties': False, 'properties': {'apiVersion': {'const': 'reconciler/v1', 'title': 'Apiversion', 'type': 'string'}, 'kind': {'const': 'Config', 'title': 'Kind', 'type': 'string'}, 'store': {'type': 'string', 'description': 'Store URL; --store and RECONCILER_STORE take precedence.', 'title': 'Store'}, 'network': {'additionalProperties': False, 'properties': {'allow': {'description': 'Hosts (exact or *.suffix) and CIDRs allowed although private/loopback.', 'items': {'type': 'string'}, 'title': 'Allow', 'type': 'array'}, 'caBundle': {'type': 'string', 'description': 'Extra trusted CAs (PEM), relative to the repo root.', 'title': 'Cabundle'}}, 'title': 'NetworkPolicy', 'type': 'object'}, 'statuses': {'additionalProperties': {'type': 'string'}, 'description': 'Overrides of the statusId -> status name table.', 'propertyNames': {'pattern': '^-?[0-9]+$'}, 'title': 'Statuses', 'type': 'object'}}, 'required': ['apiVersion', 'kind'], 'title': 'flow-reconciler Config', 'type': 'object', 'description': 'reconciler.yaml: store URL, network allowlist, status name overrides.'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['apiVersion', 'kind']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'https://flow-reconciler.dev/schemas/config.schema.json', 'definitions': {'NetworkPolicy': {'additionalProperties': False, 'properties': {'allow': {'description': 'Hosts (exact or *.suffix) and CIDRs allowed although private/loopback.', 'items': {'type': 'string'}, 'title': 'Allow', 'type': 'array'}, 'caBundle': {'type': 'string', 'description': 'Extra trusted CAs (PEM), relative to the repo root.', 'title': 'Cabundle'}}, 'title': 'NetworkPolicy', 'type': 'object'}}, 'additionalProperties': False, 'properties': {'apiVersion': {'const': 'reconciler/v1', 'title': 'Apiversion', 'type': 'string'}, 'kind': {'const': 'Config', 'title': 'Kind', 'type': 'string'}, 'store': {'type': 'string', 'description': 'Store URL; --store and RECONCILER_STORE take precedence.', 'title': 'Store'}, 'network': {'additionalProperties': False, 'properties': {'allow': {'description': 'Hosts (exact or *.suffix) and CIDRs allowed although private/loopback.', 'items': {'type': 'string'}, 'title': 'Allow', 'type': 'array'}, 'caBundle': {'type': 'string', 'description': 'Extra trusted CAs (PEM), relative to the repo root.', 'title': 'Cabundle'}}, 'title': 'NetworkPolicy', 'type': 'object'}, 'statuses': {'additionalProperties': {'type': 'string'}, 'description': 'Overrides of the statusId -> status name table.', 'propertyNames': {'pattern': '^-?[0-9]+$'}, 'title': 'Statuses', 'type': 'object'}}, 'required': ['apiVersion', 'kind'], 'title': 'flow-reconciler Config', 'type': 'object', 'description': 'reconciler.yaml: store URL, network allowlist, status name overrides.'}, rule='required')
        data_keys = set(data.keys())
        if "apiVersion" in data_keys:
            data_keys.remove("apiVersion")
            data__apiVersion = data["apiVersion"]
            if not isinstance(data__apiVersion, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".apiVersion must be string", value=data__apiVersion, name="" + (name_prefix or "data") + ".apiVersion", definition={'const': 'reconciler/v1', 'title': 'Apiversion', 'type': 'string'}, rule='type')
            if not (isinstance(data__apiVersion, str) and data__apiVersion == 'reconciler/v1'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".apiVersion must be same as const definition: reconciler/v1", value=data__apiVersion, name="" + (name_prefix or "data") + ".apiVersion", definition={'const': 'reconciler/v1', 'title': 'Apiversion', 'type': 'string'}, rule='const')
        if "kind" in data_keys:
            data_keys.remove("kind")
            data__kind = data["kind"]
            if not isinstance(data__kind, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".kind must be string", value=data__kind, name="" + (name_prefix or "data") + ".kind", definition={'const': 'Config', 'title': 'Kind', 'type': 'string'}, rule='type')
            if not (isinstance(data__kind, str) and data__kind == 'Config'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".kind must be same as const definition: Config", value=data__kind, name="" + (name_prefix or "data") + ".kind", definition={'const': 'Config', 'title': 'Kind', 'type': 'string'}, rule='const')
        if "store" in data_keys:
            data_keys.remove("store")
            data__store = data["store"]
            if not isinstance(data__store, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".store must be string", value=data__store, name="" + (name_prefix or "data") + ".store", definition={'type': 'string', 'description': 'Store URL; --store and RECONCILER_STORE take precedence.', 'title': 'Store'}, rule='type')
        if "network" in data_keys:
            data_keys.remove("network")
            data__network = data["network"]
            validate_https___flow_reconciler_dev_schemas_config_schema_json__definitions_networkpolicy(data__network, custom_formats, (name_prefix or "data") + ".network")
        if "statuses" in data_keys:
            data_keys.remove("statuses")
            data__statuses = data["statuses"]
            if not isinstance(data__statuses, (dict)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".statuses must be object", value=data__statuses, name="" + (name_prefix or "data") + ".statuses", definition={'additionalProperties': {'type': 'string'}, 'description': 'Overrides of the statusId -> status name table.', 'propertyNames': {'pattern': '^-?[0-9]+$'}, 'title': 'Statuses', 'type': 'object'}, rule='type')
            data__statuses_is_dict = isinstance(data__statuses, dict)
            if data__statuses_is_dict:
                data__statuses_keys = set(data__statuses.keys())
                for data__statuses_key in data__statuses_keys:
                    if data__statuses_key not in []:
                        data__statuses_value = data__statuses.get(data__statuses_key)
                        if not isinstance(data__statuses_value, (str)):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".statuses.{data__statuses_key}".format(**locals()) + " must be string", value=data__statuses_value, name="" + (name_prefix or "data") + ".statuses.{data__statuses_key}".format(**locals()) + "", definition={'type': 'string'}, rule='type')
                data__statuses_len = len(data__statuses)
                if data__statuses_len != 0:
                    data__statuses_property_names = True
                    for data__statuses_key in data__statuses:
                        try:
                            if isinstance(data__statuses_key, str):
                                if not REGEX_PATTERNS['^-?[0-9]+$'].search(data__statuses_key):
                                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".statuses must match pattern ^-?[0-9]+$", value=data__statuses_key, name="" + (name_prefix or "data") + ".statuses", definition={'pattern': '^-?[0-9]+$'}, rule='pattern')
                        except (JsonSchemaValueException, JsonSchemaValuesException):
                            data__statuses_property_names = False
                    if not data__statuses_property_names:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".statuses must be named by propertyName definition", value=data__statuses, name="" + (name_prefix or "data") + ".statuses", definition={'additionalProperties': {'type': 'string'}, 'description': 'Overrides of the statusId -> status name table.', 'propertyNames': {'pattern': '^-?[0-9]+$'}, 'title': 'Statuses', 'type': 'object'}, rule='propertyNames')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'https://flow-reconciler.dev/schemas/config.schema.json', 'definitions': {'NetworkPolicy': {'additionalProperties': False, 'properties': {'allow': {'description': 'Hosts (exact or *.suffix) and CIDRs allowed although private/loopback.', 'items': {'type': 'string'}, 'title': 'Allow', 'type': 'array'}, 'caBundle': {'type': 'string', 'description': 'Extra trusted CAs (PEM), relative to the repo root.', 'title': 'Cabundle'}}, 'title': 'NetworkPolicy', 'type': 'object'}}, 'additionalProperties': False, 'properties': {'apiVersion': {'const': 'reconciler/v1', 'title': 'Apiversion', 'type': 'string'}, 'kind': {'const': 'Config', 'title': 'Kind', 'type': 'string'}, 'store': {'type': 'string', 'description': 'Store URL; --store and RECONCILER_STORE take precedence.', 'title': 'Store'}, 'network': {'additionalProperties': False, 'properties': {'allow': {'description': 'Hosts (exact or *.suffix) and CIDRs allowed although private/loopback.', 'items': {'type': 'string'}, 'title': 'Allow', 'type': 'array'}, 'caBundle': {'type': 'string', 'description': 'Extra trusted CAs (PEM), relative to the repo root.', 'title': 'Cabundle'}}, 'title': 'NetworkPolicy', 'type': 'object'}, 'statuses': {'additionalProperties': {'type': 'string'}, 'description': 'Overrides of the statusId -> status name table.', 'propertyNames': {'pattern': '^-?[0-9]+$'}, 'title': 'Statuses', 'type': 'object'}}, 'required': ['apiVersion', 'kind'], 'title': 'flow-reconciler Config', 'type': 'object', 'description': 'reconciler.yaml: store URL, network allowlist, status name overrides.'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_config_schema_json__definitions_networkpolicy(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'properties': {'allow': {'description': 'Hosts (exact or *.suffix) and CIDRs allowed although private/loopback.', 'items': {'type': 'string'}, 'title': 'Allow', 'type': 'array'}, 'caBundle': {'type': 'string', 'description': 'Extra trusted CAs (PEM), relative to the repo root.', 'title': 'Cabundle'}}, 'title': 'NetworkPolicy', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "allow" in data_keys:
            data_keys.remove("allow")
            data__allow = data["allow"]
            if not isinstance(data__allow, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".allow must be array", value=data__allow, name="" + (name_prefix or "data") + ".allow", definition={'description': 'Hosts (exact or *.suffix) and CIDRs allowed although private/loopback.', 'items': {'type': 'string'}, 'title': 'Allow', 'type': 'array'}, rule='type')
            data__allow_is_list = isinstance(data__allow, (list, tuple))
            if data__allow_is_list:
                data__allow_len = len(data__allow)
                for data__allow_x, data__allow_item in enumerate(data__allow):
                    if not isinstance(data__allow_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".allow[{data__allow_x}]".format(**locals()) + " must be string", value=data__allow_item, name="" + (name_prefix or "data") + ".allow[{data__allow_x}]".format(**locals()) + "", definition={'type': 'string'}, rule='type')
        if "caBundle" in data_keys:
            data_keys.remove("caBundle")
            data__caBundle = data["caBundle"]
            if not isinstance(data__caBundle, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".caBundle must be string", value=data__caBundle, name="" + (name_prefix or "data") + ".caBundle", definition={'type': 'string', 'description': 'Extra trusted CAs (PEM), relative to the repo root.', 'title': 'Cabundle'}, rule='type')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'properties': {'allow': {'description': 'Hosts (exact or *.suffix) and CIDRs allowed although private/loopback.', 'items': {'type': 'string'}, 'title': 'Allow', 'type': 'array'}, 'caBundle': {'type': 'string', 'description': 'Extra trusted CAs (PEM), relative to the repo root.', 'title': 'Cabundle'}}, 'title': 'NetworkPolicy', 'type': 'object'}, rule='additionalProperties')
    return data


validate = validate_https___flow_reconciler_dev_schemas_config_schema_json
