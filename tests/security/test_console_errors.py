"""No request makes the console fail (security review finding 11): a strange cookie, a date out
of range or a number too big for the database is a 4xx page that says why, in the page's
language, whoever sends it."""

from __future__ import annotations

from tests.integration.test_console import Filed, World

HUGE = "9" * 40


async def _no_failure(response: object, path: str) -> str:
    status = response.status  # type: ignore[attr-defined]
    text: str = await response.text()  # type: ignore[attr-defined]
    assert status < 500, (path, status)
    assert "Traceback" not in text, path
    return text


async def test_strange_cookies_are_no_cookie(world: World) -> None:
    client = await world.client()
    try:
        for cookie in (
            "aduan_konsol=é.ü",
            "aduan_konsol=\u00e9abc.\u00fc\u00fc",
            "aduan_konsol=" + "a" * 5000 + "." + "b" * 64,
            "aduan_bahasa=\u00e9; aduan_konsol=x.y",
            "aduan_csrf=\u00e9",
        ):
            response = await client.get("/laporan", headers={"Cookie": cookie})
            text = await _no_failure(response, cookie)
            assert response.status == 401, cookie
            assert "/dasbor" in text
            sign_in = await client.post("/masuk/abc", headers={"Cookie": cookie})
            await _no_failure(sign_in, cookie)
    finally:
        await client.close()


async def test_anonymous_odd_requests_are_4xx(world: World) -> None:
    client = await world.client()
    try:
        for method, path in (
            ("GET", f"/laporan/{HUGE}/foto/{HUGE}"),
            ("GET", "/laporan?sampai=9999-12-31"),
            ("GET", "/masuk/" + "é" * 30),
            ("POST", "/masuk/" + "é" * 30),
            ("POST", "/keluar"),
            ("GET", "/ekspor?format=csv&sampai=9999-12-31"),
            ("GET", "/?lang=%C3%A9&dari=0001-01-01"),
        ):
            response = await client.request(method, path)
            await _no_failure(response, path)
    finally:
        await client.close()


async def test_signed_in_odd_numbers_and_dates_are_4xx_in_the_pages_language(
    world: World, filed: Filed
) -> None:
    client = await world.client("diskominfo")
    try:
        for path in (
            f"/laporan/{filed.done}/foto/{HUGE}",
            f"/laporan/{filed.done}/foto/\u00b2",
            f"/laporan/{filed.done}/foto/-1",
            "/laporan?sampai=9999-12-31",
            "/laporan?dari=0001-01-01&sampai=0001-01-02",
            "/?dari=9999-12-01&sampai=9999-12-31",
            "/wilayah?sampai=9999-12-31",
            "/ekspor?format=csv&sampai=9999-12-31",
            f"/audit?hal={HUGE}",
            "/audit?hal=\u00b2",
            "/laporan?hal=\u0663",
            "/laporan?unit=%00",
            "/laporan?nomor=%00",
            "/laporan/%00",
            f"/laporan?nomor={HUGE}",
            "/laporan?wilayah=" + "6" * 300,
        ):
            response = await client.get(path)
            await _no_failure(response, path)
            if "-12-31" in path or "0001" in path or "foto" in path:
                assert response.status in (400, 404), path
        english = await client.get("/laporan?sampai=9999-12-31&lang=en")
        text = await _no_failure(english, "en")
        assert "2000" in text
        assert "date" in text
        indonesian = await client.get("/laporan?sampai=9999-12-31&lang=id")
        assert "tanggal" in await _no_failure(indonesian, "id")
    finally:
        await client.close()
