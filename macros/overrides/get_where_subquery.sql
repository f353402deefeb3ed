{#-
    What a generic data test reads. dbt's own version applies the test's `where:` config;
    this one also scopes tests of incremental models on an incremental run to the rows
    that run wrote, so a daily build's tests cost the rebuilt window, not the history.

    "The rows this run wrote" are those in parquet files modified since the invocation
    started (Spark's `_metadata.file_modification_time`, minus var('clock_skew_seconds')
    for a server whose clock is behind dbt's): insert_overwrite rewrites exactly the
    partitions in the incremental window (new day, late rows, lookback), so every rebuilt
    partition, and nothing else, is tested. This applies only to `dbt build`, which runs the model and
    then its tests in one invocation. Not scoped, i.e. every row is tested:
      - `dbt test`, a `--full-refresh` build, any run with `--vars '{test_scope: all}'`,
        and a build that does not select the tested model;
      - tests of views, tables, seeds and snapshots (rebuilt whole anyway), singular
        tests, and tests with `meta: {test_scope: all}` (e.g. a volume test that compares
        a day with the days before it).
-#}
{% macro spark__get_where_subquery(relation) -%}
    {%- set filters = [] -%}
    {%- set where = config.get("where", "") -%}
    {%- if where -%}
        {%- do filters.append("(" ~ where ~ ")") -%}
    {%- endif -%}
    {%- set scope = rewritten_rows_filter() -%}
    {%- if scope -%}
        {%- do filters.append(scope) -%}
    {%- endif -%}
    {%- if filters -%}
        {%- do return("(select * from " ~ relation ~ " where " ~ filters | join(" and ") ~ ") dbt_subquery") -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}

{#- The filter keeping the rows of files this invocation wrote, or '' (test every row). -#}
{% macro rewritten_rows_filter() -%}
    {%- if not execute or flags.WHICH != "build" or flags.FULL_REFRESH
        or var("test_scope") == "all" -%}
        {%- do return("") -%}
    {%- endif -%}
    {%- if (model.config.get("meta") or {}).get("test_scope") == "all" -%}
        {%- do return("") -%}
    {%- endif -%}
    {%- set tested = graph.nodes.get(model.get("attached_node") or "") -%}
    {%- if not tested or tested.config.materialized != "incremental"
        or tested.unique_id not in selected_resources -%}
        {%- do return("") -%}
    {%- endif -%}
    {%- set skew = modules.datetime.timedelta(seconds=var("clock_skew_seconds") | int) -%}
    {%- set since = run_started_at - skew -%}
    {%- do return(
        "_metadata.file_modification_time >= timestamp '"
        ~ since.strftime("%Y-%m-%d %H:%M:%S") ~ "'"
    ) -%}
{%- endmacro %}
