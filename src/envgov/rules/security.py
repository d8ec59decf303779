"""Policy numbers of sign-in protection: how many failed attempts are free, how the wait grows after
them, and when a count is forgotten. Plain Python (no Django), so the policy can be read and tested alone.

Failures are counted under three keys (see envgov.apps.accounts.throttle):

* one account from one client address — the ordinary guesser, and the owner who mistypes;
* one client address across accounts — one machine trying many names (an office behind one NAT address
  shares it, hence the higher allowance);
* one account from any address — guessing spread over many machines. This key does not apply to a
  browser that has signed in to that account before (it carries a signed "known browser" cookie), so a
  stranger cannot keep the owner out from the owner's own browser.

No key ever locks: once its free failures are used up, each further attempt under it must wait a delay
that doubles with every failure, up to a cap. Waiting out the delay always gives one more try.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int  # failures allowed before any wait
    base_delay_seconds: int  # the wait after the first failure past the free ones
    max_delay_seconds: int  # the wait never grows beyond this
    forget_after_seconds: int  # a count with no new failure for this long starts again from zero

    def delay_after(self, failures: int) -> int:
        """Seconds to wait after the last failure, when `failures` have been counted under the key."""
        over = failures - self.free_failures
        if over < 0:
            return 0
        return min(self.max_delay_seconds, self.base_delay_seconds * (2 ** min(over, 30)))


PAIR = ThrottlePolicy(free_failures=5, base_delay_seconds=30, max_delay_seconds=15 * 60,
                      forget_after_seconds=24 * 3600)
ADDRESS = ThrottlePolicy(free_failures=30, base_delay_seconds=30, max_delay_seconds=15 * 60,
                         forget_after_seconds=24 * 3600)
ACCOUNT = ThrottlePolicy(free_failures=10, base_delay_seconds=60, max_delay_seconds=15 * 60,
                         forget_after_seconds=24 * 3600)
# Bad API tokens count against the client address only (an unknown token names no account).
TOKEN_ADDRESS = ThrottlePolicy(free_failures=20, base_delay_seconds=30, max_delay_seconds=15 * 60,
                               forget_after_seconds=24 * 3600)

# How long a browser stays "known" for an account after signing in to it.
KNOWN_BROWSER_DAYS = 180

# Second factor (TOTP, RFC 6238): 30-second steps, 6 digits, one step of clock drift either way.
TOTP_STEP_SECONDS = 30
TOTP_DIGITS = 6
TOTP_DRIFT_STEPS = 1
TOTP_ROLES = frozenset({"admin", "coordinator"})  # roles that may enrol
