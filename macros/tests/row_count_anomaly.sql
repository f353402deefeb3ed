{#-
    Volume gate: fails (or warns, per severity) for each day whose row count is below
    `min_ratio` times the median of the previous `window_days` days. A half-empty day
    looks like this; a genuinely new source (no history) passes.
-#}
{% test row_count_anomaly(model, date_column, window_days=7, min_ratio=0.5) %}
    with daily as (
        select
            {{ date_column }} as day,
            count(*) as n_rows
        from {{ model }}
        group by {{ date_column }}
    ),

    with_history as (
        select
            day,
            n_rows,
            percentile_approx(n_rows, 0.5) over (
                order by day rows between {{ window_days }} preceding and 1 preceding
            ) as median_before,
            count(*) over (
                order by day rows between {{ window_days }} preceding and 1 preceding
            ) as days_before
        from daily
    )

    select *
    from with_history
    where days_before >= {{ window_days }}
        and n_rows < {{ min_ratio }} * median_before
{% endtest %}
