-- Daily exchange rates of one currency for the history's days: the base rate with a slow and a fast
-- wave, a function of the date alone (the same day gets the same rate in every run). Rates already
-- there (an operator's real ones, an earlier run) are kept. Returns how many were added.
WITH added AS (
    INSERT INTO fx_rates (currency, date, "rateToKzt")
    SELECT :currency, d::date,
           round((:rate * (1 + 0.04 * sin(2 * pi() * (d::date - DATE '2000-01-01') / 181.0)
                               + 0.01 * sin(2 * pi() * (d::date - DATE '2000-01-01') / 23.0)))::numeric, 6)
    FROM generate_series(CAST(:start AS date), CAST(:end AS date), interval '1 day') AS d
    ON CONFLICT (currency, date) DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM added
