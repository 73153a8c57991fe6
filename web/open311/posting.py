"""A request posted to Open311 (``POST requests``), read and checked: the API key, the
report it describes (service, place, point, description) and the requester it is filed for.
Filing it is ``cases.filing.file_report``'s, as the chat's reports are."""

from __future__ import annotations

from datetime import datetime

from cases.filing import Filing
from core.categories import Category, category_by_code
from core.lifecycle import Privacy, ReportType
from core.limits import DESCRIPTION_MAX, DESCRIPTION_MIN
from core.open311 import OPEN311_CHANNEL, hash_api_key
from storage.models import ApiKey, Citizen, Report
from storage.open311 import Open311Repository
from storage.uow import UnitOfWork
from web.open311.config import Open311Config
from web.open311.guards import Open311Error
from web.open311.location import PlaceProblem, resolve_place


async def api_key(
    config: Open311Config, filing: Filing | None, repo: Open311Repository, given: str
) -> ApiKey:
    """The key a post carries, live; refused while the API takes no posts."""
    if not config.accept_requests or filing is None:
        raise Open311Error(403, "open311.error.posting_closed")
    key = await repo.key_with_hash(hash_api_key(given)) if given.strip() else None
    if key is None or key.revoked_at is not None:
        raise Open311Error(403, "open311.error.api_key")
    return key


def report_of(config: Open311Config, field: dict[str, str], now: datetime) -> Report:
    """The report a post describes, each field checked (a 400 that says which otherwise)."""
    category = known_category(config, field.get("service_code", ""))
    lat, lon = _point(config, field.get("lat", ""), field.get("long", ""))
    where = resolve_place(
        config.regions, field.get("address_string", ""), field.get("address_id", "")
    )
    if isinstance(where, PlaceProblem):
        key = where.key
        if key == "open311.error.location_missing" and lat is not None:
            key = "open311.error.point_only"
        raise Open311Error(400, key, address=where.address[:80])
    return Report(
        tracking_no="",
        channel=OPEN311_CHANNEL,
        report_type=ReportType.PENGADUAN.value,
        category=category.code,
        region_code=where.desa.code,
        address_detail=where.detail[:500],
        latitude=lat,
        longitude=lon,
        description=_description(config, field),
        privacy=Privacy.BIASA.value,
        created_at=now,
        updated_at=now,
    )


def known_category(config: Open311Config, code: str) -> Category:
    if not code.strip():
        raise Open311Error(400, "open311.error.service_code_missing")
    category = category_by_code(config.categories, code.strip())
    if category is None:
        raise Open311Error(400, "open311.error.service_code", code=code.strip()[:40])
    return category


def _point(
    config: Open311Config, lat_text: str, lon_text: str
) -> tuple[float | None, float | None]:
    if not lat_text.strip() and not lon_text.strip():
        return None, None
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        raise Open311Error(400, "open311.error.point") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Open311Error(400, "open311.error.point")
    if not config.region_bounds.contains(lat, lon):  # the chat's rule (REGION_BOUNDS)
        raise Open311Error(400, "open311.error.point_outside")
    return lat, lon


def _description(config: Open311Config, field: dict[str, str]) -> str:
    text = field.get("description", "").strip()
    if len(text) < DESCRIPTION_MIN:
        raise Open311Error(400, "open311.error.description_short", minimum=DESCRIPTION_MIN)
    media = field.get("media_url", "").strip()
    if media:
        if not media.startswith(("https://", "http://")) or len(media) > 500:
            raise Open311Error(400, "open311.error.media_url")
        line = config.catalogs.get(config.language).t("open311.media_line", url=media)
        text = text[: DESCRIPTION_MAX - len(line) - 2] + "\n\n" + line
    if len(text) > DESCRIPTION_MAX:
        raise Open311Error(400, "open311.error.description_long", maximum=DESCRIPTION_MAX)
    return text


async def requester(config: Open311Config, uow: UnitOfWork, key: ApiKey, now: datetime) -> Citizen:
    """The system that files (one requester per API key). The person behind it is not
    stored: names, e-mail and phone stay with the system that knows them."""
    user_id = f"apikey:{key.id}"
    citizen = await uow.citizens.get(OPEN311_CHANNEL, user_id)
    if citizen is not None:
        return citizen
    return await uow.citizens.add(
        Citizen(
            channel=OPEN311_CHANNEL,
            user_id=user_id,
            chat_id="",
            name=f"{key.name} (Open311)"[:200],
            username="",
            language=config.language,
            consent_at=now,
            consent_version=OPEN311_CHANNEL,
            created_at=now,
        )
    )
