-- Baton schema, version 34: a customer's latest survey answer of a kind is
-- one index entry away again.
--
-- The customer screen's header shows the latest NPS, CSAT and CES answer,
-- and since 028 "latest" breaks ties of one moment by id: ORDER BY
-- responded_at DESC, id DESC LIMIT 1.  The index ended at responded_at, so
-- each of the three read every answer of its kind and sorted them (a key
-- account's 22 NPS answers, 26 pages; the header 78 pages in all).  With the
-- id in the index each reads one entry: the header 78 -> 40 pages, warm
-- 0.38 -> 0.28 ms for a key account, 0.29 -> 0.25 ms for the others (medians
-- of 500 and 2,000 at 100,000 customers).  Same name, same leading columns:
-- whatever used the old one uses this.  Built before the old one goes, so
-- that the screens keep reading while it builds (DROP INDEX locks the table
-- until the migration commits).
CREATE INDEX survey_response_customer_latest_idx
    ON survey_response (customer_id, kind, responded_at DESC, id DESC);
DROP INDEX survey_response_customer_idx;
ALTER INDEX survey_response_customer_latest_idx RENAME TO survey_response_customer_idx;
