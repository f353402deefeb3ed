{#- A deterministic key from columns (md5 of their text, nulls spelled out), as dbt_utils does. -#}
{% macro surrogate_key(columns) -%}
    md5(concat_ws('|'
    {%- for column in columns %},
        coalesce(cast({{ column }} as string), '_pulse_null_')
    {%- endfor %}
    ))
{%- endmacro %}
