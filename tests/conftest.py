"""Shared set-up of the project's tests."""

import os
import uuid

# Every sandbox started by this test run carries this word on its command line, so that
# the checks for left-over processes see this run's sandboxes only, not another run's.
os.environ.setdefault("BACKPROP_JUDGE_TAG", f"judge-test-{uuid.uuid4().hex[:10]}")
