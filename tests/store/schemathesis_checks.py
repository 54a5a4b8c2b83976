"""Which schemathesis checks cannot hold for a case, for the stateless and stateful API tests
(tests/store/test_schemathesis.py, tests/store/test_schemathesis_stateful.py)."""

from typing import Any

from schemathesis.checks import CheckFunction, negative_data_rejection, positive_data_acceptance


def excluded_checks(case: Any) -> list[CheckFunction]:
    """ "Schema-valid data must be accepted" never holds here: JSON Schema cannot say that a
    country code must exist in ISO 3166, that `decided` is not before `lodged`, or that an edit
    needs the current ETag; those answer 422, 412 or 428 naming the field, as the contract asks.

    The tests always send the officer's token, so that an invalid case tests what else is wrong
    with it. Where the token was what schemathesis made invalid, the request sent may be valid
    after all, so "invalid data must be rejected" cannot hold for that case either. (Missing
    tokens are still tried: schemathesis drops a header it removed on purpose, and its
    `ignored_auth` check re-sends requests without one.)"""
    if case.operation.schema.is_security_param_negated(case):
        return [positive_data_acceptance, negative_data_rejection]
    return [positive_data_acceptance]
