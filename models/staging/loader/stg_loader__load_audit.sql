with

source as (

    select * from {{ source('loader', 'load_audit') }}

)

select
    {{ surrogate_key(['source_file', 'checksum']) }} as load_id,
    source_name,
    table_name,
    source_file,
    file_name,
    checksum,
    cast(rows_read as bigint) as rows_read,
    cast(rows_loaded as bigint) as rows_loaded,
    cast(rows_rejected as bigint) as rows_rejected,
    status,
    nullif(extra_columns, '') as extra_columns,
    nullif(missing_columns, '') as missing_columns,
    cast(started_at as timestamp) as started_at,
    cast(_loaded_at as timestamp) as _loaded_at,
    cast(load_date as date) as load_date
from source
