{#- Cleaning of the play-store app attributes, shared by the catalogue and the downloads. -#}

{#- `19M` -> 19000000, `14k` -> 14000, a plain number of bytes as it is; `Varies with
    device`, 0 and junk -> null. -#}
{% macro app_size_bytes(column) -%}
    case
        when lower(trim({{ column }})) = 'varies with device' then null
        when upper(trim({{ column }})) like '%M'
            then cast(
                try_cast(
                    substr(trim({{ column }}), 1, length(trim({{ column }})) - 1) as decimal(20, 3)
                ) * 1000000 as bigint
            )
        when upper(trim({{ column }})) like '%K'
            then cast(
                try_cast(
                    substr(trim({{ column }}), 1, length(trim({{ column }})) - 1) as decimal(20, 3)
                ) * 1000 as bigint
            )
        else nullif(
            cast(try_cast({{ placeholder_to_null(column) }} as decimal(20, 3)) as bigint), 0
        )
    end
{%- endmacro %}

{#- True for `Varies with device` (and the cleaned stream file's 0.0). -#}
{% macro app_size_varies(column) -%}
    coalesce(
        lower(trim({{ column }})) = 'varies with device'
        or try_cast({{ placeholder_to_null(column) }} as decimal(20, 3)) = 0,
        false
    )
{%- endmacro %}

{#- `10,000+` -> 10000 (an integer passes through). -#}
{% macro installs_count(column) -%}
    cast(
        try_cast(replace(replace(trim({{ column }}), ',', ''), '+', '') as decimal(20, 0))
        as bigint
    )
{%- endmacro %}

{#- `$0.99` -> 0.99. -#}
{% macro price_amount(column) -%}
    try_cast(replace(trim({{ column }}), '$', '') as decimal(10, 2))
{%- endmacro %}

{#- `January 7, 2018` or `2018-01-07` -> a date. -#}
{% macro last_updated_date(column) -%}
    coalesce(
        to_date(try_to_timestamp(trim({{ column }}), 'MMMM d, yyyy')),
        to_date(try_to_timestamp(trim({{ column }}), 'yyyy-MM-dd'))
    )
{%- endmacro %}

{#- The cleaned attributes of an app, in the order every play-store model lists them
    (the catalogue, the downloads, the deduplicated apps and dim_apps). -#}
{% macro play_store_app_attributes() -%}
    {{ return([
        'category', 'rating', 'reviews', 'size_bytes', 'size_varies_with_device',
        'installs', 'app_type', 'price', 'content_rating', 'genres', 'last_updated',
        'current_version', 'android_version',
    ]) }}
{%- endmacro %}
