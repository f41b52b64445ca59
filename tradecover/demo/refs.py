"""What the demo keeps of the organisations and people it creates, as structural types.

The services of access hand back their own rows; the demo reads only an id and a slug of
an organisation and the id of a person, so it names those and never imports the access
context's model.
"""

from __future__ import annotations

from typing import Protocol


class OrgRef(Protocol):
    """An organisation the demo created or looked up."""

    @property
    def id(self) -> int:
        """The organisation id."""
        ...

    @property
    def slug(self) -> str:
        """The organisation's slug."""
        ...


class UserRef(Protocol):
    """A person the demo created."""

    @property
    def id(self) -> int:
        """The person's user id."""
        ...

    @property
    def org_id(self) -> int:
        """The organisation the person belongs to."""
        ...
