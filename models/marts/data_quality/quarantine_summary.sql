{#- Quarantined rows per load day, source, table and kind of reason. -#}

with

quarantine as (

    select * from {{ ref('stg_loader__load_quarantine') }}

)

select
    {{ surrogate_key(['load_date', 'source_name', 'table_name', 'reason_kind']) }}
        as quarantine_summary_id,
    load_date,
    source_name,
    table_name,
    reason_kind,
    count(*) as quarantined_rows,
    count(distinct source_file) as files
from quarantine
group by load_date, source_name, table_name, reason_kind
