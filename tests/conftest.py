"""Shared set-up of the project's tests."""

import os
import uuid

# Every sandbox started by this test run carries this word on its command line, so that
# the checks for left-over processes see this run's sandboxes only, not another run's.
os.environ.setdefault("BACKPROP_JUDGE_TAG", f"judge-test-{uuid.uuid4().hex[:10]}")

# Property tests draw the same examples on every run (`make test` must give the same
# verdict each time); HYPOTHESIS_PROFILE=explore draws new ones, to hunt for bugs.
from hypothesis import settings  # noqa: E402

settings.register_profile("repeatable", derandomize=True, print_blob=True)
settings.register_profile("explore", derandomize=False, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
