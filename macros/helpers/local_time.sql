{#- A UTC timestamp as wall-clock time, and its date, in the reporting time zone. -#}
{% macro to_reporting_tz(ts) -%}
    from_utc_timestamp({{ ts }}, '{{ var("reporting_timezone") }}')
{%- endmacro %}

{% macro reporting_date(ts) -%}
    to_date({{ to_reporting_tz(ts) }})
{%- endmacro %}
