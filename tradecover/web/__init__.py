"""Web dashboard adapter: server-rendered pages in English, Chinese and Korean.

:mod:`tradecover.web.kit` is the page kit every page builds on; each context's pages live
in ``tradecover/web/<context>/`` and their templates in ``templates/<context>/`` (the
shared layout ``base.html`` and ``error.html`` stay at the top).
"""
