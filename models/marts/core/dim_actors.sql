{#-
    One row per actor: a device (ad and store streams share the KaiOS device ids) or a
    user of one source. Identity spaces stay apart: the same text in two spaces is two
    actors. Attributes that change:
      - devices: country and brand of the latest event (ties: latest event_id);
      - notes-app users: metadata repeats user ids with conflicting values; the row of
        the latest snapshot wins, then the latest join_date, then the smallest
        (country, device_type, subscription_type), so the pick is deterministic.
-#}

with

actor_days as (

    select * from {{ ref('int_actor_days_aggregated') }}

),

note_users as (

    select * from {{ ref('stg_notes_app__user_metadata') }}

),

actors as (

    select
        actor_key,
        identity_space,
        actor_type,
        actor_id,
        concat_ws(',', array_sort(array_distinct(flatten(collect_list(sources))))) as sources,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        min(first_active_date) as first_active_date,
        max(last_active_date) as last_active_date,
        sum(event_count) as event_count,
        max(latest_country).value as latest_country,
        max(latest_brand).value as brand
    from actor_days
    group by actor_key, identity_space, actor_type, actor_id

),

note_users_ranked as (

    select
        *,
        row_number() over (
            partition by user_id
            order by
                snapshot_date desc, join_date desc nulls last,
                country asc, device_type asc, subscription_type asc
        ) as pick
    from note_users

),

note_user_attributes as (

    select * from note_users_ranked
    where pick = 1

)

select
    actors.actor_key,
    actors.identity_space,
    actors.actor_type,
    actors.actor_id,
    actors.sources,
    actors.first_seen_at,
    actors.last_seen_at,
    actors.first_active_date,
    actors.last_active_date,
    actors.event_count,
    coalesce(note_user_attributes.country, actors.latest_country) as country,
    coalesce(note_user_attributes.device_type, actors.brand) as device_type,
    note_user_attributes.subscription_type,
    note_user_attributes.join_date,
    note_user_attributes.user_id is not null as has_metadata
from actors
left join note_user_attributes
    on
        actors.identity_space = 'notes_user'
        and actors.actor_id = note_user_attributes.user_id
