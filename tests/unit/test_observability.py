"""Tracing is the stack's choice (XRayTracing): off, the functions never load the X-Ray SDK."""

import pytest

from balance_monitor.observability import TRACING_DISABLED_VARIABLE, Untraced, make_tracer


@pytest.mark.parametrize("value", ["true", "True", "1", "yes", "on"])
def test_tracing_turned_off_gives_a_tracer_that_does_nothing(value):
    tracer = make_tracer({TRACING_DISABLED_VARIABLE: value})

    def handler(event, context):
        return {"event": event}

    assert isinstance(tracer, Untraced)
    assert tracer.capture_lambda_handler(handler) is handler
    tracer.put_annotation(key="account", value="default")


def test_a_value_that_is_not_true_or_false_is_refused_as_powertools_refuses_it():
    with pytest.raises(ValueError, match="invalid truth value"):
        make_tracer({TRACING_DISABLED_VARIABLE: "maybe"})
