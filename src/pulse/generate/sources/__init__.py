"""One module per source; ``build`` makes the sources a run asks for."""

from __future__ import annotations

from pulse.generate.sources.base import Context, Source
from pulse.generate.sources.devices import DevicePool, ad_platform, app_store
from pulse.generate.sources.flyers import Flyers
from pulse.generate.sources.marketing import Marketing
from pulse.generate.sources.notes_app import NotesApp
from pulse.generate.sources.play_store import PlayStore


def build(ctx: Context) -> list[Source]:
    """The sources of ``ctx.config.sources``, in the canonical order."""
    wanted = set(ctx.config.sources)
    out: list[Source] = []
    if wanted & {"ad_platform", "app_store"}:
        pool = DevicePool.build(ctx)
        if "ad_platform" in wanted:
            out.append(ad_platform(ctx, pool))
        if "app_store" in wanted:
            out.append(app_store(ctx, pool))
    if "flyers" in wanted:
        out.append(Flyers(ctx))
    if "notes_app" in wanted:
        out.append(NotesApp(ctx))
    if "marketing" in wanted:
        out.append(Marketing(ctx))
    if "play_store" in wanted:
        out.append(PlayStore(ctx))
    return out


__all__ = ["Context", "Source", "build"]
