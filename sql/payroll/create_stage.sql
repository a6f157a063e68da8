-- Computed rows of one organization's month, COPYed here before they are merged into payroll, each
-- with its breakdown as columns (<code>_base, <code>_amount, <code>_details, ipn_rate) that
-- sync_items.sql unfolds into the nine payroll_items lines. The key keeps the merge's joins with
-- payroll index lookups whatever the planner believes about payroll's size (its statistics may
-- predate this transaction's inserts).
CREATE TEMP TABLE IF NOT EXISTS payroll_stage (
    LIKE payroll, PRIMARY KEY (id),
    basic_base numeric(15,2), basic_amount numeric(15,2), basic_details text,
    overtime_base numeric(15,2), overtime_amount numeric(15,2), overtime_details text,
    opv_base numeric(15,2), opv_amount numeric(15,2), opv_details text,
    vosms_base numeric(15,2), vosms_amount numeric(15,2),
    ipn_base numeric(15,2), ipn_amount numeric(15,2), ipn_details text, ipn_rate numeric(9,6),
    opvr_base numeric(15,2), opvr_amount numeric(15,2), opvr_details text,
    so_base numeric(15,2), so_amount numeric(15,2),
    oosms_base numeric(15,2), oosms_amount numeric(15,2),
    sn_base numeric(15,2), sn_amount numeric(15,2)
) ON COMMIT DROP
