-- Baton schema, version 102: an internationalised domain is one domain
-- however it is spelt.
--
-- A domain with letters beyond ASCII has two spellings: as people type it
-- (bücher.example, what a CRM's form keeps) and as DNS carries it, each
-- such label in Punycode behind "xn--" (xn--bcher-kva.example, what a
-- helpdesk that checks its domains, or an e-mail header, gives).  066's
-- baton_norm_domain kept each as it came, so the same company, exported
-- from both, was two customers, and a contact at one spelling did not join
-- the company at the other.
--
-- Now a label "xn--..." is decoded (RFC 3492) and normalised as the typed
-- spelling is (NFKC, lower case): the result is the one people read, as
-- customer.domain is shown on the screen.  A label that is not valid
-- Punycode, or that decodes to ASCII only (no A-label does), or whose
-- decoded domain is no domain by 066's rules, stays as it came: "xn--" is
-- an ordinary beginning for a label, and such a value identified a customer
-- before.  Only in a UTF8 database: another encoding cannot hold the
-- decoded letters, and there both spellings stay as they were.
--
-- Two more spellings, which were no domain, are the domain they name: a
-- URL without its scheme (//acme.example/about), and a domain with an
-- invisible character in it that IDNA's mapping ignores (a soft hyphen,
-- a zero-width space, a word joiner, a byte order mark: what a value
-- copied from a web page or a document brings along, unseen on screen).
--
-- What its results are stored in is made again, as 066 did: the index on
-- contacts' address domains, customer records' normalised domains, and a
-- customer's own domain when no other customer has the decoded spelling
-- (when one has, they share it, and identity resolution joins them as it
-- would have).  Running the statements again changes nothing.
--
-- Cost: a value without "xn--" pays one LIKE more.  300,000 addresses
-- (count(baton_norm_domain('c' || i || '@org' || i || '.example')), three
-- runs each): 530-540 ms before, 551-569 ms with it, about 0.1 us a call
-- on 1.8 us; a value with a label in Punycode takes about 16 us.

-- The Unicode text a Punycode string stands for (the part of an A-label
-- after "xn--"), or NULL when it is not valid Punycode.  RFC 3492 6.2,
-- with its overflow checks (a code point beyond U+10FFFF, a surrogate or
-- NUL is invalid, as are digits that would overflow 32 bits).
CREATE FUNCTION baton_punycode_decode(p text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
    base CONSTANT integer := 36;
    tmin CONSTANT integer := 1;
    tmax CONSTANT integer := 26;
    skew CONSTANT integer := 38;
    damp CONSTANT integer := 700;
    n bigint := 128;
    i bigint := 0;
    bias bigint := 72;
    b integer := length(p) - strpos(reverse(p), '-') + 1;
    out integer[] := '{}';
    pos integer;
    oldi bigint;
    w bigint;
    k bigint;
    t bigint;
    digit integer;
    c integer;
    delta bigint;
    npts integer;
BEGIN
    IF p !~ '^[\x01-\x7f]*$' THEN
        RETURN NULL;
    END IF;
    -- The basic code points: everything before the last hyphen.
    IF strpos(p, '-') = 0 THEN
        b := 0;
    ELSE
        out := ARRAY(SELECT ascii(ch) FROM unnest(string_to_array(left(p, b - 1), NULL)) ch);
    END IF;
    pos := CASE WHEN b > 0 THEN b + 1 ELSE 1 END;
    WHILE pos <= length(p) LOOP
        oldi := i;
        w := 1;
        k := base;
        LOOP
            IF pos > length(p) THEN
                RETURN NULL;
            END IF;
            c := ascii(substr(p, pos, 1));
            pos := pos + 1;
            digit := CASE WHEN c BETWEEN 48 AND 57 THEN c - 22      -- 0-9: 26-35
                          WHEN c BETWEEN 65 AND 90 THEN c - 65      -- A-Z: 0-25
                          WHEN c BETWEEN 97 AND 122 THEN c - 97     -- a-z: 0-25
                          ELSE base END;
            IF digit >= base OR digit * w > 2147483647 - i THEN
                RETURN NULL;
            END IF;
            i := i + digit * w;
            t := CASE WHEN k <= bias THEN tmin WHEN k >= bias + tmax THEN tmax ELSE k - bias END;
            EXIT WHEN digit < t;
            IF w * (base - t) > 2147483647 THEN
                RETURN NULL;
            END IF;
            w := w * (base - t);
            k := k + base;
        END LOOP;
        npts := coalesce(array_length(out, 1), 0) + 1;
        -- adapt(i - oldi, npts, oldi = 0)
        delta := CASE WHEN oldi = 0 THEN (i - oldi) / damp ELSE (i - oldi) / 2 END;
        delta := delta + delta / npts;
        k := 0;
        WHILE delta > ((base - tmin) * tmax) / 2 LOOP
            delta := delta / (base - tmin);
            k := k + base;
        END LOOP;
        bias := k + ((base - tmin + 1) * delta) / (delta + skew);
        n := n + i / npts;
        i := i % npts;
        IF n > 1114111 OR n BETWEEN 55296 AND 57343 THEN
            RETURN NULL;
        END IF;
        out := out[1:i] || n::integer || out[i + 1:];
        i := i + 1;
    END LOOP;
    RETURN array_to_string(ARRAY(SELECT chr(x) FROM unnest(out) x), '');
END $$;

-- 066's, and its labels in Punycode decoded.
CREATE OR REPLACE FUNCTION baton_norm_domain(p text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT AS $$
DECLARE
    -- Compatibility forms as the characters they stand for (IDNA's
    -- mapping does so too): a full-width letter or @, a no-break space;
    -- and without the invisible characters IDNA's mapping ignores (102),
    -- which a domain copied from a web page or a document brings along:
    -- a soft hyphen, a zero-width space, a word joiner, a byte order mark.
    -- The blanks around it: E'\v' is the letter v in PostgreSQL (066 took
    -- acme.dev for acme.de, vodafone.de for odafone.de): a vertical tab is
    -- \x0b.
    d text := btrim(CASE WHEN octet_length(p) <> length(p) AND getdatabaseencoding() = 'UTF8'
                         THEN normalize(regexp_replace(p, '[\u00ad\u200b\u2060\ufeff]', '', 'g'), NFKC)
                         ELSE p END, E' \t\n\r\f\x0b');
    u text;
BEGIN
    -- One address in angle brackets, at the end: that address.
    IF d LIKE '%>' THEN
        d := btrim(substring(d FROM '^[^>]*<([^<>]*)>$'), E' \t\n\r\f\x0b');
    END IF;
    -- A URL's scheme, path, query and fragment, and a port; a URL without
    -- its scheme (//acme.example/about) too (102).
    IF d ~ '[:/?#]' THEN
        d := regexp_replace(regexp_replace(regexp_replace(d,
            '^([A-Za-z][A-Za-z0-9+.-]*:)?//', ''), '[/?#].*$', ''), ':[0-9]*$', '');
    END IF;
    -- The user or mailbox (up to the last @), trailing dots, www.
    d := lower(rtrim(split_part(d, '@', -1), '.'));
    IF d LIKE 'www.%' THEN
        d := regexp_replace(d, '^(www\.)+', '');
    END IF;
    -- Labels in Punycode (102): the domain they spell, when it is one.
    -- The decoded labels have no "xn--" left at their start (they are not
    -- ASCII), so the call below decodes what is left, and ends.
    -- Only what DNS can carry is decoded: a label of up to 63 characters in
    -- a name of up to 253 (decoding takes time in the square of a label's
    -- length).  A decoded label is taken only when what NFKC makes of it
    -- has no ASCII but letters, digits and hyphens: "xn--victim-2q68a"
    -- spells a full-width @ and "victim", no label IDNA allows, and stays
    -- as it came.
    IF d LIKE '%xn--%' AND length(d) <= 253 AND getdatabaseencoding() = 'UTF8' THEN
        u := array_to_string(ARRAY(
                 SELECT CASE WHEN l LIKE 'xn--%' AND length(l) <= 63
                             THEN coalesce((SELECT x FROM baton_punycode_decode(substr(l, 5)) x
                                            WHERE x ~ '[^\x01-\x7f]'
                                              AND normalize(x, NFKC) !~ '[\x01-\x2c\x2e\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]'), l)
                             ELSE l END
                 FROM unnest(string_to_array(d, '.')) WITH ORDINALITY a(l, o) ORDER BY o), '.');
        IF u IS DISTINCT FROM d THEN
            u := baton_norm_domain(u);
            IF u IS NOT NULL THEN
                RETURN u;
            END IF;
        END IF;
    END IF;
    -- Labels of letters, marks and digits, with hyphens inside.  The
    -- second branch, where the database's character classification knows
    -- no letter beyond ASCII (a constant: chr(233) is é), takes any
    -- non-ASCII character but a C1 control or a no-break space (bytes, in
    -- SQL_ASCII).
    RETURN CASE
        WHEN d ~ '^[[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f](?:[-[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f]*[[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f])?(?:\.[[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f](?:[-[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f]*[[:alnum:]\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff\u1dc0-\u1dff\u302a-\u302f\u3099\u309a\ufe20-\ufe2f])?)+$'
        THEN d
        WHEN NOT chr(233) ~ '^[[:alpha:]]$'
             AND (d !~ '[\u0080-\u00a0]' OR getdatabaseencoding() <> 'UTF8')
             AND d ~ '^[a-z0-9\u0080-\U0010ffff](?:[-a-z0-9\u0080-\U0010ffff]*[a-z0-9\u0080-\U0010ffff])?(?:\.[a-z0-9\u0080-\U0010ffff](?:[-a-z0-9\u0080-\U0010ffff]*[a-z0-9\u0080-\U0010ffff])?)+$'
        THEN d END;
END $$;

-- 073's, with the blanks around an address as they are: it took the letter
-- v too (vic@acme.example was stored as ic@acme.example, ann@acme.dev as
-- ann@acme.de).
CREATE OR REPLACE FUNCTION baton_import_addr(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT coalesce(substring(btrim(p, E' \t\n\r\f\x0b') FROM '^[^<>]*<([^<>@[:space:]]+@[^<>[:space:]]+)>$'),
                    btrim(p, E' \t\n\r\f\x0b'))
$$;

-- What those two took from the records imported before cannot be read back
-- (a record keeps no domain or address as its source wrote it): each
-- customer and contact record is taken again at its source's next import,
-- as a record its source changed is (its digest no longer matches; the
-- import counts it as updated, once).  A merge made by a domain that had
-- lost its v (acme.dev joined to acme.de) is left to `baton split`:
-- `baton merges` lists each with the domain it was made by.
UPDATE import_record SET digest = 'v102:' || digest
WHERE entity IN ('customers', 'contacts') AND digest NOT LIKE 'v102:%';

-- What 066's function left in its results, decoded: the same statements as
-- 066's, for the values with a label in Punycode.
REINDEX INDEX contact_email_domain_idx;

-- A customer record's domains (first seen first, one of each).
UPDATE import_record r SET domains = n.domains
FROM (SELECT k.source, k.source_id,
             ARRAY(SELECT x.d FROM (
                       SELECT baton_norm_domain(u.e) AS d, min(u.i) AS i
                       FROM unnest(k.domains) WITH ORDINALITY u(e, i) GROUP BY 1) x
                   WHERE x.d IS NOT NULL ORDER BY x.i) AS domains
      FROM import_record k
      WHERE k.entity = 'customers'
        AND EXISTS (SELECT 1 FROM unnest(k.domains) u(e) WHERE u.e LIKE '%xn--%')) n
WHERE (r.source, r.source_id) = (n.source, n.source_id) AND r.domains IS DISTINCT FROM n.domains;

-- A customer's own domain, unless another customer has the decoded one
-- (the first, by id, when several decode to the same); one with an
-- invisible character in it, which was no domain, is the domain it names
-- now (a customer's domain has no slash).  (A customer record's
-- domains never held those: they were dropped as no domain.  The record
-- gives its domain once its source sends it changed.)
UPDATE customer c SET domain = n.d, updated_at = now()
FROM (SELECT DISTINCT ON (x.d) x.id, x.d FROM (
          SELECT k.id, baton_norm_domain(k.domain) AS d
          FROM customer k
          WHERE lower(k.domain) LIKE '%xn--%' OR k.domain ~ '[\u00ad\u200b\u2060\ufeff]') x
      WHERE x.d IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM customer o WHERE lower(o.domain) = x.d)
      ORDER BY x.d, x.id) n
WHERE c.id = n.id;

-- A text typed to find a customer, for comparing with customers' domains
-- as they are stored: a domain in Punycode decoded; an address, a URL and
-- any other text lower-cased only, as before (an address is a contact's).
CREATE FUNCTION baton_typed_domain(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN CASE WHEN lower(p) LIKE '%xn--%' AND p !~ '[@/:]'
            THEN coalesce(public.baton_norm_domain(p), lower(p)) ELSE lower(p) END;

-- 100's, a domain typed in Punycode looked for as customers' are stored.
CREATE OR REPLACE FUNCTION baton_resolve(p_text text)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 2 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[] := baton_me_scope();  -- NULL: every segment (or not staff)
    v_lower text := lower(p_text);
    v_domain text := baton_typed_domain(p_text);
    v_others bigint[];
    v_ext bigint[];
    v_found boolean := false;
BEGIN
    -- Importers (010) read every customer, as their policy does, and so
    -- do administrators (075: the customer of `baton audit --customer`,
    -- through baton_audit_customers, the only way they call this).
    IF NOT (baton_me_active() OR baton_me_bypasses()
            OR pg_has_role(session_user, 'baton_importer', 'MEMBER')
            OR pg_has_role(session_user, 'baton_admin', 'MEMBER')) THEN
        RETURN;
    END IF;
    IF p_text ~ '^#?[0-9]{1,18}$' THEN
        RETURN QUERY SELECT c.id, 1 FROM customer c
            WHERE c.id = ltrim(p_text, '#')::bigint
              AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope));
        IF FOUND THEN
            RETURN;
        END IF;
    END IF;
    -- An external id: SYSTEM:ID's customers, and those with an id of any
    -- system equal to the whole text, case aside.  Two statements: one
    -- with both kept a custom plan, planned again at every call (+0.2 ms).
    -- Into a variable first, as v_others below.
    v_ext := baton_external_customers(p_text);
    IF cardinality(v_ext) > 0 THEN
        RETURN QUERY SELECT c.id, 2 FROM customer c
            WHERE c.id = ANY (v_ext) AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope));
        v_found := FOUND;
    END IF;
    RETURN QUERY SELECT DISTINCT x.customer_id, 2 FROM customer_external_id x
        JOIN customer c ON c.id = x.customer_id
        WHERE lower(x.external_id) = v_lower AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope))
          AND NOT x.customer_id = ANY (v_ext);
    IF FOUND OR v_found THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT c.id, 3 FROM customer c
        WHERE lower(c.domain) IN (v_domain, v_lower) AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    -- Into a variable first: as a stable function's call in the query,
    -- the planner ran it too, to estimate the rows.
    v_others := baton_domain_customers(v_domain);
    RETURN QUERY SELECT c.id, 3 FROM customer c
        WHERE c.id = ANY (v_others) AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT DISTINCT x.customer_id, 4 FROM contact x
        JOIN customer c ON c.id = x.customer_id
        WHERE lower(x.email) = v_lower AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope));
    IF FOUND THEN
        RETURN;
    END IF;
    RETURN QUERY SELECT c.id, 5 FROM customer c
        WHERE c.name_folded = baton_fold(p_text) AND (v_scope IS NULL OR baton_customer_segment(c.merged_into, c.segment) = ANY (v_scope))
        LIMIT 50;
END $f$;

-- 083's, the same for the finder's domains.
CREATE OR REPLACE FUNCTION baton_find(p_text text, p_contains boolean)
RETURNS TABLE (cid bigint, how integer)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 100 SET search_path = public, pg_temp AS $f$
DECLARE
    v_scope text[];  -- NULL: every segment
    v_id bigint;     -- the id typed, if the text is one
    v_domain text := baton_typed_domain(p_text);  -- whole or begun ("xn--bcher-kva.exa")
BEGIN
    IF baton_me_active() THEN
        v_scope := baton_me_scope();
    ELSIF NOT baton_me_bypasses() THEN
        RETURN;
    END IF;
    IF p_text ~ '^#?[0-9]{1,18}$' THEN
        v_id := ltrim(p_text, '#')::bigint;
    END IF;
    RETURN QUERY EXECUTE $q$
        (SELECT s.id, -2 FROM customer s
          WHERE s.id = (SELECT coalesce(c.merged_into, c.id) FROM customer c WHERE c.id = $6)
            AND ($3 IS NULL OR s.segment = ANY ($3)) AND s.merged_into IS NULL)
        UNION ALL (SELECT id, -1 FROM customer
          WHERE id = ANY ($5) AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL)
        UNION ALL (SELECT id, CASE WHEN $2 THEN 0 ELSE 1 END FROM customer
          WHERE name_folded LIKE baton_like_escape(baton_fold($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          ORDER BY name_folded USING ~<~, id LIMIT 50)
        UNION ALL (SELECT id, 1 FROM customer
          WHERE $2 AND name_folded LIKE '%' || baton_like_escape(baton_fold($1)) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          LIMIT 100)
        UNION ALL (SELECT id, 2 FROM customer
          WHERE lower(domain) LIKE baton_like_escape($7) || '%'
            AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL
          ORDER BY lower(domain) USING ~<~ LIMIT 50)
        UNION ALL (SELECT id, 2 FROM customer
          WHERE id = ANY ($4) AND ($3 IS NULL OR segment = ANY ($3)) AND merged_into IS NULL)
        UNION ALL (SELECT x.customer_id, 3 FROM contact x
          WHERE lower(x.email) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR EXISTS (SELECT 1 FROM customer c
                 WHERE c.id = x.customer_id AND c.segment = ANY ($3)))
          ORDER BY lower(x.email) USING ~<~, x.customer_id LIMIT 50)
        UNION ALL (SELECT x.customer_id, 4 FROM customer_external_id x
          WHERE lower(x.external_id) LIKE baton_like_escape(lower($1)) || '%'
            AND ($3 IS NULL OR EXISTS (SELECT 1 FROM customer c
                 WHERE c.id = x.customer_id AND c.segment = ANY ($3)))
          ORDER BY lower(x.external_id) USING ~<~, x.customer_id LIMIT 50)
    $q$ USING p_text, p_contains, v_scope, baton_domain_customers(v_domain),
              baton_external_customers(p_text), v_id, v_domain;
END $f$;
