{#- What the loader did per load day, source and table: files, rows read, loaded, rejected. -#}

with

audit as (

    select * from {{ ref('stg_loader__load_audit') }}

)

select
    {{ surrogate_key(['load_date', 'source_name', 'table_name']) }} as load_audit_daily_id,
    load_date,
    source_name,
    table_name,
    count(*) as files,
    sum(rows_read) as rows_read,
    sum(rows_loaded) as rows_loaded,
    sum(rows_rejected) as rows_rejected,
    sum(case when extra_columns is not null then 1 else 0 end) as files_with_extra_columns,
    sum(case when missing_columns is not null then 1 else 0 end) as files_with_missing_columns
from audit
group by load_date, source_name, table_name
