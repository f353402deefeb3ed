with

source as (

    select * from {{ source('ad_platform', 'ad_events') }}

),

renamed as (

    select
        trim(device_id) as device_id,
        {{ placeholder_to_null('ad_id') }} as ad_id,
        lower(trim(event_type)) as event_type,
        {{ placeholder_to_null('country') }} as country,
        {{ placeholder_to_null('brand') }} as brand,
        cast(_event_ts as timestamp) as event_ts,
        cast(event_date as date) as event_date,
        cast(load_date as date) as load_date,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

),

deduplicated as (

    select
        device_id,
        ad_id,
        event_type,
        country,
        brand,
        event_ts,
        event_date,
        min(load_date) as load_date,
        min(_loaded_at) as _loaded_at,
        count(*) as n_copies
    from renamed
    group by device_id, ad_id, event_type, country, brand, event_ts, event_date

)

select
    {{ surrogate_key(['device_id', 'ad_id', 'event_type', 'country', 'brand', 'event_ts']) }}
        as event_id,
    device_id,
    ad_id,
    event_type,
    country,
    brand,
    event_ts,
    event_date,
    n_copies,
    load_date,
    _loaded_at
from deduplicated
