"""Pins the public face of ``tradecover.jobs``: what other contexts and the edges may call."""

from __future__ import annotations

from types import ModuleType

import tradecover.jobs as face


def test_public_names_are_pinned() -> None:
    assert sorted(face.__all__) == sorted(
        [
            "Job",
            "JobWorker",
            "Queue",
            "check_insurer_admin",
            "check_upload",
            "declarations_upload",
            "get_job",
            "publish",
            "recent_jobs",
            "register_kind",
            "submit_job",
        ]
    )


def test_every_public_name_resolves_to_what_it_names() -> None:
    for name in face.__all__:
        assert getattr(face, name) is not None, name
        assert not isinstance(getattr(face, name), ModuleType), name
