"""The web pages: the availability matrix, a model's page and the timeline, as server-rendered
HTML (Jinja templates, one stylesheet, a little optional JavaScript; no outside requests).

Pages share the API's caching (caching.py reads the `page` description on each view, as it reads
an API view's Operation) and answer errors as HTML problem pages.
"""

from . import views
from .pages import STATIC, bp

__all__ = ["STATIC", "bp", "views"]
