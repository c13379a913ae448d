"""Pure parts of dispatch: retry policy, circuit breaker, Standard Webhooks signing, masking."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
import urllib.parse
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reconciler.core.retry import (
    CircuitBreaker,
    RetryPolicy,
    Verdict,
    classify_status,
    parse_retry_after,
)
from reconciler.core.secrets import (
    MASK,
    InvalidSecret,
    Masker,
    MissingSecret,
    SecretRef,
    resolve_secrets,
)
from reconciler.core.signing import SigningKeyError, decode_secret, sign, signature_headers

NOW = datetime(2026, 11, 28, 6, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("status", "verdict"),
    [
        (200, Verdict.DELIVERED),
        (202, Verdict.DELIVERED),
        (204, Verdict.DELIVERED),
        (408, Verdict.RETRY),
        (425, Verdict.RETRY),
        (429, Verdict.RETRY),
        (500, Verdict.RETRY),
        (503, Verdict.RETRY),
        (599, Verdict.RETRY),
        (301, Verdict.FAIL),
        (302, Verdict.FAIL),
        (307, Verdict.FAIL),
        (400, Verdict.FAIL),
        (401, Verdict.FAIL),
        (404, Verdict.FAIL),
        (409, Verdict.FAIL),
        (422, Verdict.FAIL),
        (101, Verdict.FAIL),
    ],
)
def test_status_classification(status: int, verdict: Verdict) -> None:
    assert classify_status(status) is verdict


def test_retry_after_seconds_and_dates() -> None:
    assert parse_retry_after("7", NOW) == 7.0
    assert parse_retry_after(" 0 ", NOW) == 0.0
    later = format_datetime(NOW + timedelta(seconds=42), usegmt=True)
    assert parse_retry_after(later, NOW) == pytest.approx(42.0)
    earlier = format_datetime(NOW - timedelta(seconds=42), usegmt=True)
    assert parse_retry_after(earlier, NOW) == 0.0
    for bad in (None, "", "soon", "-5", "1.5", "Mon, 99 Foo 2026"):
        assert parse_retry_after(bad, NOW) is None, bad


def test_retry_after_is_capped_and_preferred_over_backoff() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=8, retry_after_cap=10)
    rng = random.Random(1)
    assert policy.delay(1, 3.0, rng) == 3.0
    assert policy.delay(1, 3600.0, rng) == 10.0


def test_budget() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert policy.should_retry(Verdict.RETRY, 1)
    assert policy.should_retry(Verdict.RETRY, 2)
    assert not policy.should_retry(Verdict.RETRY, 3)
    assert not policy.should_retry(Verdict.FAIL, 1)
    assert not policy.should_retry(Verdict.DELIVERED, 1)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


@given(
    attempt=st.integers(min_value=1, max_value=10_000),
    base=st.floats(min_value=0, max_value=100),
    cap=st.floats(min_value=0, max_value=1000),
    seed=st.integers(),
)
def test_full_jitter_stays_within_the_exponential_ceiling(
    attempt: int, base: float, cap: float, seed: int
) -> None:
    policy = RetryPolicy(base_delay=base, max_delay=cap)
    ceiling = policy.backoff_ceiling(attempt)
    assert ceiling == min(cap, base * 2 ** min(attempt - 1, 62))
    delay = policy.delay(attempt, None, random.Random(seed))
    assert 0.0 <= delay <= ceiling


def test_full_jitter_spreads_over_the_whole_range() -> None:
    policy = RetryPolicy(base_delay=1, max_delay=100)
    rng = random.Random(7)
    samples = [policy.delay(4, None, rng) for _ in range(2000)]  # ceiling 8 s
    assert max(samples) <= 8.0
    assert min(samples) < 0.5 and max(samples) > 7.5  # full jitter, not "equal jitter"


@given(st.lists(st.booleans(), max_size=200), st.integers(min_value=1, max_value=20))
def test_breaker_opens_exactly_after_a_run_of_failures(
    outcomes: list[bool], threshold: int
) -> None:
    breaker = CircuitBreaker(threshold=threshold)
    run = 0
    expect_open = False
    for ok in outcomes:
        if expect_open:
            break
        if ok:
            breaker.success()
            run = 0
        else:
            run += 1
            opened_now = breaker.failure("HTTP 503")
            assert opened_now == (run == threshold)
            expect_open = run >= threshold
        assert breaker.opened == expect_open


def test_standard_webhooks_published_vector() -> None:
    key = decode_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    signature = sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    # the prefix is optional, as in the reference libraries
    assert decode_secret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") == key


def test_signature_headers_follow_the_spec() -> None:
    key = b"\x01\x02secret-bytes"
    body = b'[{"id":"1"}]'
    headers = signature_headers(key, "abc", 1700000000, body)
    assert headers["webhook-id"] == "abc"
    assert headers["webhook-timestamp"] == "1700000000"
    version, _, b64 = headers["webhook-signature"].partition(",")
    assert version == "v1"
    expected = hmac.new(key, b"abc.1700000000." + body, hashlib.sha256).digest()
    assert base64.b64decode(b64) == expected


@pytest.mark.parametrize("secret", ["whsec_not base64!", "whsec_", "%%%"])
def test_bad_signing_secrets(secret: str) -> None:
    with pytest.raises(SigningKeyError):
        decode_secret(secret)


def test_masker_hides_every_registered_value_longest_first() -> None:
    masker = Masker()
    assert masker.mask("nothing registered") == "nothing registered"
    masker.add("s3cr3t")
    masker.add("s3cr3t-and-more")
    masker.add("   ")  # blank values are not secrets worth garbling output for
    text = "key=s3cr3t-and-more other=s3cr3t end   "
    assert masker.mask(text) == f"key={MASK} other={MASK} end   "


def test_resolve_secrets_registers_every_value_and_names_every_missing_variable() -> None:
    from reconciler.core.secrets import MASKER

    values = resolve_secrets(
        [SecretRef("X_TOKEN", "header x-token of flow A")], {"X_TOKEN": "tok-987"}
    )
    assert values == {"X_TOKEN": "tok-987"}
    assert "tok-987" not in MASKER.mask("Bearer tok-987")
    with pytest.raises(MissingSecret) as info:
        resolve_secrets(
            [
                SecretRef("NOPE", "header x-api-key of flow Orders"),
                SecretRef("EMPTY", "signing secret of flow Orders"),
                SecretRef("NOPE", "header x-api-key of flow Invoices"),
            ],
            {"EMPTY": ""},
        )
    assert info.value.message == (
        "environment variables are missing: NOPE (not set): header x-api-key of flow "
        "Orders, header x-api-key of flow Invoices; EMPTY (empty): signing secret of flow Orders"
    )


@pytest.mark.parametrize("value", ["line\r\nX-Injected: 1", "a\nb", "nul\0"])
def test_a_header_secret_with_a_line_break_is_refused_naming_the_variable_not_its_value(
    value: str,
) -> None:
    with pytest.raises(InvalidSecret) as info:
        resolve_secrets([SecretRef("API_KEY", "header x-api-key of flow A")], {"API_KEY": value})
    assert "API_KEY (header x-api-key of flow A) contains" in info.value.message
    assert value not in info.value.message and "X-Injected" not in info.value.message


SENTINELS = ["SENTINEL/\u00e9-\u00fc9", 'SENT"IN\\EL', "s3cr3t+key=&/?"]


@pytest.mark.parametrize("secret", SENTINELS)
def test_the_masker_hides_a_secret_in_every_spelling_a_receiver_may_echo(secret: str) -> None:
    masker = Masker()
    masker.add(secret)
    raw = secret.encode()
    spellings = [
        secret,
        json.dumps({"x-api-key": secret}),
        json.dumps({"x-api-key": secret}, ensure_ascii=False),
        json.dumps(secret).replace("/", "\\/"),
        urllib.parse.quote(secret, safe=""),
        urllib.parse.urlencode({"k": secret}),
        base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    ]
    for text in spellings:
        shown = masker.mask(f"HTTP 400: {text}")
        assert MASK in shown, text
        assert secret not in shown and base64.b64encode(raw).decode() not in shown


def test_an_unpadded_signing_secret_is_read_as_the_reference_libraries_read_it() -> None:
    key = b"k" * 31  # base64 with one padding character
    padded = base64.b64encode(key).decode()
    assert padded.endswith("=")
    assert decode_secret("whsec_" + padded) == key
    assert decode_secret("whsec_" + padded.rstrip("=")) == key
    assert decode_secret(padded.rstrip("=")) == key
