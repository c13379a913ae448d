# Generated from flow.schema.json by `python -m reconciler.schemas`: do not edit.
# Call validate(data, custom_formats=reconciler.core.schema.FAST_FORMATS).
# mypy: ignore-errors
VERSION = "2.22.3"
from decimal import Decimal
import re
from fastjsonschema import JsonSchemaValueException, JsonSchemaValuesException


REGEX_PATTERNS = {
    '^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)$': re.compile('^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)\\Z'),
    '^[A-Za-z_][A-Za-z0-9_]*$': re.compile('^[A-Za-z_][A-Za-z0-9_]*\\Z'),
    '^https://': re.compile('^https://')
}

NoneType = type(None)

def validate_https___flow_reconciler_dev_schemas_flow_schema_json(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'https://flow-reconciler.dev/schemas/flow.schema.json', 'definitions': {'Dispatch': {'additionalProperties': False, 'description': 'Per-flow delivery settings.', 'properties': {'batchSize': {'default': 50, 'description': 'Runs per POST body.', 'maximum': 1000, 'minimum': 1, 'title': 'Batchsize', 'type': 'integer'}, 'concurrency': {'default': 4, 'description': 'Requests in flight.', 'maximum': 64, 'minimum': 1, 'title': 'Concurrency', 'type': 'integer'}, 'timeoutSeconds': {'default': 30, 'exclusiveMinimum': 0, 'maximum': 600, 'title': 'Timeoutseconds', 'type': 'number'}, 'maxAttempts': {'default': 5, 'maximum': 50, 'minimum': 1, 'title': 'Maxattempts', 'type': 'integer'}, 'signingSecretFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Standard Webhooks signing secret: whsec_ then base64, padded or not.'}}, 'title': 'Dispatch', 'type': 'object'}, 'Display': {'additionalProperties': False, 'description': 'Invictus advanced settings.', 'properties': {'milestones': {'default': False, 'title': 'Milestones', 'type': 'boolean'}, 'eventText': {'default': False, 'title': 'Eventtext', 'type': 'boolean'}, 'resubmitResume': {'default': False, 'title': 'Resubmitresume', 'type': 'boolean'}}, 'title': 'Display', 'type': 'object'}, 'Endpoint': {'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'$ref': '#/definitions/EnvRef'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}, 'EnvRef': {'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}, 'Header': {'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, 'Mapping': {'additionalProperties': False, 'anyOf': [{'required': ['workflowName']}, {'required': ['domain']}, {'required': ['service']}, {'required': ['action']}, {'required': ['version']}], 'description': 'Which workflow runs belong to the flow; every key given must match.', 'properties': {'workflowName': {'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, 'domain': {'minLength': 1, 'type': 'string', 'title': 'Domain'}, 'service': {'minLength': 1, 'type': 'string', 'title': 'Service'}, 'action': {'minLength': 1, 'type': 'string', 'title': 'Action'}, 'version': {'minLength': 1, 'type': 'string', 'title': 'Version'}}, 'title': 'Mapping', 'type': 'object'}, 'PropertyDef': {'additionalProperties': False, 'description': 'A business property shown with runs.', 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}}, 'required': ['name'], 'title': 'PropertyDef', 'type': 'object'}}, 'additionalProperties': False, 'description': 'A flow definition in flows.d/: mappings, custom resubmit/resume endpoints, dispatch.', 'properties': {'apiVersion': {'const': 'reconciler/v1', 'title': 'Apiversion', 'type': 'string'}, 'kind': {'const': 'Flow', 'title': 'Kind', 'type': 'string'}, 'name': {'description': 'Unique, case-sensitive.', 'maxLength': 200, 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'description': {'type': 'string', 'title': 'Description'}, 'mappings': {'items': {'additionalProperties': False, 'anyOf': [{'required': ['workflowName']}, {'required': ['domain']}, {'required': ['service']}, {'required': ['action']}, {'required': ['version']}], 'description': 'Which workflow runs belong to the flow; every key given must match.', 'properties': {'workflowName': {'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, 'domain': {'minLength': 1, 'type': 'string', 'title': 'Domain'}, 'service': {'minLength': 1, 'type': 'string', 'title': 'Service'}, 'action': {'minLength': 1, 'type': 'string', 'title': 'Action'}, 'version': {'minLength': 1, 'type': 'string', 'title': 'Version'}}, 'title': 'Mapping', 'type': 'object'}, 'minItems': 1, 'title': 'Mappings', 'type': 'array'}, 'properties': {'type': 'array', 'items': {'additionalProperties': False, 'description': 'A business property shown with runs.', 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}}, 'required': ['name'], 'title': 'PropertyDef', 'type': 'object'}, 'title': 'Properties'}, 'display': {'allOf': [{'additionalProperties': False, 'description': 'Invictus advanced settings.', 'properties': {'milestones': {'default': False, 'title': 'Milestones', 'type': 'boolean'}, 'eventText': {'default': False, 'title': 'Eventtext', 'type': 'boolean'}, 'resubmitResume': {'default': False, 'title': 'Resubmitresume', 'type': 'boolean'}}, 'title': 'Display', 'type': 'object'}]}, 'resubmit': {'allOf': [{'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'$ref': 'https://flow-reconciler.dev/schemas/flow.schema.json#/definitions/Header'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}], 'description': 'Present = custom resubmit.'}, 'resume': {'allOf': [{'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'$ref': 'https://flow-reconciler.dev/schemas/flow.schema.json#/definitions/Header'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}], 'description': 'Present = custom resume.'}, 'dispatch': {'additionalProperties': False, 'description': 'Per-flow delivery settings.', 'properties': {'batchSize': {'default': 50, 'description': 'Runs per POST body.', 'maximum': 1000, 'minimum': 1, 'title': 'Batchsize', 'type': 'integer'}, 'concurrency': {'default': 4, 'description': 'Requests in flight.', 'maximum': 64, 'minimum': 1, 'title': 'Concurrency', 'type': 'integer'}, 'timeoutSeconds': {'default': 30, 'exclusiveMinimum': 0, 'maximum': 600, 'title': 'Timeoutseconds', 'type': 'number'}, 'maxAttempts': {'default': 5, 'maximum': 50, 'minimum': 1, 'title': 'Maxattempts', 'type': 'integer'}, 'signingSecretFrom': {'allOf': [{'$ref': '#/definitions/EnvRef'}], 'description': 'Standard Webhooks signing secret: whsec_ then base64, padded or not.'}}, 'title': 'Dispatch', 'type': 'object'}, 'owners': {'description': 'CODEOWNERS entries (@user, @org/team or e-mail) for this file and its folder.', 'items': {'pattern': '^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)$', 'type': 'string'}, 'title': 'Owners', 'type': 'array'}}, 'required': ['apiVersion', 'kind', 'name', 'mappings'], 'title': 'flow-reconciler Flow', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['apiVersion', 'kind', 'name', 'mappings']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'https://flow-reconciler.dev/schemas/flow.schema.json', 'definitions': {'Dispatch': {'additionalProperties': False, 'description': 'Per-flow delivery settings.', 'properties': {'batchSize': {'default': 50, 'description': 'Runs per POST body.', 'maximum': 1000, 'minimum': 1, 'title': 'Batchsize', 'type': 'integer'}, 'concurrency': {'default': 4, 'description': 'Requests in flight.', 'maximum': 64, 'minimum': 1, 'title': 'Concurrency', 'type': 'integer'}, 'timeoutSeconds': {'default': 30, 'exclusiveMinimum': 0, 'maximum': 600, 'title': 'Timeoutseconds', 'type': 'number'}, 'maxAttempts': {'default': 5, 'maximum': 50, 'minimum': 1, 'title': 'Maxattempts', 'type': 'integer'}, 'signingSecretFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Standard Webhooks signing secret: whsec_ then base64, padded or not.'}}, 'title': 'Dispatch', 'type': 'object'}, 'Display': {'additionalProperties': False, 'description': 'Invictus advanced settings.', 'properties': {'milestones': {'default': False, 'title': 'Milestones', 'type': 'boolean'}, 'eventText': {'default': False, 'title': 'Eventtext', 'type': 'boolean'}, 'resubmitResume': {'default': False, 'title': 'Resubmitresume', 'type': 'boolean'}}, 'title': 'Display', 'type': 'object'}, 'Endpoint': {'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'$ref': '#/definitions/EnvRef'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}, 'EnvRef': {'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}, 'Header': {'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, 'Mapping': {'additionalProperties': False, 'anyOf': [{'required': ['workflowName']}, {'required': ['domain']}, {'required': ['service']}, {'required': ['action']}, {'required': ['version']}], 'description': 'Which workflow runs belong to the flow; every key given must match.', 'properties': {'workflowName': {'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, 'domain': {'minLength': 1, 'type': 'string', 'title': 'Domain'}, 'service': {'minLength': 1, 'type': 'string', 'title': 'Service'}, 'action': {'minLength': 1, 'type': 'string', 'title': 'Action'}, 'version': {'minLength': 1, 'type': 'string', 'title': 'Version'}}, 'title': 'Mapping', 'type': 'object'}, 'PropertyDef': {'additionalProperties': False, 'description': 'A business property shown with runs.', 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}}, 'required': ['name'], 'title': 'PropertyDef', 'type': 'object'}}, 'additionalProperties': False, 'description': 'A flow definition in flows.d/: mappings, custom resubmit/resume endpoints, dispatch.', 'properties': {'apiVersion': {'const': 'reconciler/v1', 'title': 'Apiversion', 'type': 'string'}, 'kind': {'const': 'Flow', 'title': 'Kind', 'type': 'string'}, 'name': {'description': 'Unique, case-sensitive.', 'maxLength': 200, 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'description': {'type': 'string', 'title': 'Description'}, 'mappings': {'items': {'additionalProperties': False, 'anyOf': [{'required': ['workflowName']}, {'required': ['domain']}, {'required': ['service']}, {'required': ['action']}, {'required': ['version']}], 'description': 'Which workflow runs belong to the flow; every key given must match.', 'properties': {'workflowName': {'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, 'domain': {'minLength': 1, 'type': 'string', 'title': 'Domain'}, 'service': {'minLength': 1, 'type': 'string', 'title': 'Service'}, 'action': {'minLength': 1, 'type': 'string', 'title': 'Action'}, 'version': {'minLength': 1, 'type': 'string', 'title': 'Version'}}, 'title': 'Mapping', 'type': 'object'}, 'minItems': 1, 'title': 'Mappings', 'type': 'array'}, 'properties': {'type': 'array', 'items': {'additionalProperties': False, 'description': 'A business property shown with runs.', 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}}, 'required': ['name'], 'title': 'PropertyDef', 'type': 'object'}, 'title': 'Properties'}, 'display': {'allOf': [{'additionalProperties': False, 'description': 'Invictus advanced settings.', 'properties': {'milestones': {'default': False, 'title': 'Milestones', 'type': 'boolean'}, 'eventText': {'default': False, 'title': 'Eventtext', 'type': 'boolean'}, 'resubmitResume': {'default': False, 'title': 'Resubmitresume', 'type': 'boolean'}}, 'title': 'Display', 'type': 'object'}]}, 'resubmit': {'allOf': [{'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'$ref': 'https://flow-reconciler.dev/schemas/flow.schema.json#/definitions/Header'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}], 'description': 'Present = custom resubmit.'}, 'resume': {'allOf': [{'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'$ref': 'https://flow-reconciler.dev/schemas/flow.schema.json#/definitions/Header'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}], 'description': 'Present = custom resume.'}, 'dispatch': {'additionalProperties': False, 'description': 'Per-flow delivery settings.', 'properties': {'batchSize': {'default': 50, 'description': 'Runs per POST body.', 'maximum': 1000, 'minimum': 1, 'title': 'Batchsize', 'type': 'integer'}, 'concurrency': {'default': 4, 'description': 'Requests in flight.', 'maximum': 64, 'minimum': 1, 'title': 'Concurrency', 'type': 'integer'}, 'timeoutSeconds': {'default': 30, 'exclusiveMinimum': 0, 'maximum': 600, 'title': 'Timeoutseconds', 'type': 'number'}, 'maxAttempts': {'default': 5, 'maximum': 50, 'minimum': 1, 'title': 'Maxattempts', 'type': 'integer'}, 'signingSecretFrom': {'allOf': [{'$ref': '#/definitions/EnvRef'}], 'description': 'Standard Webhooks signing secret: whsec_ then base64, padded or not.'}}, 'title': 'Dispatch', 'type': 'object'}, 'owners': {'description': 'CODEOWNERS entries (@user, @org/team or e-mail) for this file and its folder.', 'items': {'pattern': '^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)$', 'type': 'string'}, 'title': 'Owners', 'type': 'array'}}, 'required': ['apiVersion', 'kind', 'name', 'mappings'], 'title': 'flow-reconciler Flow', 'type': 'object'}, rule='required')
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
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".kind must be string", value=data__kind, name="" + (name_prefix or "data") + ".kind", definition={'const': 'Flow', 'title': 'Kind', 'type': 'string'}, rule='type')
            if not (isinstance(data__kind, str) and data__kind == 'Flow'):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".kind must be same as const definition: Flow", value=data__kind, name="" + (name_prefix or "data") + ".kind", definition={'const': 'Flow', 'title': 'Kind', 'type': 'string'}, rule='const')
        if "name" in data_keys:
            data_keys.remove("name")
            data__name = data["name"]
            if not isinstance(data__name, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be string", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'description': 'Unique, case-sensitive.', 'maxLength': 200, 'minLength': 1, 'title': 'Name', 'type': 'string'}, rule='type')
            if isinstance(data__name, str):
                data__name_len = len(data__name)
                if data__name_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be longer than or equal to 1 characters", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'description': 'Unique, case-sensitive.', 'maxLength': 200, 'minLength': 1, 'title': 'Name', 'type': 'string'}, rule='minLength')
                if data__name_len > 200:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be shorter than or equal to 200 characters", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'description': 'Unique, case-sensitive.', 'maxLength': 200, 'minLength': 1, 'title': 'Name', 'type': 'string'}, rule='maxLength')
        if "description" in data_keys:
            data_keys.remove("description")
            data__description = data["description"]
            if not isinstance(data__description, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".description must be string", value=data__description, name="" + (name_prefix or "data") + ".description", definition={'type': 'string', 'title': 'Description'}, rule='type')
        if "mappings" in data_keys:
            data_keys.remove("mappings")
            data__mappings = data["mappings"]
            if not isinstance(data__mappings, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".mappings must be array", value=data__mappings, name="" + (name_prefix or "data") + ".mappings", definition={'items': {'additionalProperties': False, 'anyOf': [{'required': ['workflowName']}, {'required': ['domain']}, {'required': ['service']}, {'required': ['action']}, {'required': ['version']}], 'description': 'Which workflow runs belong to the flow; every key given must match.', 'properties': {'workflowName': {'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, 'domain': {'minLength': 1, 'type': 'string', 'title': 'Domain'}, 'service': {'minLength': 1, 'type': 'string', 'title': 'Service'}, 'action': {'minLength': 1, 'type': 'string', 'title': 'Action'}, 'version': {'minLength': 1, 'type': 'string', 'title': 'Version'}}, 'title': 'Mapping', 'type': 'object'}, 'minItems': 1, 'title': 'Mappings', 'type': 'array'}, rule='type')
            data__mappings_is_list = isinstance(data__mappings, (list, tuple))
            if data__mappings_is_list:
                data__mappings_len = len(data__mappings)
                if data__mappings_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".mappings must contain at least 1 items", value=data__mappings, name="" + (name_prefix or "data") + ".mappings", definition={'items': {'additionalProperties': False, 'anyOf': [{'required': ['workflowName']}, {'required': ['domain']}, {'required': ['service']}, {'required': ['action']}, {'required': ['version']}], 'description': 'Which workflow runs belong to the flow; every key given must match.', 'properties': {'workflowName': {'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, 'domain': {'minLength': 1, 'type': 'string', 'title': 'Domain'}, 'service': {'minLength': 1, 'type': 'string', 'title': 'Service'}, 'action': {'minLength': 1, 'type': 'string', 'title': 'Action'}, 'version': {'minLength': 1, 'type': 'string', 'title': 'Version'}}, 'title': 'Mapping', 'type': 'object'}, 'minItems': 1, 'title': 'Mappings', 'type': 'array'}, rule='minItems')
                for data__mappings_x, data__mappings_item in enumerate(data__mappings):
                    validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_mapping(data__mappings_item, custom_formats, (name_prefix or "data") + ".mappings[{data__mappings_x}]".format(**locals()))
        if "properties" in data_keys:
            data_keys.remove("properties")
            data__properties = data["properties"]
            if not isinstance(data__properties, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".properties must be array", value=data__properties, name="" + (name_prefix or "data") + ".properties", definition={'type': 'array', 'items': {'additionalProperties': False, 'description': 'A business property shown with runs.', 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}}, 'required': ['name'], 'title': 'PropertyDef', 'type': 'object'}, 'title': 'Properties'}, rule='type')
            data__properties_is_list = isinstance(data__properties, (list, tuple))
            if data__properties_is_list:
                data__properties_len = len(data__properties)
                for data__properties_x, data__properties_item in enumerate(data__properties):
                    validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_propertydef(data__properties_item, custom_formats, (name_prefix or "data") + ".properties[{data__properties_x}]".format(**locals()))
        if "display" in data_keys:
            data_keys.remove("display")
            data__display = data["display"]
            validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_display(data__display, custom_formats, (name_prefix or "data") + ".display")
        if "resubmit" in data_keys:
            data_keys.remove("resubmit")
            data__resubmit = data["resubmit"]
            validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_endpoint(data__resubmit, custom_formats, (name_prefix or "data") + ".resubmit")
        if "resume" in data_keys:
            data_keys.remove("resume")
            data__resume = data["resume"]
            validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_endpoint(data__resume, custom_formats, (name_prefix or "data") + ".resume")
        if "dispatch" in data_keys:
            data_keys.remove("dispatch")
            data__dispatch = data["dispatch"]
            validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_dispatch(data__dispatch, custom_formats, (name_prefix or "data") + ".dispatch")
        if "owners" in data_keys:
            data_keys.remove("owners")
            data__owners = data["owners"]
            if not isinstance(data__owners, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".owners must be array", value=data__owners, name="" + (name_prefix or "data") + ".owners", definition={'description': 'CODEOWNERS entries (@user, @org/team or e-mail) for this file and its folder.', 'items': {'pattern': '^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)$', 'type': 'string'}, 'title': 'Owners', 'type': 'array'}, rule='type')
            data__owners_is_list = isinstance(data__owners, (list, tuple))
            if data__owners_is_list:
                data__owners_len = len(data__owners)
                for data__owners_x, data__owners_item in enumerate(data__owners):
                    if not isinstance(data__owners_item, (str)):
                        raise JsonSchemaValueException("" + (name_prefix or "data") + ".owners[{data__owners_x}]".format(**locals()) + " must be string", value=data__owners_item, name="" + (name_prefix or "data") + ".owners[{data__owners_x}]".format(**locals()) + "", definition={'pattern': '^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)$', 'type': 'string'}, rule='type')
                    if isinstance(data__owners_item, str):
                        if not REGEX_PATTERNS['^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)$'].search(data__owners_item):
                            raise JsonSchemaValueException("" + (name_prefix or "data") + ".owners[{data__owners_x}]".format(**locals()) + " must match pattern ^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)$", value=data__owners_item, name="" + (name_prefix or "data") + ".owners[{data__owners_x}]".format(**locals()) + "", definition={'pattern': '^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)$', 'type': 'string'}, rule='pattern')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'$schema': 'http://json-schema.org/draft-07/schema#', '$id': 'https://flow-reconciler.dev/schemas/flow.schema.json', 'definitions': {'Dispatch': {'additionalProperties': False, 'description': 'Per-flow delivery settings.', 'properties': {'batchSize': {'default': 50, 'description': 'Runs per POST body.', 'maximum': 1000, 'minimum': 1, 'title': 'Batchsize', 'type': 'integer'}, 'concurrency': {'default': 4, 'description': 'Requests in flight.', 'maximum': 64, 'minimum': 1, 'title': 'Concurrency', 'type': 'integer'}, 'timeoutSeconds': {'default': 30, 'exclusiveMinimum': 0, 'maximum': 600, 'title': 'Timeoutseconds', 'type': 'number'}, 'maxAttempts': {'default': 5, 'maximum': 50, 'minimum': 1, 'title': 'Maxattempts', 'type': 'integer'}, 'signingSecretFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Standard Webhooks signing secret: whsec_ then base64, padded or not.'}}, 'title': 'Dispatch', 'type': 'object'}, 'Display': {'additionalProperties': False, 'description': 'Invictus advanced settings.', 'properties': {'milestones': {'default': False, 'title': 'Milestones', 'type': 'boolean'}, 'eventText': {'default': False, 'title': 'Eventtext', 'type': 'boolean'}, 'resubmitResume': {'default': False, 'title': 'Resubmitresume', 'type': 'boolean'}}, 'title': 'Display', 'type': 'object'}, 'Endpoint': {'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'$ref': '#/definitions/EnvRef'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}, 'EnvRef': {'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}, 'Header': {'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, 'Mapping': {'additionalProperties': False, 'anyOf': [{'required': ['workflowName']}, {'required': ['domain']}, {'required': ['service']}, {'required': ['action']}, {'required': ['version']}], 'description': 'Which workflow runs belong to the flow; every key given must match.', 'properties': {'workflowName': {'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, 'domain': {'minLength': 1, 'type': 'string', 'title': 'Domain'}, 'service': {'minLength': 1, 'type': 'string', 'title': 'Service'}, 'action': {'minLength': 1, 'type': 'string', 'title': 'Action'}, 'version': {'minLength': 1, 'type': 'string', 'title': 'Version'}}, 'title': 'Mapping', 'type': 'object'}, 'PropertyDef': {'additionalProperties': False, 'description': 'A business property shown with runs.', 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}}, 'required': ['name'], 'title': 'PropertyDef', 'type': 'object'}}, 'additionalProperties': False, 'description': 'A flow definition in flows.d/: mappings, custom resubmit/resume endpoints, dispatch.', 'properties': {'apiVersion': {'const': 'reconciler/v1', 'title': 'Apiversion', 'type': 'string'}, 'kind': {'const': 'Flow', 'title': 'Kind', 'type': 'string'}, 'name': {'description': 'Unique, case-sensitive.', 'maxLength': 200, 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'description': {'type': 'string', 'title': 'Description'}, 'mappings': {'items': {'additionalProperties': False, 'anyOf': [{'required': ['workflowName']}, {'required': ['domain']}, {'required': ['service']}, {'required': ['action']}, {'required': ['version']}], 'description': 'Which workflow runs belong to the flow; every key given must match.', 'properties': {'workflowName': {'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, 'domain': {'minLength': 1, 'type': 'string', 'title': 'Domain'}, 'service': {'minLength': 1, 'type': 'string', 'title': 'Service'}, 'action': {'minLength': 1, 'type': 'string', 'title': 'Action'}, 'version': {'minLength': 1, 'type': 'string', 'title': 'Version'}}, 'title': 'Mapping', 'type': 'object'}, 'minItems': 1, 'title': 'Mappings', 'type': 'array'}, 'properties': {'type': 'array', 'items': {'additionalProperties': False, 'description': 'A business property shown with runs.', 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}}, 'required': ['name'], 'title': 'PropertyDef', 'type': 'object'}, 'title': 'Properties'}, 'display': {'allOf': [{'additionalProperties': False, 'description': 'Invictus advanced settings.', 'properties': {'milestones': {'default': False, 'title': 'Milestones', 'type': 'boolean'}, 'eventText': {'default': False, 'title': 'Eventtext', 'type': 'boolean'}, 'resubmitResume': {'default': False, 'title': 'Resubmitresume', 'type': 'boolean'}}, 'title': 'Display', 'type': 'object'}]}, 'resubmit': {'allOf': [{'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'$ref': 'https://flow-reconciler.dev/schemas/flow.schema.json#/definitions/Header'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}], 'description': 'Present = custom resubmit.'}, 'resume': {'allOf': [{'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'$ref': 'https://flow-reconciler.dev/schemas/flow.schema.json#/definitions/Header'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}], 'description': 'Present = custom resume.'}, 'dispatch': {'additionalProperties': False, 'description': 'Per-flow delivery settings.', 'properties': {'batchSize': {'default': 50, 'description': 'Runs per POST body.', 'maximum': 1000, 'minimum': 1, 'title': 'Batchsize', 'type': 'integer'}, 'concurrency': {'default': 4, 'description': 'Requests in flight.', 'maximum': 64, 'minimum': 1, 'title': 'Concurrency', 'type': 'integer'}, 'timeoutSeconds': {'default': 30, 'exclusiveMinimum': 0, 'maximum': 600, 'title': 'Timeoutseconds', 'type': 'number'}, 'maxAttempts': {'default': 5, 'maximum': 50, 'minimum': 1, 'title': 'Maxattempts', 'type': 'integer'}, 'signingSecretFrom': {'allOf': [{'$ref': '#/definitions/EnvRef'}], 'description': 'Standard Webhooks signing secret: whsec_ then base64, padded or not.'}}, 'title': 'Dispatch', 'type': 'object'}, 'owners': {'description': 'CODEOWNERS entries (@user, @org/team or e-mail) for this file and its folder.', 'items': {'pattern': '^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\\s]+@[^@\\s]+\\.[^@\\s]+)$', 'type': 'string'}, 'title': 'Owners', 'type': 'array'}}, 'required': ['apiVersion', 'kind', 'name', 'mappings'], 'title': 'flow-reconciler Flow', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_dispatch(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'Per-flow delivery settings.', 'properties': {'batchSize': {'default': 50, 'description': 'Runs per POST body.', 'maximum': 1000, 'minimum': 1, 'title': 'Batchsize', 'type': 'integer'}, 'concurrency': {'default': 4, 'description': 'Requests in flight.', 'maximum': 64, 'minimum': 1, 'title': 'Concurrency', 'type': 'integer'}, 'timeoutSeconds': {'default': 30, 'exclusiveMinimum': 0, 'maximum': 600, 'title': 'Timeoutseconds', 'type': 'number'}, 'maxAttempts': {'default': 5, 'maximum': 50, 'minimum': 1, 'title': 'Maxattempts', 'type': 'integer'}, 'signingSecretFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Standard Webhooks signing secret: whsec_ then base64, padded or not.'}}, 'title': 'Dispatch', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "batchSize" in data_keys:
            data_keys.remove("batchSize")
            data__batchSize = data["batchSize"]
            if not isinstance(data__batchSize, (int)) and not (isinstance(data__batchSize, float) and data__batchSize.is_integer()) or isinstance(data__batchSize, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".batchSize must be integer", value=data__batchSize, name="" + (name_prefix or "data") + ".batchSize", definition={'default': 50, 'description': 'Runs per POST body.', 'maximum': 1000, 'minimum': 1, 'title': 'Batchsize', 'type': 'integer'}, rule='type')
            if isinstance(data__batchSize, (int, float, Decimal)) and not isinstance(data__batchSize, bool):
                if data__batchSize < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".batchSize must be bigger than or equal to 1", value=data__batchSize, name="" + (name_prefix or "data") + ".batchSize", definition={'default': 50, 'description': 'Runs per POST body.', 'maximum': 1000, 'minimum': 1, 'title': 'Batchsize', 'type': 'integer'}, rule='minimum')
                if data__batchSize > 1000:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".batchSize must be smaller than or equal to 1000", value=data__batchSize, name="" + (name_prefix or "data") + ".batchSize", definition={'default': 50, 'description': 'Runs per POST body.', 'maximum': 1000, 'minimum': 1, 'title': 'Batchsize', 'type': 'integer'}, rule='maximum')
        if "concurrency" in data_keys:
            data_keys.remove("concurrency")
            data__concurrency = data["concurrency"]
            if not isinstance(data__concurrency, (int)) and not (isinstance(data__concurrency, float) and data__concurrency.is_integer()) or isinstance(data__concurrency, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".concurrency must be integer", value=data__concurrency, name="" + (name_prefix or "data") + ".concurrency", definition={'default': 4, 'description': 'Requests in flight.', 'maximum': 64, 'minimum': 1, 'title': 'Concurrency', 'type': 'integer'}, rule='type')
            if isinstance(data__concurrency, (int, float, Decimal)) and not isinstance(data__concurrency, bool):
                if data__concurrency < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".concurrency must be bigger than or equal to 1", value=data__concurrency, name="" + (name_prefix or "data") + ".concurrency", definition={'default': 4, 'description': 'Requests in flight.', 'maximum': 64, 'minimum': 1, 'title': 'Concurrency', 'type': 'integer'}, rule='minimum')
                if data__concurrency > 64:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".concurrency must be smaller than or equal to 64", value=data__concurrency, name="" + (name_prefix or "data") + ".concurrency", definition={'default': 4, 'description': 'Requests in flight.', 'maximum': 64, 'minimum': 1, 'title': 'Concurrency', 'type': 'integer'}, rule='maximum')
        if "timeoutSeconds" in data_keys:
            data_keys.remove("timeoutSeconds")
            data__timeoutSeconds = data["timeoutSeconds"]
            if not isinstance(data__timeoutSeconds, (int, float, Decimal)) or isinstance(data__timeoutSeconds, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".timeoutSeconds must be number", value=data__timeoutSeconds, name="" + (name_prefix or "data") + ".timeoutSeconds", definition={'default': 30, 'exclusiveMinimum': 0, 'maximum': 600, 'title': 'Timeoutseconds', 'type': 'number'}, rule='type')
            if isinstance(data__timeoutSeconds, (int, float, Decimal)) and not isinstance(data__timeoutSeconds, bool):
                if data__timeoutSeconds > 600:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".timeoutSeconds must be smaller than or equal to 600", value=data__timeoutSeconds, name="" + (name_prefix or "data") + ".timeoutSeconds", definition={'default': 30, 'exclusiveMinimum': 0, 'maximum': 600, 'title': 'Timeoutseconds', 'type': 'number'}, rule='maximum')
                if data__timeoutSeconds <= 0:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".timeoutSeconds must be bigger than 0", value=data__timeoutSeconds, name="" + (name_prefix or "data") + ".timeoutSeconds", definition={'default': 30, 'exclusiveMinimum': 0, 'maximum': 600, 'title': 'Timeoutseconds', 'type': 'number'}, rule='exclusiveMinimum')
        if "maxAttempts" in data_keys:
            data_keys.remove("maxAttempts")
            data__maxAttempts = data["maxAttempts"]
            if not isinstance(data__maxAttempts, (int)) and not (isinstance(data__maxAttempts, float) and data__maxAttempts.is_integer()) or isinstance(data__maxAttempts, bool):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".maxAttempts must be integer", value=data__maxAttempts, name="" + (name_prefix or "data") + ".maxAttempts", definition={'default': 5, 'maximum': 50, 'minimum': 1, 'title': 'Maxattempts', 'type': 'integer'}, rule='type')
            if isinstance(data__maxAttempts, (int, float, Decimal)) and not isinstance(data__maxAttempts, bool):
                if data__maxAttempts < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".maxAttempts must be bigger than or equal to 1", value=data__maxAttempts, name="" + (name_prefix or "data") + ".maxAttempts", definition={'default': 5, 'maximum': 50, 'minimum': 1, 'title': 'Maxattempts', 'type': 'integer'}, rule='minimum')
                if data__maxAttempts > 50:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".maxAttempts must be smaller than or equal to 50", value=data__maxAttempts, name="" + (name_prefix or "data") + ".maxAttempts", definition={'default': 5, 'maximum': 50, 'minimum': 1, 'title': 'Maxattempts', 'type': 'integer'}, rule='maximum')
        if "signingSecretFrom" in data_keys:
            data_keys.remove("signingSecretFrom")
            data__signingSecretFrom = data["signingSecretFrom"]
            validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_envref(data__signingSecretFrom, custom_formats, (name_prefix or "data") + ".signingSecretFrom")
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'Per-flow delivery settings.', 'properties': {'batchSize': {'default': 50, 'description': 'Runs per POST body.', 'maximum': 1000, 'minimum': 1, 'title': 'Batchsize', 'type': 'integer'}, 'concurrency': {'default': 4, 'description': 'Requests in flight.', 'maximum': 64, 'minimum': 1, 'title': 'Concurrency', 'type': 'integer'}, 'timeoutSeconds': {'default': 30, 'exclusiveMinimum': 0, 'maximum': 600, 'title': 'Timeoutseconds', 'type': 'number'}, 'maxAttempts': {'default': 5, 'maximum': 50, 'minimum': 1, 'title': 'Maxattempts', 'type': 'integer'}, 'signingSecretFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Standard Webhooks signing secret: whsec_ then base64, padded or not.'}}, 'title': 'Dispatch', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_envref(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['env']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}, rule='required')
        data_keys = set(data.keys())
        if "env" in data_keys:
            data_keys.remove("env")
            data__env = data["env"]
            if not isinstance(data__env, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".env must be string", value=data__env, name="" + (name_prefix or "data") + ".env", definition={'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}, rule='type')
            if isinstance(data__env, str):
                if not REGEX_PATTERNS['^[A-Za-z_][A-Za-z0-9_]*$'].search(data__env):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".env must match pattern ^[A-Za-z_][A-Za-z0-9_]*$", value=data__env, name="" + (name_prefix or "data") + ".env", definition={'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}, rule='pattern')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_endpoint(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'$ref': '#/definitions/EnvRef'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['url']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'$ref': '#/definitions/EnvRef'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}, rule='required')
        data_keys = set(data.keys())
        if "url" in data_keys:
            data_keys.remove("url")
            data__url = data["url"]
            if not isinstance(data__url, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".url must be string", value=data__url, name="" + (name_prefix or "data") + ".url", definition={'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, rule='type')
            if isinstance(data__url, str):
                data__url_len = len(data__url)
                if data__url_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".url must be longer than or equal to 1 characters", value=data__url, name="" + (name_prefix or "data") + ".url", definition={'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, rule='minLength')
                if not REGEX_PATTERNS['^https://'].search(data__url):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".url must match pattern ^https://", value=data__url, name="" + (name_prefix or "data") + ".url", definition={'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, rule='pattern')
                if not custom_formats["uri"](data__url):
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".url must be uri", value=data__url, name="" + (name_prefix or "data") + ".url", definition={'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, rule='format')
        if "headers" in data_keys:
            data_keys.remove("headers")
            data__headers = data["headers"]
            if not isinstance(data__headers, (list, tuple)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".headers must be array", value=data__headers, name="" + (name_prefix or "data") + ".headers", definition={'description': 'Custom HTTP headers.', 'items': {'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'$ref': '#/definitions/EnvRef'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, 'title': 'Headers', 'type': 'array'}, rule='type')
            data__headers_is_list = isinstance(data__headers, (list, tuple))
            if data__headers_is_list:
                data__headers_len = len(data__headers)
                for data__headers_x, data__headers_item in enumerate(data__headers):
                    validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_header(data__headers_item, custom_formats, (name_prefix or "data") + ".headers[{data__headers_x}]".format(**locals()))
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A custom resubmit or resume endpoint (HTTPS).', 'properties': {'url': {'description': 'HTTPS URL the JSON array of run records is POSTed to.', 'format': 'uri', 'minLength': 1, 'pattern': '^https://', 'title': 'Url', 'type': 'string'}, 'headers': {'description': 'Custom HTTP headers.', 'items': {'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'$ref': '#/definitions/EnvRef'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, 'title': 'Headers', 'type': 'array'}}, 'required': ['url'], 'title': 'Endpoint', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_header(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, rule='type')
    data_one_of_count1 = 0
    if data_one_of_count1 < 2:
        try:
            data_is_dict = isinstance(data, dict)
            if data_is_dict:
                data__missing_keys = set(['value']) - data.keys()
                if data__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'required': ['value']}, rule='required')
            data_one_of_count1 += 1
        except (JsonSchemaValueException, JsonSchemaValuesException): pass
    if data_one_of_count1 < 2:
        try:
            data_is_dict = isinstance(data, dict)
            if data_is_dict:
                data__missing_keys = set(['valueFrom']) - data.keys()
                if data__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'required': ['valueFrom']}, rule='required')
            data_one_of_count1 += 1
        except (JsonSchemaValueException, JsonSchemaValuesException): pass
    if data_one_of_count1 != 1:
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be valid exactly by one definition" + (" (" + str(data_one_of_count1) + " matches found)"), value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, rule='oneOf')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['name']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, rule='required')
        data_keys = set(data.keys())
        if "name" in data_keys:
            data_keys.remove("name")
            data__name = data["name"]
            if not isinstance(data__name, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be string", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, rule='type')
            if isinstance(data__name, str):
                data__name_len = len(data__name)
                if data__name_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".name must be longer than or equal to 1 characters", value=data__name, name="" + (name_prefix or "data") + ".name", definition={'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, rule='minLength')
        if "value" in data_keys:
            data_keys.remove("value")
            data__value = data["value"]
            if not isinstance(data__value, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".value must be string", value=data__value, name="" + (name_prefix or "data") + ".value", definition={'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, rule='type')
        if "valueFrom" in data_keys:
            data_keys.remove("valueFrom")
            data__valueFrom = data["valueFrom"]
            validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_envref(data__valueFrom, custom_formats, (name_prefix or "data") + ".valueFrom")
        if "allowLiteralSecret" in data_keys:
            data_keys.remove("allowLiteralSecret")
            data__allowLiteralSecret = data["allowLiteralSecret"]
            if not isinstance(data__allowLiteralSecret, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".allowLiteralSecret must be boolean", value=data__allowLiteralSecret, name="" + (name_prefix or "data") + ".allowLiteralSecret", definition={'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}, rule='type')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A custom HTTP header sent with every resubmit/resume POST.', 'oneOf': [{'required': ['value']}, {'required': ['valueFrom']}], 'properties': {'name': {'description': 'Header name (an RFC 9110 token).', 'minLength': 1, 'title': 'Name', 'type': 'string'}, 'value': {'type': 'string', 'description': 'Literal value (not for secrets).', 'title': 'Value'}, 'valueFrom': {'allOf': [{'additionalProperties': False, 'description': 'A value taken from an environment variable at send time; never stored resolved.', 'properties': {'env': {'description': 'Name of the environment variable.', 'pattern': '^[A-Za-z_][A-Za-z0-9_]*$', 'title': 'Env', 'type': 'string'}}, 'required': ['env'], 'title': 'EnvRef', 'type': 'object'}], 'description': 'Take the value from an environment variable at send time.'}, 'allowLiteralSecret': {'default': False, 'description': 'Opt out of the rule that secret-looking headers must use valueFrom.env.', 'title': 'Allowliteralsecret', 'type': 'boolean'}}, 'required': ['name'], 'title': 'Header', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_display(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'Invictus advanced settings.', 'properties': {'milestones': {'default': False, 'title': 'Milestones', 'type': 'boolean'}, 'eventText': {'default': False, 'title': 'Eventtext', 'type': 'boolean'}, 'resubmitResume': {'default': False, 'title': 'Resubmitresume', 'type': 'boolean'}}, 'title': 'Display', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "milestones" in data_keys:
            data_keys.remove("milestones")
            data__milestones = data["milestones"]
            if not isinstance(data__milestones, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".milestones must be boolean", value=data__milestones, name="" + (name_prefix or "data") + ".milestones", definition={'default': False, 'title': 'Milestones', 'type': 'boolean'}, rule='type')
        if "eventText" in data_keys:
            data_keys.remove("eventText")
            data__eventText = data["eventText"]
            if not isinstance(data__eventText, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".eventText must be boolean", value=data__eventText, name="" + (name_prefix or "data") + ".eventText", definition={'default': False, 'title': 'Eventtext', 'type': 'boolean'}, rule='type')
        if "resubmitResume" in data_keys:
            data_keys.remove("resubmitResume")
            data__resubmitResume = data["resubmitResume"]
            if not isinstance(data__resubmitResume, (bool)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".resubmitResume must be boolean", value=data__resubmitResume, name="" + (name_prefix or "data") + ".resubmitResume", definition={'default': False, 'title': 'Resubmitresume', 'type': 'boolean'}, rule='type')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'Invictus advanced settings.', 'properties': {'milestones': {'default': False, 'title': 'Milestones', 'type': 'boolean'}, 'eventText': {'default': False, 'title': 'Eventtext', 'type': 'boolean'}, 'resubmitResume': {'default': False, 'title': 'Resubmitresume', 'type': 'boolean'}}, 'title': 'Display', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_propertydef(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A business property shown with runs.', 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}}, 'required': ['name'], 'title': 'PropertyDef', 'type': 'object'}, rule='type')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data__missing_keys = set(['name']) - data.keys()
        if data__missing_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A business property shown with runs.', 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}}, 'required': ['name'], 'title': 'PropertyDef', 'type': 'object'}, rule='required')
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
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'description': 'A business property shown with runs.', 'properties': {'name': {'minLength': 1, 'title': 'Name', 'type': 'string'}}, 'required': ['name'], 'title': 'PropertyDef', 'type': 'object'}, rule='additionalProperties')
    return data

def validate_https___flow_reconciler_dev_schemas_flow_schema_json__definitions_mapping(data, custom_formats={}, name_prefix=None):
    if not isinstance(data, (dict)):
        raise JsonSchemaValueException("" + (name_prefix or "data") + " must be object", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'anyOf': [{'required': ['workflowName']}, {'required': ['domain']}, {'required': ['service']}, {'required': ['action']}, {'required': ['version']}], 'description': 'Which workflow runs belong to the flow; every key given must match.', 'properties': {'workflowName': {'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, 'domain': {'minLength': 1, 'type': 'string', 'title': 'Domain'}, 'service': {'minLength': 1, 'type': 'string', 'title': 'Service'}, 'action': {'minLength': 1, 'type': 'string', 'title': 'Action'}, 'version': {'minLength': 1, 'type': 'string', 'title': 'Version'}}, 'title': 'Mapping', 'type': 'object'}, rule='type')
    data_any_of_count2 = 0
    if not data_any_of_count2:
        try:
            data_is_dict = isinstance(data, dict)
            if data_is_dict:
                data__missing_keys = set(['workflowName']) - data.keys()
                if data__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'required': ['workflowName']}, rule='required')
            data_any_of_count2 += 1
        except (JsonSchemaValueException, JsonSchemaValuesException): pass
    if not data_any_of_count2:
        try:
            data_is_dict = isinstance(data, dict)
            if data_is_dict:
                data__missing_keys = set(['domain']) - data.keys()
                if data__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'required': ['domain']}, rule='required')
            data_any_of_count2 += 1
        except (JsonSchemaValueException, JsonSchemaValuesException): pass
    if not data_any_of_count2:
        try:
            data_is_dict = isinstance(data, dict)
            if data_is_dict:
                data__missing_keys = set(['service']) - data.keys()
                if data__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'required': ['service']}, rule='required')
            data_any_of_count2 += 1
        except (JsonSchemaValueException, JsonSchemaValuesException): pass
    if not data_any_of_count2:
        try:
            data_is_dict = isinstance(data, dict)
            if data_is_dict:
                data__missing_keys = set(['action']) - data.keys()
                if data__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'required': ['action']}, rule='required')
            data_any_of_count2 += 1
        except (JsonSchemaValueException, JsonSchemaValuesException): pass
    if not data_any_of_count2:
        try:
            data_is_dict = isinstance(data, dict)
            if data_is_dict:
                data__missing_keys = set(['version']) - data.keys()
                if data__missing_keys:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + " must contain " + (str(sorted(data__missing_keys)) + " properties"), value=data, name="" + (name_prefix or "data") + "", definition={'required': ['version']}, rule='required')
            data_any_of_count2 += 1
        except (JsonSchemaValueException, JsonSchemaValuesException): pass
    if not data_any_of_count2:
        raise JsonSchemaValueException("" + (name_prefix or "data") + " cannot be validated by any definition", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'anyOf': [{'required': ['workflowName']}, {'required': ['domain']}, {'required': ['service']}, {'required': ['action']}, {'required': ['version']}], 'description': 'Which workflow runs belong to the flow; every key given must match.', 'properties': {'workflowName': {'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, 'domain': {'minLength': 1, 'type': 'string', 'title': 'Domain'}, 'service': {'minLength': 1, 'type': 'string', 'title': 'Service'}, 'action': {'minLength': 1, 'type': 'string', 'title': 'Action'}, 'version': {'minLength': 1, 'type': 'string', 'title': 'Version'}}, 'title': 'Mapping', 'type': 'object'}, rule='anyOf')
    data_is_dict = isinstance(data, dict)
    if data_is_dict:
        data_keys = set(data.keys())
        if "workflowName" in data_keys:
            data_keys.remove("workflowName")
            data__workflowName = data["workflowName"]
            if not isinstance(data__workflowName, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".workflowName must be string", value=data__workflowName, name="" + (name_prefix or "data") + ".workflowName", definition={'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, rule='type')
            if isinstance(data__workflowName, str):
                data__workflowName_len = len(data__workflowName)
                if data__workflowName_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".workflowName must be longer than or equal to 1 characters", value=data__workflowName, name="" + (name_prefix or "data") + ".workflowName", definition={'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, rule='minLength')
        if "domain" in data_keys:
            data_keys.remove("domain")
            data__domain = data["domain"]
            if not isinstance(data__domain, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".domain must be string", value=data__domain, name="" + (name_prefix or "data") + ".domain", definition={'minLength': 1, 'type': 'string', 'title': 'Domain'}, rule='type')
            if isinstance(data__domain, str):
                data__domain_len = len(data__domain)
                if data__domain_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".domain must be longer than or equal to 1 characters", value=data__domain, name="" + (name_prefix or "data") + ".domain", definition={'minLength': 1, 'type': 'string', 'title': 'Domain'}, rule='minLength')
        if "service" in data_keys:
            data_keys.remove("service")
            data__service = data["service"]
            if not isinstance(data__service, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".service must be string", value=data__service, name="" + (name_prefix or "data") + ".service", definition={'minLength': 1, 'type': 'string', 'title': 'Service'}, rule='type')
            if isinstance(data__service, str):
                data__service_len = len(data__service)
                if data__service_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".service must be longer than or equal to 1 characters", value=data__service, name="" + (name_prefix or "data") + ".service", definition={'minLength': 1, 'type': 'string', 'title': 'Service'}, rule='minLength')
        if "action" in data_keys:
            data_keys.remove("action")
            data__action = data["action"]
            if not isinstance(data__action, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".action must be string", value=data__action, name="" + (name_prefix or "data") + ".action", definition={'minLength': 1, 'type': 'string', 'title': 'Action'}, rule='type')
            if isinstance(data__action, str):
                data__action_len = len(data__action)
                if data__action_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".action must be longer than or equal to 1 characters", value=data__action, name="" + (name_prefix or "data") + ".action", definition={'minLength': 1, 'type': 'string', 'title': 'Action'}, rule='minLength')
        if "version" in data_keys:
            data_keys.remove("version")
            data__version = data["version"]
            if not isinstance(data__version, (str)):
                raise JsonSchemaValueException("" + (name_prefix or "data") + ".version must be string", value=data__version, name="" + (name_prefix or "data") + ".version", definition={'minLength': 1, 'type': 'string', 'title': 'Version'}, rule='type')
            if isinstance(data__version, str):
                data__version_len = len(data__version)
                if data__version_len < 1:
                    raise JsonSchemaValueException("" + (name_prefix or "data") + ".version must be longer than or equal to 1 characters", value=data__version, name="" + (name_prefix or "data") + ".version", definition={'minLength': 1, 'type': 'string', 'title': 'Version'}, rule='minLength')
        if data_keys:
            raise JsonSchemaValueException("" + (name_prefix or "data") + " must not contain "+str(data_keys)+" properties", value=data, name="" + (name_prefix or "data") + "", definition={'additionalProperties': False, 'anyOf': [{'required': ['workflowName']}, {'required': ['domain']}, {'required': ['service']}, {'required': ['action']}, {'required': ['version']}], 'description': 'Which workflow runs belong to the flow; every key given must match.', 'properties': {'workflowName': {'minLength': 1, 'type': 'string', 'title': 'Workflowname'}, 'domain': {'minLength': 1, 'type': 'string', 'title': 'Domain'}, 'service': {'minLength': 1, 'type': 'string', 'title': 'Service'}, 'action': {'minLength': 1, 'type': 'string', 'title': 'Action'}, 'version': {'minLength': 1, 'type': 'string', 'title': 'Version'}}, 'title': 'Mapping', 'type': 'object'}, rule='additionalProperties')
    return data


validate = validate_https___flow_reconciler_dev_schemas_flow_schema_json
