"""Project-wide pytest setup.

Hypothesis: no per-example deadline. Timing is asked of benchmarks, never of tests,
and a deadline only makes property tests flaky on a loaded two-core CI machine.
"""

from hypothesis import HealthCheck, settings

settings.register_profile(
    "pylwm2m", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("pylwm2m")
