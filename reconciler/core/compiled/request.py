# Generated from request.schema.json by `python -m reconciler.schemas`: do not edit.
# Call validate(data, custom_formats=reconciler.core.schema.FAST_FORMATS).
# mypy: ignore-errors
VERSION = "2.22.3"
from decimal import Decimal
import re
from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException


REGEX_PATTERNS = {
    '^[A-Za-z0-9][A-Za-z0-9._-]*$': re.compile('^[A-Za-z0-9][A-Za-z0-9._-]*\\Z')
}

NoneType = type(None)

def validate_https___flow_reconciler_dev_schemas_request_schema_json(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'https://flow-reconciler.dev/schemas/request.schema.json', 'definitions': {'FromRequest': {'additionalProperties': False, 'description': 'Runs with this outcome in an earlier request.', 'properties': {'name': {'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'outcome': {'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}}, 'required': ['name'], 'title': 'FromRequest', 'type': 'object'}, 'Limits': {'additionalProperties': False, 'properties': {'maxRuns': {'default': 10000, 'description': 'Refuse a larger selection.', 'minimum': 1, 'title': 'Maxruns', 'type': 'integer'}}, 'title': 'Limits', 'type': 'object'}, 'PropertyFilter': {'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, 'Selection': {'additionalProperties': False, 'description': 'All filters given AND together.', 'properties': {'status': {'items': {'anyOf': [{'type': 'string'}, {'type': 'integer'}]}, 'title': 'Status', 'type': 'array'}, 'executed': {'allOf': [{'additionalProperties': False, 'anyOf': [{'required': ['after']}, {'required': ['before']}], 'description': 'Half-open window after <= executionTime < before; absolute instants with a zone.', 'properties': {'after': {'format': 'date-time', 'type': 'string', 'title': 'After'}, 'before': {'format': 'date-time', 'type': 'string', 'title': 'Before'}}, 'title': 'TimeWindow', 'type': 'object'}]}, 'chainIds': {'items': {'type': 'string'}, 'title': 'Chainids', 'type': 'array'}, 'runIds': {'items': {'type': 'string'}, 'title': 'Runids', 'type': 'array'}, 'workflows': {'items': {'type': 'string'}, 'title': 'Workflows', 'type': 'array'}, 'domain': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Domain'}, 'service': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Service'}, 'action': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Action'}, 'version': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Version'}, 'properties': {'type': 'array', 'items': {'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, 'title': 'Properties'}, 'search': {'minLength': 1, 'type': 'string', 'title': 'Search'}, 'fromRequest': {'allOf': [{'additionalProperties': False, 'description': 'Runs with this outcome in an earlier request.', 'properties': {'name': {'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'outcome': {'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}}, 'required': ['name'], 'title': 'FromRequest', 'type': 'object'}]}}, 'title': 'Selection', 'type': 'object'}, 'TextMatch': {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}, 'TimeWindow': {'additionalProperties': False, 'anyOf': [{'required': ['after']}, {'required': ['before']}], 'description': 'Half-open window after <= executionTime < before; absolute instants with a zone.', 'properties': {'after': {'format': 'date-time', 'type': 'string', 'title': 'After'}, 'before': {'format': 'date-time', 'type': 'string', 'title': 'Before'}}, 'title': 'TimeWindow', 'type': 'object'}}, 'additionalProperties': False, 'description': 'A resubmit or resume request in requests.d/, dispatched once on merge.', 'properties': {'apiVersion': {'const': 'reconciler/v1', 'title': 'Apiversion', 'type': 'string'}, 'kind': {'const': 'ResubmitRequest', 'title': 'Kind', 'type': 'string'}, 'name': {'description': 'Unique forever.', 'maxLength': 200, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'reason': {'description': 'Shown in the audit log.', 'minLength': 1, 'title': 'Reason', 'type': 'string'}, 'action': {'enum': ['resubmit', 'resume'], 'title': 'Action', 'type': 'string'}, 'flows': {'items': {'type': 'string'}, 'minItems': 1, 'title': 'Flows', 'type': 'array'}, 'select': {'additionalProperties': False, 'description': 'All filters given AND together.', 'properties': {'status': {'items': {'anyOf': [{'type': 'string'}, {'type': 'integer'}]}, 'title': 'Status', 'type': 'array'}, 'executed': {'allOf': [{'$ref': '#/definitions/TimeWindow'}]}, 'chainIds': {'items': {'type': 'string'}, 'title': 'Chainids', 'type': 'array'}, 'runIds': {'items': {'type': 'string'}, 'title': 'Runids', 'type': 'array'}, 'workflows': {'items': {'type': 'string'}, 'title': 'Workflows', 'type': 'array'}, 'domain': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Domain'}, 'service': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Service'}, 'action': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Action'}, 'version': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Version'}, 'properties': {'type': 'array', 'items': {'$ref': 'https://flow-reconciler.dev/schemas/request.schema.json#/definitions/PropertyFilter'}, 'title': 'Properties'}, 'search': {'minLength': 1, 'type': 'string', 'title': 'Search'}, 'fromRequest': {'allOf': [{'$ref': '#/definitions/FromRequest'}]}}, 'title': 'Selection', 'type': 'object'}, 'limits': {'additionalProperties': False, 'properties': {'maxRuns': {'default': 10000, 'description': 'Refuse a larger selection.', 'minimum': 1, 'title': 'Maxruns', 'type': 'integer'}}, 'title': 'Limits', 'type': 'object'}, 'batchSize': {'maximum': 1000, 'minimum': 1, 'type': 'integer', 'title': 'Batchsize'}}, 'required': ['apiVersion', 'kind', 'name', 'reason', 'action', 'flows'], 'title': 'flow-reconciler ResubmitRequest', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['apiVersion', 'kind', 'name', 'reason', 'action', 'flows']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'https://flow-reconciler.dev/schemas/request.schema.json', 'definitions': {'FromRequest': {'additionalProperties': False, 'description': 'Runs with this outcome in an earlier request.', 'properties': {'name': {'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'outcome': {'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}}, 'required': ['name'], 'title': 'FromRequest', 'type': 'object'}, 'Limits': {'additionalProperties': False, 'properties': {'maxRuns': {'default': 10000, 'description': 'Refuse a larger selection.', 'minimum': 1, 'title': 'Maxruns', 'type': 'integer'}}, 'title': 'Limits', 'type': 'object'}, 'PropertyFilter': {'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, 'Selection': {'additionalProperties': False, 'description': 'All filters given AND together.', 'properties': {'status': {'items': {'anyOf': [{'type': 'string'}, {'type': 'integer'}]}, 'title': 'Status', 'type': 'array'}, 'executed': {'allOf': [{'additionalProperties': False, 'anyOf': [{'required': ['after']}, {'required': ['before']}], 'description': 'Half-open window after <= executionTime < before; absolute instants with a zone.', 'properties': {'after': {'format': 'date-time', 'type': 'string', 'title': 'After'}, 'before': {'format': 'date-time', 'type': 'string', 'title': 'Before'}}, 'title': 'TimeWindow', 'type': 'object'}]}, 'chainIds': {'items': {'type': 'string'}, 'title': 'Chainids', 'type': 'array'}, 'runIds': {'items': {'type': 'string'}, 'title': 'Runids', 'type': 'array'}, 'workflows': {'items': {'type': 'string'}, 'title': 'Workflows', 'type': 'array'}, 'domain': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Domain'}, 'service': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Service'}, 'action': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Action'}, 'version': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Version'}, 'properties': {'type': 'array', 'items': {'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, 'title': 'Properties'}, 'search': {'minLength': 1, 'type': 'string', 'title': 'Search'}, 'fromRequest': {'allOf': [{'additionalProperties': False, 'description': 'Runs with this outcome in an earlier request.', 'properties': {'name': {'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'outcome': {'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}}, 'required': ['name'], 'title': 'FromRequest', 'type': 'object'}]}}, 'title': 'Selection', 'type': 'object'}, 'TextMatch': {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}, 'TimeWindow': {'additionalProperties': False, 'anyOf': [{'required': ['after']}, {'required': ['before']}], 'description': 'Half-open window after <= executionTime < before; absolute instants with a zone.', 'properties': {'after': {'format': 'date-time', 'type': 'string', 'title': 'After'}, 'before': {'format': 'date-time', 'type': 'string', 'title': 'Before'}}, 'title': 'TimeWindow', 'type': 'object'}}, 'additionalProperties': False, 'description': 'A resubmit or resume request in requests.d/, dispatched once on merge.', 'properties': {'apiVersion': {'const': 'reconciler/v1', 'title': 'Apiversion', 'type': 'string'}, 'kind': {'const': 'ResubmitRequest', 'title': 'Kind', 'type': 'string'}, 'name': {'description': 'Unique forever.', 'maxLength': 200, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'reason': {'description': 'Shown in the audit log.', 'minLength': 1, 'title': 'Reason', 'type': 'string'}, 'action': {'enum': ['resubmit', 'resume'], 'title': 'Action', 'type': 'string'}, 'flows': {'items': {'type': 'string'}, 'minItems': 1, 'title': 'Flows', 'type': 'array'}, 'select': {'additionalProperties': False, 'description': 'All filters given AND together.', 'properties': {'status': {'items': {'anyOf': [{'type': 'string'}, {'type': 'integer'}]}, 'title': 'Status', 'type': 'array'}, 'executed': {'allOf': [{'$ref': '#/definitions/TimeWindow'}]}, 'chainIds': {'items': {'type': 'string'}, 'title': 'Chainids', 'type': 'array'}, 'runIds': {'items': {'type': 'string'}, 'title': 'Runids', 'type': 'array'}, 'workflows': {'items': {'type': 'string'}, 'title': 'Workflows', 'type': 'array'}, 'domain': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Domain'}, 'service': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Service'}, 'action': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Action'}, 'version': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Version'}, 'properties': {'type': 'array', 'items': {'$ref': 'https://flow-reconciler.dev/schemas/request.schema.json#/definitions/PropertyFilter'}, 'title': 'Properties'}, 'search': {'minLength': 1, 'type': 'string', 'title': 'Search'}, 'fromRequest': {'allOf': [{'$ref': '#/definitions/FromRequest'}]}}, 'title': 'Selection', 'type': 'object'}, 'limits': {'additionalProperties': False, 'properties': {'maxRuns': {'default': 10000, 'description': 'Refuse a larger selection.', 'minimum': 1, 'title': 'Maxruns', 'type': 'integer'}}, 'title': 'Limits', 'type': 'object'}, 'batchSize': {'maximum': 1000, 'minimum': 1, 'type': 'integer', 'title': 'Batchsize'}}, 'required': ['apiVersion', 'kind', 'name', 'reason', 'action', 'flows'], 'title': 'flow-reconciler ResubmitRequest', 'type': 'object'}, rule='required')
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
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".kind must be string", value=data__kind, name="" + (name_prefix or "data") + ".kind", definition={'const': 'ResubmitRequest', 'title': 'Kind', 'type': 'string'}, rule='type')
            if not (isinstance(data__kind, str) and data__kind == 'ResubmitRequest'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".kind must be same as const definition: ResubmitRequest", value=data__kind, name="" + (name_prefix or "data") + ".kind", definition={'const': 'ResubmitRequest', 'title': 'Kind', 'type': 'string'}, rule='const')
        if "name" in data_keys:
            data_keys.remove("name")
            data__name = data["name"]
            if not isinstance(data__name, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be string", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'description': 'Unique forever.', 'maxLength': 200, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, rule='type')
            if isinstance(data__name, str):
                data__name_len = len(data__name)
                if data__name_len > 200:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be shorter than or equal to 200 characters", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'description': 'Unique forever.', 'maxLength': 200, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, rule='maxLength')
                if not REGEX_PATTERNS['^[A-Za-z0-9][A-Za-z0-9._-]*$'].search(data__name):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must match pattern ^[A-Za-z0-9][A-Za-z0-9._-]*$", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'description': 'Unique forever.', 'maxLength': 200, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, rule='pattern')
        if "reason" in data_keys:
            data_keys.remove("reason")
            data__reason = data["reason"]
            if not isinstance(data__reason, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".reason must be string", value=data__reason, name="" + (name_prefix or "data") + ".reason", definition={'description': 'Shown in the audit log.', 'minLength': 1, 'title': 'Reason', 'type': 'string'}, rule='type')
            if isinstance(data__reason, str):
                data__reason_len = len(data__reason)
                if data__reason_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".reason must be longer than or equal to 1 characters", value=data__reason, name="" + (name_prefix or "data") + ".reason", definition={'description': 'Shown in the audit log.', 'minLength': 1, 'title': 'Reason', 'type': 'string'}, rule='minLength')
        if "action" in data_keys:
            data_keys.remove("action")
            data__action = data["action"]
            if not isinstance(data__action, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".action must be string", value=data__action, name="" + (name_prefix or "data") + ".action", definition={'enum': ['resubmit', 'resume'], 'title': 'Action', 'type': 'string'}, rule='type')
            if not (isinstance(data__action, str) and data__action == 'resubmit' or isinstance(data__action, str) and data__action == 'resume'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".action must be one of ['resubmit', 'resume']", value=data__action, name="" + (name_prefix or "data") + ".action", definition={'enum': ['resubmit', 'resume'], 'title': 'Action', 'type': 'string'}, rule='enum')
        if "flows" in data_keys:
            data_keys.remove("flows")
            data__flows = data["flows"]
            if not isinstance(data__flows, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".flows must be array", value=data__flows, name="" + (name_prefix or "data") + ".flows", definition={'items': {'type': 'string'}, 'minItems': 1, 'title': 'Flows', 'type': 'array'}, rule='type')
            data__flows_is_list = isinstance(data__flows, (list, tuple))
            if data__flows_is_list:
                data__flows_len = len(data__flows)
                if data__flows_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".flows must contain at least 1 items", value=data__flows, name="" + (name_prefix or "data") + ".flows", definition={'items': {'type': 'string'}, 'minItems': 1, 'title': 'Flows', 'type': 'array'}, rule='minItems')
                for data__flows_x, data__flows_item in enumerate(data__flows):
                    if not isinstance(data__flows_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".flows[{data__flows_x}]".format(**locals()) + " must be string", value=data__flows_item, name="" + (name_prefix or "data") + ".flows[{data__flows_x}]".format(**locals()) + "", definition={'type': 'string'}, rule='type')
        if "select" in data_keys:
            data_keys.remove("select")
            data__select = data["select"]
            validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_selection(data__select, custom_formats, (name_prefix or "data") + ".select")
        if "limits" in data_keys:
            data_keys.remove("limits")
            data__limits = data["limits"]
            validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_limits(data__limits, custom_formats, (name_prefix or "data") + ".limits")
        if "batchSize" in data_keys:
            data_keys.remove("batchSize")
            data__batchSize = data["batchSize"]
            if not isinstance(data__batchSize, (int)) and not (isinstance(data__batchSize, float) and data__batchSize.is_integer()) or isinstance(data__batchSize, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".batchSize must be integer", value=data__batchSize, name="" + (name_prefix or "data") + ".batchSize", definition={'maximum': 1000, 'minimum': 1, 'type': 'integer', 'title': 'Batchsize'}, rule='type')
            if isinstance(data__batchSize, (int, float, Decimal)) and not isinstance(data__batchSize, bool):
                if data__batchSize < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".batchSize must be bigger than or equal to 1", value=data__batchSize, name="" + (name_prefix or "data") + ".batchSize", definition={'maximum': 1000, 'minimum': 1, 'type': 'integer', 'title': 'Batchsize'}, rule='minimum')
                if data__batchSize > 1000:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".batchSize must be smaller than or equal to 1000", value=data__batchSize, name="" + (name_prefix or "data") + ".batchSize", definition={'maximum': 1000, 'minimum': 1, 'type': 'integer', 'title': 'Batchsize'}, rule='maximum')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'https://flow-reconciler.dev/schemas/request.schema.json', 'definitions': {'FromRequest': {'additionalProperties': False, 'description': 'Runs with this outcome in an earlier request.', 'properties': {'name': {'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'outcome': {'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}}, 'required': ['name'], 'title': 'FromRequest', 'type': 'object'}, 'Limits': {'additionalProperties': False, 'properties': {'maxRuns': {'default': 10000, 'description': 'Refuse a larger selection.', 'minimum': 1, 'title': 'Maxruns', 'type': 'integer'}}, 'title': 'Limits', 'type': 'object'}, 'PropertyFilter': {'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, 'Selection': {'additionalProperties': False, 'description': 'All filters given AND together.', 'properties': {'status': {'items': {'anyOf': [{'type': 'string'}, {'type': 'integer'}]}, 'title': 'Status', 'type': 'array'}, 'executed': {'allOf': [{'additionalProperties': False, 'anyOf': [{'required': ['after']}, {'required': ['before']}], 'description': 'Half-open window after <= executionTime < before; absolute instants with a zone.', 'properties': {'after': {'format': 'date-time', 'type': 'string', 'title': 'After'}, 'before': {'format': 'date-time', 'type': 'string', 'title': 'Before'}}, 'title': 'TimeWindow', 'type': 'object'}]}, 'chainIds': {'items': {'type': 'string'}, 'title': 'Chainids', 'type': 'array'}, 'runIds': {'items': {'type': 'string'}, 'title': 'Runids', 'type': 'array'}, 'workflows': {'items': {'type': 'string'}, 'title': 'Workflows', 'type': 'array'}, 'domain': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Domain'}, 'service': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Service'}, 'action': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Action'}, 'version': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Version'}, 'properties': {'type': 'array', 'items': {'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, 'title': 'Properties'}, 'search': {'minLength': 1, 'type': 'string', 'title': 'Search'}, 'fromRequest': {'allOf': [{'additionalProperties': False, 'description': 'Runs with this outcome in an earlier request.', 'properties': {'name': {'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'outcome': {'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}}, 'required': ['name'], 'title': 'FromRequest', 'type': 'object'}]}}, 'title': 'Selection', 'type': 'object'}, 'TextMatch': {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}, 'TimeWindow': {'additionalProperties': False, 'anyOf': [{'required': ['after']}, {'required': ['before']}], 'description': 'Half-open window after <= executionTime < before; absolute instants with a zone.', 'properties': {'after': {'format': 'date-time', 'type': 'string', 'title': 'After'}, 'before': {'format': 'date-time', 'type': 'string', 'title': 'Before'}}, 'title': 'TimeWindow', 'type': 'object'}}, 'additionalProperties': False, 'description': 'A resubmit or resume request in requests.d/, dispatched once on merge.', 'properties': {'apiVersion': {'const': 'reconciler/v1', 'title': 'Apiversion', 'type': 'string'}, 'kind': {'const': 'ResubmitRequest', 'title': 'Kind', 'type': 'string'}, 'name': {'description': 'Unique forever.', 'maxLength': 200, 'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'reason': {'description': 'Shown in the audit log.', 'minLength': 1, 'title': 'Reason', 'type': 'string'}, 'action': {'enum': ['resubmit', 'resume'], 'title': 'Action', 'type': 'string'}, 'flows': {'items': {'type': 'string'}, 'minItems': 1, 'title': 'Flows', 'type': 'array'}, 'select': {'additionalProperties': False, 'description': 'All filters given AND together.', 'properties': {'status': {'items': {'anyOf': [{'type': 'string'}, {'type': 'integer'}]}, 'title': 'Status', 'type': 'array'}, 'executed': {'allOf': [{'$ref': '#/definitions/TimeWindow'}]}, 'chainIds': {'items': {'type': 'string'}, 'title': 'Chainids', 'type': 'array'}, 'runIds': {'items': {'type': 'string'}, 'title': 'Runids', 'type': 'array'}, 'workflows': {'items': {'type': 'string'}, 'title': 'Workflows', 'type': 'array'}, 'domain': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Domain'}, 'service': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Service'}, 'action': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Action'}, 'version': {'anyOf': [{'type': 'string'}, {'$ref': '#/definitions/TextMatch'}], 'title': 'Version'}, 'properties': {'type': 'array', 'items': {'$ref': 'https://flow-reconciler.dev/schemas/request.schema.json#/definitions/PropertyFilter'}, 'title': 'Properties'}, 'search': {'minLength': 1, 'type': 'string', 'title': 'Search'}, 'fromRequest': {'allOf': [{'$ref': '#/definitions/FromRequest'}]}}, 'title': 'Selection', 'type': 'object'}, 'limits': {'additionalProperties': False, 'properties': {'maxRuns': {'default': 10000, 'description': 'Refuse a larger selection.', 'minimum': 1, 'title': 'Maxruns', 'type': 'integer'}}, 'title': 'Limits', 'type': 'object'}, 'batchSize': {'maximum': 1000, 'minimum': 1, 'type': 'integer', 'title': 'Batchsize'}}, 'required': ['apiVersion', 'kind', 'name', 'reason', 'action', 'flows'], 'title': 'flow-reconciler ResubmitRequest', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_limits(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'properties': {'maxRuns': {'default': 10000, 'description': 'Refuse a larger selection.', 'minimum': 1, 'title': 'Maxruns', 'type': 'integer'}}, 'title': 'Limits', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "maxRuns" in data_keys:
            data_keys.remove("maxRuns")
            data__maxRuns = data["maxRuns"]
            if not isinstance(data__maxRuns, (int)) and not (isinstance(data__maxRuns, float) and data__maxRuns.is_integer()) or isinstance(data__maxRuns, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".maxRuns must be integer", value=data__maxRuns, name="" + (name_prefix or "data") + ".maxRuns", definition={'default': 10000, 'description': 'Refuse a larger selection.', 'minimum': 1, 'title': 'Maxruns', 'type': 'integer'}, rule='type')
            if isinstance(data__maxRuns, (int, float, Decimal)) and not isinstance(data__maxRuns, bool):
                if data__maxRuns < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".maxRuns must be bigger than or equal to 1", value=data__maxRuns, name="" + (name_prefix or "data") + ".maxRuns", definition={'default': 10000, 'description': 'Refuse a larger selection.', 'minimum': 1, 'title': 'Maxruns', 'type': 'integer'}, rule='minimum')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'properties': {'maxRuns': {'default': 10000, 'description': 'Refuse a larger selection.', 'minimum': 1, 'title': 'Maxruns', 'type': 'integer'}}, 'title': 'Limits', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_selection(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'All filters given AND together.', 'properties': {'status': {'items': {'anyOf': [{'type': 'string'}, {'type': 'integer'}]}, 'title': 'Status', 'type': 'array'}, 'executed': {'allOf': [{'additionalProperties': False, 'anyOf': [{'required': ['after']}, {'required': ['before']}], 'description': 'Half-open window after <= executionTime < before; absolute instants with a zone.', 'properties': {'after': {'format': 'date-time', 'type': 'string', 'title': 'After'}, 'before': {'format': 'date-time', 'type': 'string', 'title': 'Before'}}, 'title': 'TimeWindow', 'type': 'object'}]}, 'chainIds': {'items': {'type': 'string'}, 'title': 'Chainids', 'type': 'array'}, 'runIds': {'items': {'type': 'string'}, 'title': 'Runids', 'type': 'array'}, 'workflows': {'items': {'type': 'string'}, 'title': 'Workflows', 'type': 'array'}, 'domain': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Domain'}, 'service': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Service'}, 'action': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Action'}, 'version': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Version'}, 'properties': {'type': 'array', 'items': {'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, 'title': 'Properties'}, 'search': {'minLength': 1, 'type': 'string', 'title': 'Search'}, 'fromRequest': {'allOf': [{'additionalProperties': False, 'description': 'Runs with this outcome in an earlier request.', 'properties': {'name': {'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'outcome': {'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}}, 'required': ['name'], 'title': 'FromRequest', 'type': 'object'}]}}, 'title': 'Selection', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "status" in data_keys:
            data_keys.remove("status")
            data__status = data["status"]
            if not isinstance(data__status, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".status must be array", value=data__status, name="" + (name_prefix or "data") + ".status", definition={'items': {'anyOf': [{'type': 'string'}, {'type': 'integer'}]}, 'title': 'Status', 'type': 'array'}, rule='type')
            data__status_is_list = isinstance(data__status, (list, tuple))
            if data__status_is_list:
                data__status_len = len(data__status)
                for data__status_x, data__status_item in enumerate(data__status):
                    data__status_item_any_of_count1 = 0
                    if not data__status_item_any_of_count1:
                        try:
                            if not isinstance(data__status_item, (str)):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".status[{data__status_x}]".format(**locals()) + " must be string", value=data__status_item, name="" + (name_prefix or "data") + ".status[{data__status_x}]".format(**locals()) + "", definition={'type': 'string'}, rule='type')
                            data__status_item_any_of_count1 += 1
                        except (JsonSchemaValueException, JsonSchemaValuesException): pass
                    if not data__status_item_any_of_count1:
                        try:
                            if not isinstance(data__status_item, (int)) and not (isinstance(data__status_item, float) and data__status_item.is_integer()) or isinstance(data__status_item, bool):
                                raise JsonSchemaValueException("" + (name_prefix or "data") + ".status[{data__status_x}]".format(**locals()) + " must be integer", value=data__status_item, name="" + (name_prefix or "data") + ".status[{data__status_x}]".format(**locals()) + "", definition={'type': 'integer'}, rule='type')
                            data__status_item_any_of_count1 += 1
                        except (JsonSchemaValueException, JsonSchemaValuesException): pass
                    if not data__status_item_any_of_count1:
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".status[{data__status_x}]".format(**locals()) + " cannot be validated by any definition", value=data__status_item, name="" + (name_prefix or "data") + ".status[{data__status_x}]".format(**locals()) + "", definition={'anyOf': [{'type': 'string'}, {'type': 'integer'}]}, rule='anyOf')
        if "executed" in data_keys:
            data_keys.remove("executed")
            data__executed = data["executed"]
            validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_timewindow(data__executed, custom_formats, (name_prefix or "data") + ".executed")
        if "chainIds" in data_keys:
            data_keys.remove("chainIds")
            data__chainIds = data["chainIds"]
            if not isinstance(data__chainIds, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".chainIds must be array", value=data__chainIds, name="" + (name_prefix or "data") + ".chainIds", definition={'items': {'type': 'string'}, 'title': 'Chainids', 'type': 'array'}, rule='type')
            data__chainIds_is_list = isinstance(data__chainIds, (list, tuple))
            if data__chainIds_is_list:
                data__chainIds_len = len(data__chainIds)
                for data__chainIds_x, data__chainIds_item in enumerate(data__chainIds):
                    if not isinstance(data__chainIds_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".chainIds[{data__chainIds_x}]".format(**locals()) + " must be string", value=data__chainIds_item, name="" + (name_prefix or "data") + ".chainIds[{data__chainIds_x}]".format(**locals()) + "", definition={'type': 'string'}, rule='type')
        if "runIds" in data_keys:
            data_keys.remove("runIds")
            data__runIds = data["runIds"]
            if not isinstance(data__runIds, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".runIds must be array", value=data__runIds, name="" + (name_prefix or "data") + ".runIds", definition={'items': {'type': 'string'}, 'title': 'Runids', 'type': 'array'}, rule='type')
            data__runIds_is_list = isinstance(data__runIds, (list, tuple))
            if data__runIds_is_list:
                data__runIds_len = len(data__runIds)
                for data__runIds_x, data__runIds_item in enumerate(data__runIds):
                    if not isinstance(data__runIds_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".runIds[{data__runIds_x}]".format(**locals()) + " must be string", value=data__runIds_item, name="" + (name_prefix or "data") + ".runIds[{data__runIds_x}]".format(**locals()) + "", definition={'type': 'string'}, rule='type')
        if "workflows" in data_keys:
            data_keys.remove("workflows")
            data__workflows = data["workflows"]
            if not isinstance(data__workflows, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".workflows must be array", value=data__workflows, name="" + (name_prefix or "data") + ".workflows", definition={'items': {'type': 'string'}, 'title': 'Workflows', 'type': 'array'}, rule='type')
            data__workflows_is_list = isinstance(data__workflows, (list, tuple))
            if data__workflows_is_list:
                data__workflows_len = len(data__workflows)
                for data__workflows_x, data__workflows_item in enumerate(data__workflows):
                    if not isinstance(data__workflows_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".workflows[{data__workflows_x}]".format(**locals()) + " must be string", value=data__workflows_item, name="" + (name_prefix or "data") + ".workflows[{data__workflows_x}]".format(**locals()) + "", definition={'type': 'string'}, rule='type')
        if "domain" in data_keys:
            data_keys.remove("domain")
            data__domain = data["domain"]
            data__domain_any_of_count2 = 0
            if not data__domain_any_of_count2:
                try:
                    if not isinstance(data__domain, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".domain must be string", value=data__domain, name="" + (name_prefix or "data") + ".domain", definition={'type': 'string'}, rule='type')
                    data__domain_any_of_count2 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__domain_any_of_count2:
                try:
                    validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_textmatch(data__domain, custom_formats, (name_prefix or "data") + ".domain")
                    data__domain_any_of_count2 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__domain_any_of_count2:
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".domain cannot be validated by any definition", value=data__domain, name="" + (name_prefix or "data") + ".domain", definition={'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Domain'}, rule='anyOf')
        if "service" in data_keys:
            data_keys.remove("service")
            data__service = data["service"]
            data__service_any_of_count3 = 0
            if not data__service_any_of_count3:
                try:
                    if not isinstance(data__service, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".service must be string", value=data__service, name="" + (name_prefix or "data") + ".service", definition={'type': 'string'}, rule='type')
                    data__service_any_of_count3 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__service_any_of_count3:
                try:
                    validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_textmatch(data__service, custom_formats, (name_prefix or "data") + ".service")
                    data__service_any_of_count3 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__service_any_of_count3:
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".service cannot be validated by any definition", value=data__service, name="" + (name_prefix or "data") + ".service", definition={'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Service'}, rule='anyOf')
        if "action" in data_keys:
            data_keys.remove("action")
            data__action = data["action"]
            data__action_any_of_count4 = 0
            if not data__action_any_of_count4:
                try:
                    if not isinstance(data__action, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".action must be string", value=data__action, name="" + (name_prefix or "data") + ".action", definition={'type': 'string'}, rule='type')
                    data__action_any_of_count4 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__action_any_of_count4:
                try:
                    validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_textmatch(data__action, custom_formats, (name_prefix or "data") + ".action")
                    data__action_any_of_count4 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__action_any_of_count4:
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".action cannot be validated by any definition", value=data__action, name="" + (name_prefix or "data") + ".action", definition={'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Action'}, rule='anyOf')
        if "version" in data_keys:
            data_keys.remove("version")
            data__version = data["version"]
            data__version_any_of_count5 = 0
            if not data__version_any_of_count5:
                try:
                    if not isinstance(data__version, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".version must be string", value=data__version, name="" + (name_prefix or "data") + ".version", definition={'type': 'string'}, rule='type')
                    data__version_any_of_count5 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__version_any_of_count5:
                try:
                    validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_textmatch(data__version, custom_formats, (name_prefix or "data") + ".version")
                    data__version_any_of_count5 += 1
                except (JsonSchemaValueException, JsonSchemaValuesException): pass
            if not data__version_any_of_count5:
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".version cannot be validated by any definition", value=data__version, name="" + (name_prefix or "data") + ".version", definition={'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Version'}, rule='anyOf')
        if "properties" in data_keys:
            data_keys.remove("properties")
            data__properties = data["properties"]
            if not isinstance(data__properties, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".properties must be array", value=data__properties, name="" + (name_prefix or "data") + ".properties", definition={'type': 'array', 'items': {'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, 'title': 'Properties'}, rule='type')
            data__properties_is_list = isinstance(data__properties, (list, tuple))
            if data__properties_is_list:
                data__properties_len = len(data__properties)
                for data__properties_x, data__properties_item in enumerate(data__properties):
                    validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_propertyfilter(data__properties_item, custom_formats, (name_prefix or "data") + ".properties[{data__properties_x}]".format(**locals()))
        if "search" in data_keys:
            data_keys.remove("search")
            data__search = data["search"]
            if not isinstance(data__search, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".search must be string", value=data__search, name="" + (name_prefix or "data") + ".search", definition={'minLength': 1, 'type': 'string', 'title': 'Search'}, rule='type')
            if isinstance(data__search, str):
                data__search_len = len(data__search)
                if data__search_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".search must be longer than or equal to 1 characters", value=data__search, name="" + (name_prefix or "data") + ".search", definition={'minLength': 1, 'type': 'string', 'title': 'Search'}, rule='minLength')
        if "fromRequest" in data_keys:
            data_keys.remove("fromRequest")
            data__fromRequest = data["fromRequest"]
            validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_fromrequest(data__fromRequest, custom_formats, (name_prefix or "data") + ".fromRequest")
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'All filters given AND together.', 'properties': {'status': {'items': {'anyOf': [{'type': 'string'}, {'type': 'integer'}]}, 'title': 'Status', 'type': 'array'}, 'executed': {'allOf': [{'additionalProperties': False, 'anyOf': [{'required': ['after']}, {'required': ['before']}], 'description': 'Half-open window after <= executionTime < before; absolute instants with a zone.', 'properties': {'after': {'format': 'date-time', 'type': 'string', 'title': 'After'}, 'before': {'format': 'date-time', 'type': 'string', 'title': 'Before'}}, 'title': 'TimeWindow', 'type': 'object'}]}, 'chainIds': {'items': {'type': 'string'}, 'title': 'Chainids', 'type': 'array'}, 'runIds': {'items': {'type': 'string'}, 'title': 'Runids', 'type': 'array'}, 'workflows': {'items': {'type': 'string'}, 'title': 'Workflows', 'type': 'array'}, 'domain': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Domain'}, 'service': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Service'}, 'action': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Action'}, 'version': {'anyOf': [{'type': 'string'}, {'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}], 'title': 'Version'}, 'properties': {'type': 'array', 'items': {'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, 'title': 'Properties'}, 'search': {'minLength': 1, 'type': 'string', 'title': 'Search'}, 'fromRequest': {'allOf': [{'additionalProperties': False, 'description': 'Runs with this outcome in an earlier request.', 'properties': {'name': {'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'outcome': {'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}}, 'required': ['name'], 'title': 'FromRequest', 'type': 'object'}]}}, 'title': 'Selection', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_fromrequest(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'Runs with this outcome in an earlier request.', 'properties': {'name': {'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'outcome': {'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}}, 'required': ['name'], 'title': 'FromRequest', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['name']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'Runs with this outcome in an earlier request.', 'properties': {'name': {'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'outcome': {'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}}, 'required': ['name'], 'title': 'FromRequest', 'type': 'object'}, rule='required')
        data_keys = set(data.keys())
        if "name" in data_keys:
            data_keys.remove("name")
            data__name = data["name"]
            if not isinstance(data__name, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be string", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, rule='type')
            if isinstance(data__name, str):
                if not REGEX_PATTERNS['^[A-Za-z0-9][A-Za-z0-9._-]*$'].search(data__name):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must match pattern ^[A-Za-z0-9][A-Za-z0-9._-]*$", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, rule='pattern')
        if "outcome" in data_keys:
            data_keys.remove("outcome")
            data__outcome = data["outcome"]
            if not isinstance(data__outcome, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".outcome must be string", value=data__outcome, name="" + (name_prefix or "data") + ".outcome", definition={'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}, rule='type')
            if not (isinstance(data__outcome, str) and data__outcome == 'failed' or isinstance(data__outcome, str) and data__outcome == 'delivered' or isinstance(data__outcome, str) and data__outcome == 'any'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".outcome must be one of ['failed', 'delivered', 'any']", value=data__outcome, name="" + (name_prefix or "data") + ".outcome", definition={'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}, rule='enum')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'Runs with this outcome in an earlier request.', 'properties': {'name': {'pattern': '^[A-Za-z0-9][A-Za-z0-9._-]*$', 'title': 'Name', 'type': 'string'}, 'outcome': {'default': 'failed', 'enum': ['failed', 'delivered', 'any'], 'title': 'Outcome', 'type': 'string'}}, 'required': ['name'], 'title': 'FromRequest', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_propertyfilter(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['name', 'value']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, rule='required')
        data_keys = set(data.keys())
        if "name" in data_keys:
            data_keys.remove("name")
            data__name = data["name"]
            if not isinstance(data__name, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be string", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'minLength': 1, 'title': 'Name', 'type': 'string'}, rule='type')
            if isinstance(data__name, str):
                data__name_len = len(data__name)
                if data__name_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be longer than or equal to 1 characters", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'minLength': 1, 'title': 'Name', 'type': 'string'}, rule='minLength')
        if "op" in data_keys:
            data_keys.remove("op")
            data__op = data["op"]
            if not isinstance(data__op, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".op must be string", value=data__op, name="" + (name_prefix or "data") + ".op", definition={'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, rule='type')
            if not (isinstance(data__op, str) and data__op == 'equals' or isinstance(data__op, str) and data__op == 'notEquals' or isinstance(data__op, str) and data__op == 'startsWith' or isinstance(data__op, str) and data__op == 'endsWith' or isinstance(data__op, str) and data__op == 'contains' or isinstance(data__op, str) and data__op == 'regex'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".op must be one of ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex']", value=data__op, name="" + (name_prefix or "data") + ".op", definition={'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, rule='enum')
        if "value" in data_keys:
            data_keys.remove("value")
            data__value = data["value"]
            if not isinstance(data__value, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".value must be string", value=data__value, name="" + (name_prefix or "data") + ".value", definition={'title': 'Value', 'type': 'string'}, rule='type')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}, 'op': {'default': 'equals', 'enum': ['equals', 'notEquals', 'startsWith', 'endsWith', 'contains', 'regex'], 'title': 'Op', 'type': 'string'}, 'value': {'title': 'Value', 'type': 'string'}}, 'required': ['name', 'value'], 'title': 'PropertyFilter', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_textmatch(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['contains']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}, rule='required')
        data_keys = set(data.keys())
        if "contains" in data_keys:
            data_keys.remove("contains")
            data__contains = data["contains"]
            if not isinstance(data__contains, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".contains must be string", value=data__contains, name="" + (name_prefix or "data") + ".contains", definition={'minLength': 1, 'title': 'Contains', 'type': 'string'}, rule='type')
            if isinstance(data__contains, str):
                data__contains_len = len(data__contains)
                if data__contains_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".contains must be longer than or equal to 1 characters", value=data__contains, name="" + (name_prefix or "data") + ".contains", definition={'minLength': 1, 'title': 'Contains', 'type': 'string'}, rule='minLength')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'Substring match (case-sensitive).', 'properties': {'contains': {'minLength': 1, 'title': 'Contains', 'type': 'string'}}, 'required': ['contains'], 'title': 'TextMatch', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_request_schema_json__definitions_timewindow(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'anyOf': [{'required': ['after']}, {'required': ['before']}], 'description': 'Half-open window after <= executionTime < before; absolute instants with a zone.', 'properties': {'after': {'format': 'date-time', 'type': 'string', 'title': 'After'}, 'before': {'format': 'date-time', 'type': 'string', 'title': 'Before'}}, 'title': 'TimeWindow', 'type': 'object'}, rule='type')
    data_any_of_count6 = 0
    if not data_any_of_count6:
        try:
            data_is_dict = isinstance(data, dict)
            if data_is_dict:
                data__missing_keys = set(['after']) - data.keys()
                if data__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'required': ['after']}, rule='required')
            data_any_of_count6 += 1
        except (JsonSchemaValueException, JsonSchemaValuesException): pass
    if not data_any_of_count6:
        try:
            data_is_dict = isinstance(data, dict)
            if data_is_dict:
                data__missing_keys = set(['before']) - data.keys()
                if data__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'required': ['before']}, rule='required')
            data_any_of_count6 += 1
        except (JsonSchemaValueException, JsonSchemaValuesException): pass
    if not data_any_of_count6:
        raise JsonSchemaValueException("" + (name_prefix or "data") + " cannot be validated by any definition", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'anyOf': [{'required': ['after']}, {'required': ['before']}], 'description': 'Half-open window after <= executionTime < before; absolute instants with a zone.', 'properties': {'after': {'format': 'date-time', 'type': 'string', 'title': 'After'}, 'before': {'format': 'date-time', 'type': 'string', 'title': 'Before'}}, 'title': 'TimeWindow', 'type': 'object'}, rule='anyOf')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "after" in data_keys:
            data_keys.remove("after")
            data__after = data["after"]
            if not isinstance(data__after, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".after must be string", value=data__after, name="" + (name_prefix or "data") + ".after", definition={'format': 'date-time', 'type': 'string', 'title': 'After'}, rule='type')
            if isinstance(data__after, str):
                if not custom_formats["date-time"](data__after):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".after must be date-time", value=data__after, name="" + (name_prefix or "data") + ".after", definition={'format': 'date-time', 'type': 'string', 'title': 'After'}, rule='format')
        if "before" in data_keys:
            data_keys.remove("before")
            data__before = data["before"]
            if not isinstance(data__before, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".before must be string", value=data__before, name="" + (name_prefix or "data") + ".before", definition={'format': 'date-time', 'type': 'string', 'title': 'Before'}, rule='type')
            if isinstance(data__before, str):
                if not custom_formats["date-time"](data__before):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".before must be date-time", value=data__before, name="" + (name_prefix or "data") + ".before", definition={'format': 'date-time', 'type': 'string', 'title': 'Before'}, rule='format')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'anyOf': [{'required': ['after']}, {'required': ['before']}], 'description': 'Half-open window after <= executionTime < before; absolute instants with a zone.', 'properties': {'after': {'format': 'date-time', 'type': 'string', 'title': 'After'}, 'before': {'format': 'date-time', 'type': 'string', 'title': 'Before'}}, 'title': 'TimeWindow', 'type': 'object'}, rule='additionalProperties')
    return data


validate = validate_https___flow_reconciler_dev_schemas_request_schema_json
