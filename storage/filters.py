"""Filters shared by every metric query: team, agent, tag, channel.

Values are always bound as SQL parameters, never spliced into SQL, so a
filter such as ``team=x' OR 1=1`` is just a team nobody belongs to.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Filters:
    team: str | None = None
    agent: str | None = None
    tag: str | None = None
    channel: str | None = None

    def where(
        self, columns: dict[str, str] | None = None, table: str | None = None
    ) -> tuple[list[str], list[str]]:
        """SQL conditions and parameters for the filters that are set.

        ``columns`` renames columns for tables that call them differently
        (tickets store the agent as ``agent_name``); ``table`` qualifies
        them with an alias for joins (``r.team``).  Tags are JSON arrays.
        """
        names = {"team": "team", "agent": "agent", "channel": "channel", "tags": "tags"}
        names.update(columns or {})
        if table:
            names = {key: f"{table}.{column}" for key, column in names.items()}
        clauses: list[str] = []
        params: list[str] = []
        for key in ("team", "agent", "channel"):
            value = getattr(self, key)
            if value is not None:
                clauses.append(f"{names[key]} = ?")
                params.append(value)
        if self.tag is not None:
            clauses.append(f"EXISTS (SELECT 1 FROM json_each({names['tags']}) WHERE value = ?)")
            params.append(self.tag)
        return clauses, params

    def as_dict(self) -> dict[str, str]:
        """Only the filters that are set, for JSON output and labels."""
        return {k: v for k, v in asdict(self).items() if v is not None}

    def describe(self) -> str:
        """``team=billing agent=Dana`` or ``all teams`` — for headings."""
        return " ".join(f"{k}={v}" for k, v in self.as_dict().items()) or "all teams"
