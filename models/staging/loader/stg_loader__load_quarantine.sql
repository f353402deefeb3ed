with

source as (

    select * from {{ source('loader', 'load_quarantine') }}

)

select
    {{ surrogate_key(['source_file', 'row_number', 'reason']) }} as quarantine_id,
    source_name,
    table_name,
    source_file,
    cast(row_number as bigint) as row_number,
    reason,
    -- the reason without the offending value, for grouping
    trim(regexp_extract(reason, '^([^:]*)', 1)) as reason_kind,
    raw_text,
    cast(_loaded_at as timestamp) as _loaded_at,
    cast(load_date as date) as load_date
from source
