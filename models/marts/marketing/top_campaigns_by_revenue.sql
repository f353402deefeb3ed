{#-
    The 10 campaigns with the most confirmed revenue (seed task 2.1): confirmed
    purchases only, revenue = exact decimal sum of billing_cost. Ties at equal revenue
    are ordered by campaign_id, so the cut at 10 is deterministic.
-#}

with

attribution as (

    select * from {{ ref('fct_purchase_attribution') }}

),

campaign_revenue as (

    select
        campaign_id,
        cast(sum(billing_cost) as decimal(18, 2)) as revenue,
        count(*) as confirmed_purchase_count,
        count(distinct session_id) as session_count
    from attribution
    where is_confirmed and campaign_id is not null
    group by campaign_id

),

ranked as (

    select
        *,
        row_number() over (order by revenue desc, campaign_id asc) as revenue_rank
    from campaign_revenue

)

select
    revenue_rank,
    campaign_id,
    revenue,
    confirmed_purchase_count,
    session_count
from ranked
where revenue_rank <= 10
