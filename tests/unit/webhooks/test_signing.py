"""Standard Webhooks signatures: the specification's example, rotation and refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tradecover.kit.errors import ValidationFailed
from tradecover.webhooks import SignatureRefused, new_secret, sign, verify
from tradecover.webhooks.signing import headers

# the example of the Standard Webhooks reference libraries
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
STAMP = 1614265330
BODY = b'{"test": 2432232314}'
EXPECTED = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
AT = datetime.fromtimestamp(STAMP, UTC)


def test_the_reference_example_signs_the_same() -> None:
    assert sign(SECRET, MSG_ID, STAMP, BODY) == EXPECTED


def test_a_receiver_verifies_what_was_signed() -> None:
    verify(SECRET, headers([SECRET], MSG_ID, STAMP, BODY), BODY, now=AT)


def test_during_a_rotation_either_secret_verifies() -> None:
    new = new_secret()
    both = headers([new, SECRET], MSG_ID, STAMP, BODY)
    assert len(both["webhook-signature"].split(" ")) == 2
    verify(new, both, BODY, now=AT)
    verify(SECRET, both, BODY, now=AT)


@pytest.mark.parametrize("tamper", ["body", "id", "timestamp", "secret", "stale"])
def test_a_tampered_or_stale_message_is_refused(tamper: str) -> None:
    sent = headers([SECRET], MSG_ID, STAMP, BODY)
    body, now, secret = BODY, AT, SECRET
    if tamper == "body":
        body = BODY + b" "
    elif tamper == "id":
        sent["webhook-id"] = "msg_other"
    elif tamper == "timestamp":
        sent["webhook-timestamp"] = str(STAMP + 1)
    elif tamper == "secret":
        secret = new_secret()
    else:
        now = AT + timedelta(minutes=6)
    with pytest.raises(SignatureRefused):
        verify(secret, sent, body, now=now)


def test_a_fresh_secret_has_the_prefix_and_enough_bytes() -> None:
    made = new_secret()
    assert made.startswith("whsec_") and made != new_secret()
    sign(made, MSG_ID, STAMP, BODY)


@pytest.mark.parametrize("bad", ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_!!", "whsec_YWJj"])
def test_a_malformed_secret_is_refused(bad: str) -> None:
    with pytest.raises(ValidationFailed):
        sign(bad, MSG_ID, STAMP, BODY)
