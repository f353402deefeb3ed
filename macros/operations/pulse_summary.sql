{#-
    Prints rows per layer and a few active-user figures, as one JSON line that
    `pulse run` reads (prefixed PULSE_SUMMARY). Works through any target.
-#}
{% macro pulse_summary() %}
    {% set layers = {"raw": [], "staging": [], "intermediate": [], "marts": []} %}
    {% for node in graph.sources.values() if node.package_name == project_name %}
        {% do layers["raw"].append(("raw." ~ node.name)) %}
    {% endfor %}
    {% for node in graph.nodes.values()
        if node.resource_type == "model" and node.package_name == project_name %}
        {% set layer = node.fqn[1] if node.fqn | length > 2 else "marts" %}
        {% if layer in layers and node.config.materialized != "ephemeral" %}
            {% do layers[layer].append(node.schema ~ "." ~ node.alias) %}
        {% endif %}
    {% endfor %}
    {% set counts = {} %}
    {% for layer, relations in layers.items() %}
        {% set per_table = {} %}
        {% for relation in relations %}
            {% set result = run_query("select count(*) from " ~ relation) %}
            {% do per_table.update({relation: result.rows[0][0] | int}) %}
        {% endfor %}
        {% do counts.update({layer: per_table}) %}
    {% endfor %}
    {% set dau_sql %}
        select product, cast(activity_date as string), dau, mau_rolling_30d, wau_rolling_7d
        from {{ ref("active_users_daily") }}
        where activity_date = (select max(activity_date) from {{ ref("active_users_daily") }})
        order by product
    {% endset %}
    {% set dau = [] %}
    {% for row in run_query(dau_sql).rows %}
        {% do dau.append({"product": row[0], "date": row[1], "dau": row[2] | int,
            "mau_30d": row[3] | int, "wau_7d": row[4] | int}) %}
    {% endfor %}
    {{ print("PULSE_SUMMARY " ~ tojson({"rows": counts, "active_users": dau})) }}
{% endmacro %}
