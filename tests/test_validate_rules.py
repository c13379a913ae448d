"""Every validation rule: a bad file, the exact rule id, message and line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.validate_helpers import REQUEST, found, validate

F = "flows.d/Sales/orders.yaml"
R = "requests.d/r.yaml"
BASE = """\
apiVersion: reconciler/v1
kind: Flow
name: Orders
mappings:
  - workflowName: la-orders
"""


def flow(extra: str, base: str = BASE) -> dict[str, str | bytes]:
    return {F: base + extra}


CASES: dict[str, dict[str, str | bytes]] = {
    "unknown-key": flow("nmae: x\n"),
    "unknown-key-nested": flow("resubmit:\n  url: https://a.example.com/x\n  header: []\n"),
    "enum": {F: BASE.replace("kind: Flow", "kind: flow")},
    "missing": {F: "apiVersion: reconciler/v1\nkind: Flow\nmappings:\n  - workflowName: x\n"},
    "type": flow("dispatch:\n  batchSize: many\n"),
    "range": flow("dispatch:\n  batchSize: 5000\n"),
    "mapping-empty": {F: BASE.replace("  - workflowName: la-orders\n", "  - {}\n")},
    "mappings-empty-list": {
        F: BASE.replace("mappings:\n  - workflowName: la-orders\n", "mappings: []\n")
    },
    "header-both": flow(
        "resubmit:\n  url: https://a.example.com/x\n  headers:\n    - name: x-a\n      value: b\n      valueFrom: {env: B}\n"
    ),
    "header-none": flow("resubmit:\n  url: https://a.example.com/x\n  headers:\n    - name: x-a\n"),
    "env-name": flow(
        "resubmit:\n  url: https://a.example.com/x\n  headers:\n    - name: x-a\n      valueFrom: {env: 1BAD}\n"
    ),
    "url-scheme": flow("resubmit:\n  url: http://a.example.com/x\n"),
    "url-host": flow("resubmit:\n  url: https:///x\n"),
    "url-userinfo": flow("resume:\n  url: https://user:pw@a.example.com/x\n"),
    "url-fragment": flow("resume:\n  url: https://a.example.com/x#part\n"),
    "url-private": flow("resume:\n  url: https://192.168.1.10/x\n"),
    "url-loopback6": flow("resume:\n  url: https://[::1]:8443/x\n"),
    "url-linklocal": flow("resume:\n  url: https://169.254.169.254/latest\n"),
    "url-mapped": flow("resume:\n  url: https://[::ffff:10.0.0.1]/x\n"),
    "url-localhost": flow("resume:\n  url: https://localhost/x\n"),
    "url-allowed": {
        **flow("resume:\n  url: https://10.1.2.3/x\n"),
        "reconciler.yaml": "apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  allow: [10.0.0.0/8]\n",
    },
    "header-name": flow(
        "resubmit:\n  url: https://a.example.com/x\n  headers:\n    - name: 'x team'\n      value: b\n"
    ),
    "header-duplicate": flow(
        "resubmit:\n  url: https://a.example.com/x\n  headers:\n    - name: x-team\n      value: a\n    - name: X-Team\n      value: b\n"
    ),
    "header-value": flow(
        'resubmit:\n  url: https://a.example.com/x\n  headers:\n    - name: x-team\n      value: "a\\r\\nX-Evil: 1"\n'
    ),
    "header-nul": flow(
        'resubmit:\n  url: https://a.example.com/x\n  headers:\n    - name: x-team\n      value: "a\\0b"\n'
    ),
    "header-value-size": flow(
        "resubmit:\n  url: https://a.example.com/x\n  headers:\n    - name: x-team\n      value: "
        + "a" * 8193
        + "\n"
    ),
    "header-reserved": flow(
        "resubmit:\n  url: https://a.example.com/x\n  headers:\n    - name: Content-Type\n      value: text/plain\n    - name: webhook-id\n      value: x\n"
    ),
    "header-literal-secret": flow(
        "resubmit:\n  url: https://a.example.com/x\n  headers:\n    - name: Authorization\n      value: Bearer abc\n    - name: x-api-key\n      value: abc\n      allowLiteralSecret: true\n"
    ),
    "yaml-duplicate-key": flow("name: Again\n"),
    "yaml-syntax": {F: "apiVersion: reconciler/v1\nkind: Flow\nname: [unclosed\n"},
    "yaml-tab": {F: "apiVersion: reconciler/v1\nkind: Flow\nmappings:\n\t- workflowName: x\n"},
    "yaml-tag": flow("description: !!binary aGVsbG8=\n"),
    "multi-doc": flow("---\napiVersion: reconciler/v1\n"),
    "not-mapping": {F: "- a\n- b\n"},
    "wrong-kind": {F: "apiVersion: reconciler/v1\nkind: ResubmitRequest\nname: x\n"},
    "empty": {F: ""},
    "comments-only": {F: "# nothing here\n"},
    "binary": {F: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"},
    "latin1": {F: "apiVersion: reconciler/v1\nkind: Flow\nname: Caf\xe9\n".encode("latin-1")},
    "dup-flow-name": {F: BASE, "flows.d/Other/orders2.yaml": BASE},
    "dup-flow-name-case": {
        F: BASE,
        "flows.d/Other/orders2.yaml": BASE.replace("name: Orders", "name: ORDERS"),
    },
}
REQ = REQUEST.split("select:")[0]
RFLOW: dict[str, str | bytes] = {F: BASE + "resubmit:\n  url: https://a.example.com/x\n"}
CASES.update(
    {
        "req-unknown-flow": {**RFLOW, R: REQ.replace("[Orders]", "[Order]")},
        "req-no-endpoint": {**RFLOW, R: REQ.replace("action: resubmit", "action: resume")},
        "req-action-enum": {**RFLOW, R: REQ.replace("action: resubmit", "action: resubmitt")},
        "req-dup-name": {**RFLOW, R: REQ, "requests.d/r2.yaml": REQ},
        "req-window-zone": {
            **RFLOW,
            R: REQ + "select:\n  executed: {after: 2026-11-27T22:00:00}\n",
        },
        "req-window-relative": {**RFLOW, R: REQ + "select:\n  executed:\n    after: now-6h\n"},
        "req-window-order": {
            **RFLOW,
            R: REQ
            + "select:\n  executed: {after: 2026-11-28T06:00:00Z, before: 2026-11-27T22:00:00Z}\n",
        },
        "req-window-empty": {**RFLOW, R: REQ + "select:\n  executed: {}\n"},
        "req-regex": {
            **RFLOW,
            R: REQ + "select:\n  properties:\n    - {name: A, op: regex, value: '[a-'}\n",
        },
        "req-op-enum": {
            **RFLOW,
            R: REQ + "select:\n  properties:\n    - {name: A, op: equal, value: b}\n",
        },
        "req-name-pattern": {
            **RFLOW,
            R: REQ.replace("name: 2026-11-28-outage", "name: 'bad name'"),
        },
        "config-allow": {
            "reconciler.yaml": "apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  allow: [10.0.0.0/33, 'bad host!']\n"
        },
        "config-store": {
            "reconciler.yaml": "apiVersion: reconciler/v1\nkind: Config\nstore: mysql://x/y\n"
        },
        "req-unknown-status": {**RFLOW, R: REQ + "select:\n  status: [Error, failed, 2, Eror]\n"},
        "req-flow-twice": {**RFLOW, R: REQ.replace("[Orders]", "[Orders, Orders, Orders]")},
        "req-follows-itself": {
            **RFLOW,
            R: REQ + "select:\n  fromRequest: {name: 2026-11-28-outage, outcome: any}\n",
        },
        "config-statuses": {
            "reconciler.yaml": "apiVersion: reconciler/v1\nkind: Config\nstatuses: {9: Faild}\n"
        },
        "config-ca": {
            "reconciler.yaml": "apiVersion: reconciler/v1\nkind: Config\nnetwork:\n  caBundle: certs/none.pem\n"
        },
    }
)


EXPECTED: dict[str, list[tuple[str, int, int, str, str]]] = {
    "unknown-key": [("flows.d/Sales/orders.yaml", 6, 1, "unknown-key", "unknown key 'nmae'")],
    "unknown-key-nested": [
        ("flows.d/Sales/orders.yaml", 8, 3, "unknown-key", "unknown key 'header' in resubmit")
    ],
    "enum": [("flows.d/Sales/orders.yaml", 2, 7, "enum", "kind must be 'Flow', not 'flow'")],
    "missing": [("flows.d/Sales/orders.yaml", 1, 1, "schema", "missing required key 'name'")],
    "type": [
        (
            "flows.d/Sales/orders.yaml",
            7,
            14,
            "schema",
            "dispatch.batchSize must be an integer, not 'many'",
        )
    ],
    "range": [
        (
            "flows.d/Sales/orders.yaml",
            7,
            14,
            "schema",
            "dispatch.batchSize: 5000 is greater than the maximum of 1000",
        )
    ],
    "mapping-empty": [
        (
            "flows.d/Sales/orders.yaml",
            5,
            5,
            "schema",
            "mappings[0] needs at least one of 'workflowName' or 'domain' or 'service' or 'action' or 'version'",
        )
    ],
    "mappings-empty-list": [
        ("flows.d/Sales/orders.yaml", 4, 11, "schema", "mappings must not be empty")
    ],
    "header-both": [
        (
            "flows.d/Sales/orders.yaml",
            9,
            7,
            "schema",
            "resubmit.headers[0] has both 'value' and 'valueFrom': give exactly one",
        )
    ],
    "header-none": [
        (
            "flows.d/Sales/orders.yaml",
            9,
            7,
            "schema",
            "resubmit.headers[0] needs one of 'value' or 'valueFrom'",
        )
    ],
    "env-name": [
        (
            "flows.d/Sales/orders.yaml",
            10,
            24,
            "schema",
            "resubmit.headers[0].valueFrom.env: '1BAD' does not match the pattern ^[A-Za-z_][A-Za-z0-9_]*$",
        )
    ],
    "url-scheme": [
        ("flows.d/Sales/orders.yaml", 7, 8, "url-scheme", "URL must use https:// (got http)")
    ],
    "url-host": [("flows.d/Sales/orders.yaml", 7, 8, "url-host", "URL has no host")],
    "url-userinfo": [
        (
            "flows.d/Sales/orders.yaml",
            7,
            8,
            "url-userinfo",
            "URL must not contain credentials (user:password@)",
        )
    ],
    "url-fragment": [
        (
            "flows.d/Sales/orders.yaml",
            7,
            8,
            "url-fragment",
            "URL must not have a #fragment (it is never sent)",
        )
    ],
    "url-private": [
        (
            "flows.d/Sales/orders.yaml",
            7,
            8,
            "url-private-address",
            "URL host 192.168.1.10 is private",
        )
    ],
    "url-loopback6": [
        (
            "flows.d/Sales/orders.yaml",
            7,
            8,
            "url-private-address",
            "URL host ::1 is loopback",
        )
    ],
    "url-linklocal": [
        (
            "flows.d/Sales/orders.yaml",
            7,
            8,
            "url-private-address",
            "URL host 169.254.169.254 is link-local (cloud metadata service)",
        )
    ],
    "url-mapped": [
        (
            "flows.d/Sales/orders.yaml",
            7,
            8,
            "url-private-address",
            "URL host ::ffff:a00:1 is private (it stands for 10.0.0.1)",
        )
    ],
    "url-localhost": [
        (
            "flows.d/Sales/orders.yaml",
            7,
            8,
            "url-private-address",
            "URL host localhost is loopback",
        )
    ],
    "url-allowed": [],
    "header-name": [
        (
            "flows.d/Sales/orders.yaml",
            9,
            13,
            "header-name",
            "header name 'x team' is not an RFC 9110 token",
        )
    ],
    "header-duplicate": [
        (
            "flows.d/Sales/orders.yaml",
            11,
            13,
            "header-duplicate",
            "header 'X-Team' (line 11) duplicates 'x-team' (line 9); header names are case-insensitive",
        )
    ],
    "header-value": [
        (
            "flows.d/Sales/orders.yaml",
            10,
            14,
            "header-value",
            "header value contains CR, LF: that would inject headers",
        )
    ],
    "header-nul": [
        (
            "flows.d/Sales/orders.yaml",
            10,
            14,
            "header-value",
            "header value contains NUL: that would inject headers",
        )
    ],
    "header-value-size": [
        (
            "flows.d/Sales/orders.yaml",
            10,
            14,
            "header-value-size",
            "header value is 8193 bytes; the limit is 8192 (8 KiB)",
        )
    ],
    "header-reserved": [
        (
            "flows.d/Sales/orders.yaml",
            9,
            13,
            "header-reserved",
            "header 'Content-Type' is set by flow-reconciler itself",
        ),
        (
            "flows.d/Sales/orders.yaml",
            11,
            13,
            "header-reserved",
            "header 'webhook-id' is set by flow-reconciler itself",
        ),
    ],
    "header-literal-secret": [
        (
            "flows.d/Sales/orders.yaml",
            10,
            14,
            "header-literal-secret",
            "header 'Authorization' looks like a secret but has a literal value",
        )
    ],
    "yaml-duplicate-key": [
        (
            "flows.d/Sales/orders.yaml",
            6,
            1,
            "yaml-duplicate-key",
            "duplicate key 'name' (first at line 3, again at line 6)",
        )
    ],
    "yaml-syntax": [
        (
            "flows.d/Sales/orders.yaml",
            4,
            1,
            "yaml-syntax",
            "invalid YAML: did not find expected ',' or ']' (while parsing a flow sequence at line 3)",
        )
    ],
    "yaml-tab": [
        (
            "flows.d/Sales/orders.yaml",
            4,
            1,
            "yaml-syntax",
            "invalid YAML: found character that cannot start any token (while scanning for the next token at line 4)",
        )
    ],
    "yaml-tag": [
        (
            "flows.d/Sales/orders.yaml",
            6,
            14,
            "yaml-tag",
            "tag '!!binary' is not allowed: only plain data is loaded",
        )
    ],
    "multi-doc": [
        (
            "flows.d/Sales/orders.yaml",
            6,
            1,
            "yaml-multiple-documents",
            "file contains more than one YAML document",
        )
    ],
    "not-mapping": [
        ("flows.d/Sales/orders.yaml", 1, 1, "schema", "the document must be a mapping, not a list")
    ],
    "wrong-kind": [
        (
            "flows.d/Sales/orders.yaml",
            2,
            7,
            "wrong-kind",
            "flows.d/ holds Flow files; this file has kind 'ResubmitRequest'",
        )
    ],
    "empty": [("flows.d/Sales/orders.yaml", 1, 1, "empty-file", "file is empty")],
    "comments-only": [
        ("flows.d/Sales/orders.yaml", 1, 1, "empty-file", "file holds no YAML document")
    ],
    "binary": [
        (
            "flows.d/Sales/orders.yaml",
            3,
            1,
            "binary-file",
            "file contains NUL bytes: this looks like a binary file, not YAML",
        )
    ],
    "latin1": [
        (
            "flows.d/Sales/orders.yaml",
            3,
            10,
            "encoding",
            "file is not valid UTF-8 (byte 0xe9 at offset 46)",
        )
    ],
    "dup-flow-name": [
        (
            "flows.d/Other/orders2.yaml",
            3,
            7,
            "duplicate-flow-name",
            "duplicate flow name 'Orders': also defined in flows.d/Sales/orders.yaml:3",
        ),
        (
            "flows.d/Sales/orders.yaml",
            3,
            7,
            "duplicate-flow-name",
            "duplicate flow name 'Orders': also defined in flows.d/Other/orders2.yaml:3",
        ),
    ],
    "dup-flow-name-case": [
        (
            "flows.d/Other/orders2.yaml",
            3,
            7,
            "duplicate-flow-name",
            "flow name 'ORDERS' differs only in case from 'Orders' (flows.d/Sales/orders.yaml:3)",
        ),
        (
            "flows.d/Sales/orders.yaml",
            3,
            7,
            "duplicate-flow-name",
            "flow name 'Orders' differs only in case from 'ORDERS' (flows.d/Other/orders2.yaml:3)",
        ),
    ],
    "req-unknown-flow": [
        ("requests.d/r.yaml", 6, 9, "unknown-flow", "flow 'Order' does not exist in flows.d/")
    ],
    "req-no-endpoint": [
        (
            "requests.d/r.yaml",
            6,
            9,
            "flow-without-endpoint",
            "flow 'Orders' has no resume URL (flows.d/Sales/orders.yaml)",
        )
    ],
    "req-action-enum": [
        (
            "requests.d/r.yaml",
            5,
            9,
            "enum",
            "action must be 'resubmit' or 'resume', not 'resubmitt'",
        )
    ],
    "req-dup-name": [
        (
            "requests.d/r.yaml",
            3,
            7,
            "duplicate-request-name",
            "duplicate request name '2026-11-28-outage': also used in requests.d/r2.yaml:3",
        ),
        (
            "requests.d/r2.yaml",
            3,
            7,
            "duplicate-request-name",
            "duplicate request name '2026-11-28-outage': also used in requests.d/r.yaml:3",
        ),
    ],
    "req-window-zone": [
        (
            "requests.d/r.yaml",
            8,
            21,
            "schema",
            "select.executed.after: '2026-11-27T22:00:00' is not an RFC 3339 date-time with a zone (e.g. 2026-11-28T06:00:00Z)",
        )
    ],
    "req-window-relative": [
        (
            "requests.d/r.yaml",
            9,
            12,
            "schema",
            "select.executed.after: 'now-6h' is not an RFC 3339 date-time with a zone (e.g. 2026-11-28T06:00:00Z)",
        )
    ],
    "req-window-order": [
        (
            "requests.d/r.yaml",
            8,
            51,
            "time-window",
            "time window is empty: 'before' (2026-11-27T22:00:00Z) is not later than 'after' (2026-11-28T06:00:00Z)",
        )
    ],
    "req-window-empty": [
        (
            "requests.d/r.yaml",
            8,
            13,
            "schema",
            "select.executed needs at least one of 'after' or 'before'",
        )
    ],
    "req-regex": [
        (
            "requests.d/r.yaml",
            9,
            35,
            "invalid-regex",
            "regex '[a-' cannot be used: column 1: '[' is not closed",
        )
    ],
    "req-op-enum": [
        (
            "requests.d/r.yaml",
            9,
            21,
            "enum",
            "select.properties[0].op must be 'equals' or 'notEquals' or 'startsWith' or 'endsWith' or 'contains' or 'regex', not 'equal'",
        )
    ],
    "req-name-pattern": [
        (
            "requests.d/r.yaml",
            3,
            7,
            "schema",
            "name: 'bad name' does not match the pattern ^[A-Za-z0-9][A-Za-z0-9._-]*$",
        )
    ],
    "config-allow": [
        (
            "reconciler.yaml",
            4,
            11,
            "config-network-allow",
            "network.allow[0] '10.0.0.0/33': not a valid CIDR ('10.0.0.0/33' does not appear to be an IPv4 or IPv6 network)",
        ),
        (
            "reconciler.yaml",
            4,
            24,
            "config-network-allow",
            "network.allow[1] 'bad host!': expected a host name, *.domain or a CIDR (no scheme, port or path)",
        ),
    ],
    "config-store": [
        ("reconciler.yaml", 3, 8, "config-store", "store URL 'mysql://...' is not supported")
    ],
    "req-unknown-status": [
        ("requests.d/r.yaml", 8, 30, "unknown-status", "unknown status 'Eror'"),
    ],
    "req-flow-twice": [
        (
            "requests.d/r.yaml",
            6,
            17,
            "duplicate-flow-reference",
            "flow 'Orders' is named twice in flows (entries 1 and 2)",
        ),
        (
            "requests.d/r.yaml",
            6,
            25,
            "duplicate-flow-reference",
            "flow 'Orders' is named twice in flows (entries 1 and 3)",
        ),
    ],
    "req-follows-itself": [
        (
            "requests.d/r.yaml",
            8,
            23,
            "from-request-self",
            "fromRequest names this request itself ('2026-11-28-outage')",
        ),
    ],
    "config-statuses": [
        (
            "reconciler.yaml",
            3,
            15,
            "config-statuses",
            "statuses: 'Faild' is not an Invictus status name",
        ),
    ],
    "config-ca": [
        (
            "reconciler.yaml",
            4,
            13,
            "config-ca-bundle",
            "network.caBundle: certs/none.pem does not exist (relative to the repository root)",
        )
    ],
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_rule(tmp_path: Path, case: str) -> None:
    assert found(validate(tmp_path, CASES[case])) == EXPECTED[case]


def test_every_case_has_an_expectation() -> None:
    assert set(CASES) == set(EXPECTED)
