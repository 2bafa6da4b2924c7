"""Ids past what an INTEGER column holds, on SQLite and PostgreSQL."""

from __future__ import annotations


def test_ids_past_an_integer_column_are_a_404_on_every_route(app, client, login):
    """PostgreSQL refuses an INTEGER past 2**31 - 1 where SQLite takes it: an id in a URL or a slip number
    that large is simply not found, never a database error."""
    login("root", "admin")
    huge = str(2**31)
    routes = [r for r in app.url_map.iter_rules() if "<int:" in r.rule]
    assert len(routes) > 20
    for route in routes:
        path = route.rule
        for name in route.arguments:
            path = path.replace(f"<int:{name}>", huge).replace(f"<{name}>", "x")
        method = "POST" if "POST" in route.methods else "GET"
        assert client.open(path, method=method).status_code in (404, 405), path  # not found, never a 500
    for number in (f"DH-2026-{huge}", "DH-2026-999999999999"):
        assert client.get(f"/admin/redemptions/{number}").status_code == 404
