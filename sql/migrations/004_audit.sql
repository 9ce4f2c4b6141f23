-- An append-only audit log of every write: who (the session user, never a
-- name the client sends), when, from which application and client address,
-- what changed.  Written by triggers, so psql, imports and every Baton
-- client are recorded alike; nobody can change or remove a row through
-- Baton's grants (admins included).
--
-- Triggers are per statement with transition tables: a bulk write (an
-- import, a bulk acknowledge) costs one INSERT ... SELECT, not one per row.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'baton_admin') THEN
        CREATE ROLE baton_admin NOLOGIN;
    END IF;
END $$;

CREATE TABLE baton_audit (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        name NOT NULL DEFAULT session_user,
    application  text NOT NULL DEFAULT current_setting('application_name'),
    client_addr  inet DEFAULT inet_client_addr(),
    action       text NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
    entity       text NOT NULL,
    entity_id    text,
    customer_id  bigint,
    change       jsonb NOT NULL
);
CREATE INDEX baton_audit_at_idx ON baton_audit (at);
CREATE INDEX baton_audit_customer_idx ON baton_audit (customer_id, at) WHERE customer_id IS NOT NULL;
CREATE INDEX baton_audit_actor_idx ON baton_audit (actor, at);

CREATE TRIGGER baton_audit_append_only BEFORE UPDATE OR DELETE ON baton_audit
    FOR EACH ROW EXECUTE FUNCTION baton_forbid_change();
CREATE TRIGGER baton_audit_no_truncate BEFORE TRUNCATE ON baton_audit
    FOR EACH STATEMENT EXECUTE FUNCTION baton_forbid_change();

-- The changed columns of an update as {"column": [old, new]}.
CREATE FUNCTION baton_audit_diff(o jsonb, n jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT coalesce(jsonb_object_agg(k, jsonb_build_array(o -> k, n -> k)), '{}'::jsonb)
    FROM jsonb_object_keys(n) k
    WHERE (o -> k) IS DISTINCT FROM (n -> k)
$$;

-- TG_ARGV[0]: the key column (or columns, comma-separated) naming a row.
-- The customer a row concerns: its customer_id, or its own id on customer.
CREATE FUNCTION baton_audit_statement() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_keys text[] := string_to_array(TG_ARGV[0], ',');
    v_cust text := CASE WHEN TG_TABLE_NAME = 'customer' THEN 'id' ELSE 'customer_id' END;
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A handoff's events concern the handoff's customer.
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'insert', TG_TABLE_NAME,
               array_to_string(ARRAY(SELECT to_jsonb(n) ->> k FROM unnest(v_keys) k), ','),
               coalesce((to_jsonb(n) ->> v_cust)::bigint,
                        (SELECT h.customer_id FROM handoff h
                         WHERE h.id = (to_jsonb(n) ->> 'handoff_id')::uuid)),
               to_jsonb(n)
        FROM new_rows n;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'delete', TG_TABLE_NAME,
               array_to_string(ARRAY(SELECT to_jsonb(o) ->> k FROM unnest(v_keys) k), ','),
               (to_jsonb(o) ->> v_cust)::bigint, to_jsonb(o)
        FROM old_rows o;
    ELSE
        -- Old and new rows pair up by their key (keys are not updated).
        INSERT INTO baton_audit (action, entity, entity_id, customer_id, change)
        SELECT 'update', TG_TABLE_NAME, n.key, (n.j ->> v_cust)::bigint,
               baton_audit_diff(o.j, n.j)
        FROM (SELECT to_jsonb(x) j, array_to_string(ARRAY(SELECT to_jsonb(x) ->> k
                    FROM unnest(v_keys) k), ',') key FROM new_rows x) n
        JOIN (SELECT to_jsonb(x) j, array_to_string(ARRAY(SELECT to_jsonb(x) ->> k
                    FROM unnest(v_keys) k), ',') key FROM old_rows x) o USING (key)
        WHERE o.j IS DISTINCT FROM n.j;
    END IF;
    RETURN NULL;
END $$;

-- Audit a table: one trigger per operation (transition tables need that).
-- Later migrations call it for the tables they add.
CREATE FUNCTION baton_audit_attach(p_table text, p_keycols text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION baton_audit_statement(%L)',
                   p_table || '_audit_ins', p_table, p_keycols);
    EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I'
                   ' REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION baton_audit_statement(%L)',
                   p_table || '_audit_upd', p_table, p_keycols);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows'
                   ' FOR EACH STATEMENT EXECUTE FUNCTION baton_audit_statement(%L)',
                   p_table || '_audit_del', p_table, p_keycols);
END $$;
REVOKE ALL ON FUNCTION baton_audit_attach(text, text) FROM PUBLIC;

SELECT baton_audit_attach(tab, keycols) FROM (VALUES
    ('team', 'id'), ('staff', 'role_name'), ('customer', 'id'),
    ('customer_external_id', 'system,external_id'), ('contact', 'id'),
    ('milestone', 'id'), ('ticket', 'id'), ('success_note', 'id'),
    ('marketing_event', 'id'), ('survey_response', 'id'),
    ('handoff', 'id'), ('handoff_event', 'id')) AS x(tab, keycols);

REVOKE ALL ON baton_audit FROM PUBLIC, baton_staff;
GRANT SELECT ON baton_audit TO baton_admin;
REVOKE ALL ON FUNCTION baton_audit_statement() FROM PUBLIC;
