{#- An id that is empty or one of the placeholder strings the sources emit becomes null. -#}
{% macro placeholder_to_null(column) -%}
    case
        when lower(trim({{ column }})) in ('', 'null', 'none', 'nan', '<null>', '%3cnull%3g')
            then null
        else trim({{ column }})
    end
{%- endmacro %}
