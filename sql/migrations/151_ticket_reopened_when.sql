-- Baton schema, version 151: a ticket reopened in the helpdesk is reopened
-- when the helpdesk says, not when it was imported (#12, a review).
--
-- 009's trigger dated a reopen (solved or closed, then not) at the
-- moment of the write.  An import writes a ticket's newer export: a page
-- of March, imported in December, said "#4815 reopened Dec 07" on the
-- customer screen and in the repeating-themselves signal, and a backfill of
-- a year of history made every past reopen today's.
--
-- Now the reopen takes the ticket's updated_at when the write changes it
-- (an import takes it from the record; a source without one writes now()),
-- not before the solve it undoes (a record older than it: the solve's
-- time) and not after now (a clock ahead).  A write that leaves updated_at
-- as it was is dated now, as before.
CREATE OR REPLACE FUNCTION baton_ticket_reopen() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
    IF OLD.status IN ('solved', 'closed') AND NEW.status NOT IN ('solved', 'closed') THEN
        NEW.reopened_at := CASE WHEN NEW.updated_at IS DISTINCT FROM OLD.updated_at
                                THEN least(greatest(NEW.updated_at, OLD.solved_at), now())
                                ELSE now() END;
        NEW.reopens := OLD.reopens + 1;
    ELSE
        NEW.reopened_at := OLD.reopened_at;
        NEW.reopens := OLD.reopens;
    END IF;
    RETURN NEW;
END $$;
