with

source as (

    select * from {{ source('notes_app', 'user_metadata') }}

),

renamed as (

    select
        trim(user_id) as user_id,
        to_date(trim(join_date), 'yyyy-MM-dd') as join_date,
        {{ placeholder_to_null('country') }} as country,
        {{ placeholder_to_null('device_type') }} as device_type,
        {{ placeholder_to_null('subscription_type') }} as subscription_type,
        cast(load_date as date) as snapshot_date,
        cast(_loaded_at as timestamp) as _loaded_at
    from source

)

select
    user_id,
    join_date,
    country,
    device_type,
    subscription_type,
    max(snapshot_date) as snapshot_date,
    max(_loaded_at) as _loaded_at
from renamed
group by user_id, join_date, country, device_type, subscription_type
