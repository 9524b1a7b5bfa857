"""Settings of bench/onboarding.py: the production settings, with the captcha in test mode and nothing else changed.

The production settings refuse PORTAL_CAPTCHA_TEST_MODE=1 with DEBUG off, so the environment keeps it off (the
refusal does not fire) and only django-simple-captcha's own switch is turned on here: the answer "PASSED" is
accepted. The captcha still costs what it costs in production (a challenge row written when a form is shown,
deleted when it is answered); only the image is not read. Never deploy with this module.
"""

from chorus_portal.settings import *  # noqa: F403

CAPTCHA_TEST_MODE = True
