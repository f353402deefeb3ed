{#-
    What an incremental model has already built: its newest partition and the newest
    `_loaded_at` among its rows (the watermark). incremental_start needs both on every
    run; reading them from the data means a scan of every file of the table, which grows
    with history. So each run records them as table properties (record_watermark, a
    post-hook), from the rows it wrote, and the next run reads them with one metastore
    call (built_watermark).

    Why the recorded values are right: a run rewrites whole partitions, and partitions it
    did not rewrite are unchanged, so the table's maximum is the greater of the recorded
    maximum and the maximum over the files this run wrote (modified since it started,
    less var('clock_skew_seconds')). A full refresh recreates the table without
    properties and records the maximum of every row. If a run fails before recording,
    the old values are lower than the truth, which only makes the next run rebuild more;
    a table with no properties (built before this macro) is scanned as before.
-#}

{%- macro _watermark_partition() -%}
    {%- set partition_by = config.get("partition_by") -%}
    {{- return(partition_by if partition_by is string else partition_by[0]) -}}
{%- endmacro -%}

{%- macro _recorded_watermark(relation) -%}
    {%- set found = {} -%}
    {%- for row in run_query("show tblproperties " ~ relation).rows -%}
        {%- if row[0] in ("pulse.last_partition", "pulse.watermark") -%}
            {%- do found.update({row[0]: row[1]}) -%}
        {%- endif -%}
    {%- endfor -%}
    {{- return(found) -}}
{%- endmacro -%}

{#- [newest date_column value, watermark] of `this`, as text; nones when it is empty.
    When date_column is the partition column the recorded pair is the answer, with no
    query; an expression of it (the funnels' last_day(month_start)) is applied in Spark. -#}
{% macro built_watermark(date_column) %}
    {%- set partition = _watermark_partition() -%}
    {%- set recorded = _recorded_watermark(this) -%}
    {%- if recorded | length == 2 and date_column == partition -%}
        {{ return([recorded["pulse.last_partition"], recorded["pulse.watermark"]]) }}
    {%- elif recorded | length == 2 -%}
        {%- set built_sql -%}
            select
                cast({{ date_column }} as string) as last_date,
                '{{ recorded["pulse.watermark"] }}' as watermark
            from (select date '{{ recorded["pulse.last_partition"] }}' as {{ partition }})
        {%- endset -%}
    {%- else -%}
        {%- set built_sql -%}
            select
                cast(max({{ date_column }}) as string) as last_date,
                cast(max(_loaded_at) as string) as watermark
            from {{ this }}
        {%- endset -%}
    {%- endif -%}
    {{ return(run_query(built_sql).rows[0]) }}
{% endmacro %}

{#- greatest(expression, the recorded value as a `type` literal), or the expression
    alone when nothing is recorded. -#}
{%- macro _greatest_with(expression, type, recorded) -%}
    {%- if recorded -%}
        greatest({{ expression }}, {{ type }} '{{ recorded }}')
    {%- else -%}
        {{ expression }}
    {%- endif -%}
{%- endmacro -%}

{#- Post-hook of every model (project-wide): on an incremental model, records its
    newest partition and watermark as table properties; elsewhere nothing. -#}
{% macro record_watermark() %}
    {%- if not execute or model.resource_type != "model"
        or config.get("materialized") != "incremental" -%}
        {{ return("") }}
    {%- endif -%}
    {%- set partition = _watermark_partition() -%}
    {%- set recorded = _recorded_watermark(this) if not flags.FULL_REFRESH else {} -%}
    {%- set skew = modules.datetime.timedelta(seconds=var("clock_skew_seconds") | int) -%}
    {%- set since = (run_started_at - skew).strftime("%Y-%m-%d %H:%M:%S") -%}
    {%- set written_sql -%}
        select
            cast({{ _greatest_with(
                "max(" ~ partition ~ ")", "date", recorded.get("pulse.last_partition")) }}
                as string),
            cast({{ _greatest_with(
                "max(_loaded_at)", "timestamp", recorded.get("pulse.watermark")) }}
                as string)
        from {{ this }}
        where _metadata.file_modification_time >= timestamp '{{ since }}'
    {%- endset -%}
    {%- set written = run_query(written_sql).rows[0] -%}
    {%- if written[0] is none or written[1] is none -%}
        {{ return("") }}
    {%- endif -%}
    {{ return("alter table " ~ this ~ " set tblproperties ('pulse.last_partition' = '"
        ~ written[0] ~ "', 'pulse.watermark' = '" ~ written[1] ~ "')") }}
{% endmacro %}
