{#-
    Test-gated publish of what the dashboards read. `pulse` runs it only after a `dbt
    build` with no failing test or model: dbt run-operation publish_serving

    For every model an exposure depends on (models/marts/_exposures.yml), it copies the
    mart into `serving_versions.<mart>__v<run stamp>`, then repoints the view
    `serving.<mart>` at the copy with `alter view ... as`, a single metastore update:
    a reader sees the previous publish or this one, never a partition halfway through an
    insert_overwrite or a table halfway through a rebuild. The views are repointed only
    after every copy exists, so the marts of one publish go live together. The newest
    `keep` versions of each mart stay (a query that resolved the previous view can finish
    reading it); older ones are dropped. `serving.last_published` says which version is
    live.
-#}
{% macro publish_serving(keep=2) %}
    {% set version = run_started_at.strftime("%Y%m%d%H%M%S") %}
    {% set marts = {} %}
    {% for exposure in graph.exposures.values() if exposure.package_name == project_name %}
        {% for node_id in exposure.depends_on.nodes if node_id.startswith("model.") %}
            {% set node = graph.nodes[node_id] %}
            {% do marts.update({node.alias: node.schema ~ "." ~ node.alias}) %}
        {% endfor %}
    {% endfor %}
    {% if not marts %}
        {{ exceptions.raise_compiler_error("publish_serving: no exposure depends on a model") }}
    {% endif %}
    {% do adapter.execute("create schema if not exists serving_versions", fetch=false) %}
    {% do adapter.execute("create schema if not exists serving", fetch=false) %}
    {% for name, relation in marts | dictsort %}
        {% do adapter.execute(
            "create table serving_versions." ~ name ~ "__v" ~ version
            ~ " using parquet as select * from " ~ relation,
            fetch=false,
        ) %}
    {% endfor %}
    {#- `create or replace view` drops and recreates (a reader can find no view);
        `alter view ... as` is one metastore alterTable, so an existing view is altered -#}
    {% set live = [] %}
    {% for row in adapter.execute("show views in serving", fetch=true)[1] %}
        {% do live.append(row["viewName"]) %}
    {% endfor %}
    {% for name in marts | sort %}
        {% do adapter.execute(
            ("alter view serving." if name in live else "create view serving.") ~ name
            ~ " as select * from serving_versions." ~ name ~ "__v" ~ version,
            fetch=false,
        ) %}
    {% endfor %}
    {% do adapter.execute(
        ("alter view" if "last_published" in live else "create view")
        ~ " serving.last_published as select '" ~ version
        ~ "' as version, timestamp '" ~ run_started_at.strftime("%Y-%m-%d %H:%M:%S")
        ~ "' as published_at_utc, " ~ marts | length ~ " as marts",
        fetch=false,
    ) %}
    {% set listed = adapter.execute("show tables in serving_versions", fetch=true)[1] %}
    {% for name in marts | sort %}
        {% set versions = [] %}
        {% for row in listed if row["tableName"].startswith(name ~ "__v") %}
            {% set suffix = row["tableName"][(name ~ "__v") | length:] %}
            {% if suffix | length == 14 and suffix.isdigit() %}
                {% do versions.append(row["tableName"]) %}
            {% endif %}
        {% endfor %}
        {% for old in (versions | sort(reverse=true))[keep:] %}
            {% do adapter.execute("drop table if exists serving_versions." ~ old, fetch=false) %}
        {% endfor %}
    {% endfor %}
    {{ log("PULSE_PUBLISHED " ~ tojson({"version": version, "marts": marts | sort}), info=true) }}
{% endmacro %}
