{#-
    Registers the loader's parquet directories as external tables in the `raw` schema,
    from the same source declarations the loader reads (models/staging/*/_*__sources.yml).
    Dropping an external table keeps its files, so re-registering is safe and picks up
    schema changes; the partitions the loader wrote are found by listing the directories
    (or by `recover partitions` on a server that keeps partitions in its metastore).
    Run by `pulse` before every build: dbt run-operation register_raw_tables --args '{lake: ...}'
-#}
{% macro register_raw_tables(lake) %}
    {% if not lake %}
        {{ exceptions.raise_compiler_error("register_raw_tables needs the lake path") }}
    {% endif %}
    {#- the path is pasted into `location '...'`: letters, digits and / . _ - : + @ only #}
    {% if not modules.re.fullmatch("[A-Za-z0-9/._:+@-]+", lake) %}
        {{ exceptions.raise_compiler_error(
            "register_raw_tables: the lake path may hold only letters, digits and / . _ - : + @,"
            ~ " got " ~ lake[:200]) }}
    {% endif %}
    {% do adapter.execute("create schema if not exists raw", fetch=false) %}
    {#- conf/spark-defaults.conf: partitions are listed from the directories, not the
        metastore; a server that keeps them in the metastore needs `recover partitions` -#}
    {% set managed = run_query("set spark.sql.hive.manageFilesourcePartitions").rows %}
    {% set partitions_in_metastore = not managed or (managed[0][1] | string | lower) != "false" %}
    {% for node in graph.sources.values() if node.package_name == project_name %}
        {% set loader_columns = [
            "_event_ts timestamp", "_source_file string", "_row_number bigint",
            "_loaded_at timestamp", "_extra_columns string",
        ] %}
        {% set columns = [] %}
        {% if node.source_name == "loader" %}
            {% for column in node.columns.values() if column.name != "load_date" %}
                {% do columns.append(column.name ~ " " ~ (column.data_type or "string")) %}
            {% endfor %}
            {% set partitions = ["load_date"] %}
        {% else %}
            {% for column in node.columns.values() %}
                {% do columns.append(column.name ~ " string") %}
            {% endfor %}
            {% do columns.extend(loader_columns) %}
            {% set partitions = ["load_date", "event_date"] %}
        {% endif %}
        {% for partition in partitions %}
            {% do columns.append(partition ~ " date") %}
        {% endfor %}
        {% set location = lake ~ "/" ~ node.source_name ~ "/" ~ node.name %}
        {% do adapter.execute("drop table if exists raw." ~ node.name, fetch=false) %}
        {% do adapter.execute(
            "create table raw." ~ node.name ~ " (" ~ columns | join(", ") ~ ")"
            ~ " using parquet partitioned by (" ~ partitions | join(", ") ~ ")"
            ~ " location '" ~ location ~ "'",
            fetch=false,
        ) %}
        {% if partitions_in_metastore %}
            {% do adapter.execute("alter table raw." ~ node.name ~ " recover partitions", fetch=false) %}
        {% endif %}
        {{ log("registered raw." ~ node.name ~ " at " ~ location, info=true) }}
    {% endfor %}
{% endmacro %}
