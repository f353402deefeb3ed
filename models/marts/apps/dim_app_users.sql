{#-
    One row per Play Store user (their own id space: user 7 here is not user 7 of any
    other source). The batch and stream files give the same user id different names,
    ages and states; the attributes of the user's latest download win (latest
    download_ts, then the latest load, then the largest event_id).
    n_attribute_variants counts the distinct (name, age, location) seen.
-#}

with

downloads as (

    select * from {{ ref('stg_play_store__app_downloads') }}

)

select
    user_id,
    max_by(user_name, struct(download_ts, _loaded_at, event_id)) as user_name,
    max_by(user_age, struct(download_ts, _loaded_at, event_id)) as user_age,
    max_by(age_band, struct(download_ts, _loaded_at, event_id)) as age_band,
    max_by(user_location, struct(download_ts, _loaded_at, event_id)) as user_location,
    count(distinct struct(user_name, user_age, user_location)) as n_attribute_variants,
    min(download_ts) as first_download_at,
    max(download_ts) as last_download_at,
    count(*) as download_count,
    max(_loaded_at) as _loaded_at
from downloads
group by user_id
