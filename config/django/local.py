"""Developer machine: `make run`.

DEBUG stays off unless asked (`DEBUG=1 make run`): with it on, a mistyped address shows Django's English
technical page listing every URL pattern instead of the site's own 404 page. Static files are served by
whitenoise straight from the app directories (no collectstatic needed); media serving is not decided here.
"""

from config.django.base import *  # noqa: F403
from config.env import env_bool

DEBUG = env_bool("DEBUG", False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
