{#-
    Events by how late they arrived: the days between an event's reporting-tz day and
    the day it was first loaded. Incremental runs rebuild every day that new rows touch,
    so late events are counted whatever their age; rows older than var('lookback_days')
    are flagged here, because they changed days a dashboard may already have shown.
-#}

with

events as (

    select * from {{ ref('fct_events') }}

),

arrivals as (

    select
        source,
        local_date,
        load_date,
        datediff(load_date, local_date) as days_late,
        count(*) as events
    from events
    group by source, local_date, load_date

)

select
    {{ surrogate_key(['source', 'local_date', 'load_date']) }} as late_events_audit_id,
    source,
    local_date,
    load_date,
    days_late,
    events,
    days_late > {{ int_var('lookback_days') }} as is_beyond_lookback
from arrivals
