{#-
    One row per app name from the catalogue. The Kaggle file lists some apps more than
    once with different attributes (different review counts, categories, ...). Rule:
    per app name keep the row from the latest catalogue snapshot, then the most
    reviews, then the latest last_updated, then the most installs, then the first
    category and genres in alphabetical order (4 Kaggle apps tie on everything but
    category), then the smallest catalogue_row_id (md5 of the row: deterministic).
    app_id is the source's: 499 + dense rank of the app name in binary (code point)
    order, as in the download files (500 is the first app).
-#}

with

catalogue as (

    select * from {{ ref('stg_play_store__apps') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by app_name
            order by
                snapshot_date desc,
                reviews desc nulls last,
                last_updated desc nulls last,
                installs desc nulls last,
                category asc nulls last,
                genres asc nulls last,
                catalogue_row_id asc
        ) as variant_rank,
        count(*) over (partition by app_name) as n_variants,
        499 + dense_rank() over (order by app_name) as app_number
    from catalogue

)

select
    cast(app_number as string) as app_id,
    app_name,
    {{ play_store_app_attributes() | join(',\n    ') }},
    n_variants,
    catalogue_row_id,
    snapshot_date,
    _loaded_at
from ranked
where variant_rank = 1
