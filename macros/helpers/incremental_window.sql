{#-
    The window an incremental model rebuilds. DESIGN.md: recompute every partition that
    new data or the lookback window touches, and insert_overwrite those partitions.

    incremental_start(upstreams, upstream_date, date_column) returns the first date to
    rebuild as 'YYYY-MM-DD', or none for a full build:
      - a first run or --full-refresh has no start (none);
      - a backfill (`pulse backfill`) starts at var('backfill_start');
      - otherwise it is the earlier of
          (a) the newest date already built minus var('lookback_days'), and
          (b) the earliest `upstream_date` among upstream rows loaded (`_loaded_at`)
              after the newest `_loaded_at` this model has already seen,
        so a late event of any age is rebuilt, not lost; the late-data audit mart
        reports the ones older than the lookback.
    Every date from the start on is rebuilt, which also keeps rolling windows right.
    `upstreams` is a list of relations, each with `_loaded_at` and
    `upstream_date` (one column name, or a list with one per upstream). Upstream files
    are pruned by modification time (less var('clock_skew_seconds'), for a loader or
    server whose clock is ahead of the storage's): a lake copied with its old file times
    needs a --full-refresh.
-#}
{% macro incremental_start(upstreams, upstream_date="event_date", date_column="event_date") %}
    {%- if not is_incremental() or not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if var("backfill_start") -%}
        {{ log(this.identifier ~ ": backfilling " ~ date_var("backfill_start") ~ " to "
            ~ (date_var("backfill_end") or "the newest date"), info=true) }}
        {{ return(date_var("backfill_start")) }}
    {%- endif -%}
    {%- set built = built_watermark(date_column) -%}
    {%- if built[0] is none or built[1] is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set fresh_sql -%}
        select cast(min(first_new_date) as string) from (
        {%- for upstream in upstreams %}
            {%- set date_col = upstream_date[loop.index0] if upstream_date is not string else upstream_date %}
            select min({{ date_col }}) as first_new_date
            from {{ upstream }}
            where _loaded_at > timestamp '{{ built[1] }}'
                {#- A row loaded after the watermark is in a file written after it (by
                    the loader, or by the upstream model's run): only the newest files are
                    read, not a year of them. Not load_date: a load can be given an
                    earlier load_date (the tests date theirs), its _loaded_at and file
                    times cannot. -#}
                and _metadata.file_modification_time
                    > timestamp '{{ built[1] }}' - interval {{ var("clock_skew_seconds") | int }} seconds
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
        )
    {%- endset -%}
    {%- set first_new = run_query(fresh_sql).rows[0][0] -%}
    {%- set newest_built = modules.datetime.date.fromisoformat(built[0][:10]) -%}
    {%- set lookback = modules.datetime.timedelta(days=int_var("lookback_days")) -%}
    {%- set start = (newest_built - lookback).isoformat() -%}
    {%- if first_new and first_new[:10] < start -%}
        {%- set start = first_new[:10] -%}
    {%- endif -%}
    {{ log(this.identifier ~ ": rebuilding from " ~ start, info=true) }}
    {{ return(start) }}
{% endmacro %}

{#- The last date a backfill rebuilds (none: up to the newest data, or a full build). -#}
{% macro incremental_end() %}
    {%- if not is_incremental() -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(date_var("backfill_end")) }}
{% endmacro %}

{#- A date var that reaches SQL (backfill_start, backfill_end): 'YYYY-MM-DD' or empty,
    anything else stops the run; `pulse backfill` validates too, `pulse dbt --vars` not. -#}
{% macro date_var(name) %}
    {%- set value = var(name) -%}
    {%- if not execute -%}  {#- parsing or linting: nothing reaches Spark yet -#}
        {{ return(value) }}
    {%- endif -%}
    {%- if not value -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set text = value | string -%}
    {%- set digits = text[:4] ~ text[5:7] ~ text[8:] -%}
    {%- if not (text | length == 10 and text[4] == "-" and text[7] == "-"
        and digits.isascii() and digits.isdigit()) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a date like 2024-01-31, got " ~ (value | string)[:40]) }}
    {%- endif -%}
    {{ return(value | string) }}
{% endmacro %}

{#- An integer var that reaches SQL (lookback_days); anything else stops the run. -#}
{% macro int_var(name) %}
    {%- set value = var(name) | string -%}
    {%- if not execute -%}
        {{ return(value) }}
    {%- endif -%}
    {%- if not (value | length <= 4 and value.isascii() and value.isdigit()) -%}
        {{ exceptions.raise_compiler_error(
            "var " ~ name ~ " must be a whole number of days, got " ~ value[:40]) }}
    {%- endif -%}
    {{ return(value | int) }}
{% endmacro %}

{#- A where-clause fragment keeping `column` within [start - offset_days, end]. -#}
{% macro window_filter(column, start, end=none, offset_days=0) -%}
    {%- if start -%}
        {{ column }} >= date_sub(date '{{ start }}', {{ offset_days }})
    {%- else -%}
        true
    {%- endif -%}
    {%- if end %} and {{ column }} <= date '{{ end }}'{% endif -%}
{%- endmacro %}

{#- The months a monthly mart rebuilds: from the month of `start` (incremental_start
    with date_column 'last_day(month_start)', so the newest month is always rebuilt and
    earlier months only when new rows reach them) to the month of `end`. A where-clause
    fragment over fct_events' local_date, with event_date (UTC, within a day of it)
    pruning partitions. -#}
{% macro month_window_filter(start, end=none) -%}
    {%- if start -%}
        event_date >= date_sub(trunc(date '{{ start }}', 'MM'), 1)
        and local_date >= trunc(date '{{ start }}', 'MM')
    {%- else -%}
        true
    {%- endif -%}
    {%- if end %}
        and event_date <= date_add(last_day(date '{{ end }}'), 1)
        and local_date <= last_day(date '{{ end }}')
    {%- endif -%}
{%- endmacro %}
