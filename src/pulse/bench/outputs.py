"""The four outputs compared between the marts and the baselines, read from the marts."""

from __future__ import annotations

MART_QUERIES: dict[str, str] = {
    "active_users": """
        select product, cast(activity_date as string) as activity_date, dau, mau_rolling_30d
        from marts.active_users_daily
    """,
    "sessions": """
        select
            cast(session_date as string) as session_date,
            source as product,
            count(*) as sessions,
            sum(event_count) as events,
            sum(case when event_count = 1 then 1 else 0 end) as bounces,
            cast(sum(session_length_seconds) as string) as total_length_seconds
        from marts.fct_sessions
        group by session_date, source
    """,
    "top_campaigns": """
        select
            revenue_rank, campaign_id, cast(revenue as string) as revenue,
            confirmed_purchase_count, session_count
        from marts.top_campaigns_by_revenue
    """,
    "channel_ranks": """
        select campaign_id, channel_id, sessions_count, channel_rank
        from marts.channel_rank_by_campaign
    """,
}

# Columns that identify a row of each output (the rest are the measured values).
KEYS: dict[str, tuple[str, ...]] = {
    "active_users": ("product", "activity_date"),
    "sessions": ("session_date", "product"),
    "top_campaigns": ("revenue_rank",),
    "channel_ranks": ("campaign_id", "channel_id"),
}
