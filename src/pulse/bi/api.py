"""A small client of Superset's REST API (login, dashboards, charts, chart data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests


class ApiError(RuntimeError):
    """Superset answered with an error; the message has the URL and the body."""


@dataclass
class SupersetApi:
    base_url: str
    timeout: float = 300.0
    session: requests.Session = field(default_factory=requests.Session)

    def login(self, username: str, password: str) -> None:
        body: dict[str, Any] = {
            "username": username,
            "password": password,
            "provider": "db",
            "refresh": True,
        }
        resp = self.session.post(
            f"{self.base_url}/api/v1/security/login", json=body, timeout=self.timeout
        )
        if resp.status_code != 200:
            raise ApiError(f"login as {username} failed: {resp.status_code} {resp.text[:300]}")
        self.session.headers["Authorization"] = f"Bearer {resp.json()['access_token']}"

    def get(self, path: str) -> Any:
        resp = self.session.get(f"{self.base_url}{path}", timeout=self.timeout)
        if resp.status_code != 200:
            raise ApiError(f"GET {path}: {resp.status_code} {resp.text[:1000]}")
        return resp.json()

    def dashboard(self, slug: str) -> dict[str, Any]:
        return dict(self.get(f"/api/v1/dashboard/{slug}")["result"])

    def dashboard_charts(self, slug: str) -> list[dict[str, Any]]:
        return list(self.get(f"/api/v1/dashboard/{slug}/charts")["result"])

    def chart_data(self, chart_id: int) -> dict[str, Any]:
        """The chart's saved query run by Superset (the chart-data API), first query."""
        payload = self.get(f"/api/v1/chart/{chart_id}/data/?force=true")
        return dict(payload["result"][0])
